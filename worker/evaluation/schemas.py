"""What the evaluator model must return. Small, flat, every field required, lengths bounded: the JSON schema is
compiled to a grammar on the server (keep it simple) and every reply is validated here again anyway."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

CRITERIA = ("relevance", "depth", "structure", "clarity", "evidence")

Score = Annotated[int, Field(ge=1, le=5)]
Point = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class EvaluationOutput(BaseModel):
    """One answer scored against the rubric."""

    model_config = ConfigDict(extra="forbid")

    relevance: Score = Field(description="1-5: does the answer address the question asked?")
    depth: Score = Field(description="1-5: technical accuracy and depth")
    structure: Score = Field(description="1-5: organisation, e.g. STAR (situation, task, action, result)")
    clarity: Score = Field(description="1-5: clear, concise communication")
    evidence: Score = Field(description="1-5: concrete examples, numbers, outcomes")
    overall_score: Score = Field(description="1-5 overall")
    strengths: list[Point] = Field(min_length=1, max_length=3, description="what the answer did well")
    improvements: list[Point] = Field(min_length=1, max_length=3, description="what to do better")
    model_answer: str = Field(min_length=1, max_length=800, description="a concise model answer")

    def rubric(self) -> dict[str, int]:
        return {name: int(getattr(self, name)) for name in CRITERIA}


class SummaryOutput(BaseModel):
    """The end-of-interview report written by the evaluator."""

    model_config = ConfigDict(extra="forbid")

    summary: str = Field(min_length=1, max_length=1200, description="overall summary of the interview")
    strengths: list[Point] = Field(min_length=1, max_length=3, description="top strengths")
    practice: list[Point] = Field(min_length=1, max_length=3, description="top things to practise")


def field_descriptions(model: type[BaseModel]) -> list[str]:
    """The schema's field descriptions: prompt text the model sees (in the format instructions) and must not echo."""
    return [f.description for f in model.model_fields.values() if f.description]
