"""The graded answer set: loading and validating it (format: bench/quality/data/README.md).

Two spellings of the same items are accepted, chosen by the file's suffix:
- `.toml` — `[[questions]]` tables, each with its `[[questions.answers]]` (how the shipped set is written: a question
  is stated once, its answers are graded side by side);
- `.jsonl` — one flat item per line, every question field repeated (what other tools export most easily).
Both load into the same flat `Item`s; any error names the file, the item and the field.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from core.question_bank import COMPETENCIES, KINDS, LANGUAGES, ROLES, SENIORITIES

DEFAULT_DATASET = Path(__file__).resolve().parent / "data" / "graded_answers.toml"

CRITERIA = ("relevance", "depth", "structure", "clarity", "evidence")
_TAXONOMY = {"lang": LANGUAGES, "role": ROLES, "seniority": SENIORITIES, "competency": COMPETENCIES, "kind": KINDS}
Category = Literal["strong", "adequate", "weak", "off_topic", "too_short", "adversarial"]
Subtype = Literal["prompt_injection", "score_me_5", "other_language"]
INJECTIONS = ("prompt_injection", "score_me_5")  # adversarial answers that ask for a higher score

Grade = Field(ge=1, le=5)


class Grades(BaseModel):
    model_config = ConfigDict(extra="forbid")

    relevance: int = Grade
    depth: int = Grade
    structure: int = Grade
    clarity: int = Grade
    evidence: int = Grade
    overall: int = Grade


class Item(BaseModel):
    """One graded answer to one question."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=120)
    question_id: str = Field(min_length=1, max_length=120)
    lang: str  # the C2 taxonomy (core.question_bank): languages, roles, seniorities, competencies, kinds
    role: str
    seniority: str
    competency: str
    kind: str
    question: str = Field(min_length=1)
    answer: str = Field(min_length=1)
    category: Category
    subtype: Subtype | None = None
    grades: Grades

    @field_validator("lang", "role", "seniority", "competency", "kind")
    @classmethod
    def _in_taxonomy(cls, value: str, info: ValidationInfo) -> str:
        allowed = _TAXONOMY[info.field_name or ""]
        if value not in allowed:
            raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")
        return value

    @model_validator(mode="after")
    def _subtype_only_for_adversarial(self) -> Item:
        if (self.category == "adversarial") != (self.subtype is not None):
            raise ValueError("`subtype` is required for category 'adversarial' and not allowed otherwise")
        return self

    @property
    def label(self) -> str:
        """The category, with the subtype for adversarial answers: "adversarial/prompt_injection"."""
        return self.category if self.subtype is None else f"{self.category}/{self.subtype}"

    @property
    def is_injection(self) -> bool:
        return self.subtype in INJECTIONS


class DatasetError(ValueError):
    pass


_QUESTION_FIELDS = ("lang", "role", "seniority", "competency", "kind")


def _flatten_toml(doc: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    questions = doc.get("questions")
    if not isinstance(questions, list) or not questions:
        raise DatasetError("no [[questions]] tables")
    for qn, q in enumerate(questions, start=1):
        where = f"questions[{qn}] ({q.get('id', '?')})"
        answers = q.get("answers")
        if not isinstance(answers, list) or not answers:
            raise DatasetError(f"{where}: no [[questions.answers]]")
        for an, a in enumerate(answers, start=1):
            flat = {k: q.get(k) for k in _QUESTION_FIELDS}
            flat.update(question_id=q.get("id"), question=q.get("text"))
            flat.update(id=a.get("id"), answer=a.get("text"), category=a.get("category"), grades=a.get("grades"))
            if "subtype" in a:
                flat["subtype"] = a["subtype"]
            extra = set(a) - {"id", "text", "category", "subtype", "grades"}
            if extra:
                raise DatasetError(f"{where}.answers[{an}]: unknown field(s) {', '.join(sorted(extra))}")
            yield f"{where}.answers[{an}] ({a.get('id', '?')})", flat


def _flatten_jsonl(text: str) -> Iterable[tuple[str, dict[str, Any]]]:
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"line {n}: not JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise DatasetError(f"line {n}: expected a JSON object")
        obj.setdefault("question_id", obj.get("question"))
        yield f"line {n} ({obj.get('id', '?')})", obj


def load_dataset(path: Path = DEFAULT_DATASET) -> list[Item]:
    """All items of the file, validated; raises DatasetError naming the file, the item and the problem."""
    try:
        if path.suffix == ".toml":
            with path.open("rb") as fh:
                raw = list(_flatten_toml(tomllib.load(fh)))
        elif path.suffix == ".jsonl":
            raw = list(_flatten_jsonl(path.read_text(encoding="utf-8")))
        else:
            raise DatasetError("expected a .toml or .jsonl file")
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DatasetError(f"{path}: {exc}") from None
    except DatasetError as exc:
        raise DatasetError(f"{path}: {exc}") from None
    items: list[Item] = []
    seen: set[str] = set()
    for where, obj in raw:
        try:
            item = Item.model_validate(obj)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "item"
            raise DatasetError(f"{path}: {where}: {field}: {first['msg']}") from None
        if item.id in seen:
            raise DatasetError(f"{path}: {where}: duplicate id {item.id!r}")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise DatasetError(f"{path}: no items")
    return items


def balanced_subset(items: list[Item], limit: int | None) -> list[Item]:
    """At most `limit` items (`None`: all of them): whole questions (every answer to one question, so ordering stays
    measurable), taken alternately from each language in file order — so a time-boxed run that stops early has
    scored both languages and every role it reached, not the first role of the file."""
    limit = len(items) if limit is None else limit
    by_lang: dict[str, list[list[Item]]] = {}
    for item in items:
        questions = by_lang.setdefault(item.lang, [])
        if not questions or questions[-1][0].question_id != item.question_id:
            questions.append([])
        questions[-1].append(item)
    picked: list[Item] = []
    queues = list(by_lang.values())
    while len(picked) < limit and any(queues):
        for queue in queues:
            if queue and len(picked) < limit:
                picked.extend(queue.pop(0)[: limit - len(picked)])
    return picked
