"""What the evaluator model must return. Small, flat, every field required, lengths bounded: the JSON schema is
compiled to a grammar on the server (keep it simple) and every reply is validated here again anyway."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

CRITERIA = ("relevance", "depth", "structure", "clarity", "evidence")

# Sized to what the report shows (issue 19, "fewer tokens"): every generated character is decode time on the CPU
# evaluator, and Korean costs SOLAR's tokenizer ~3.6x the tokens of English. Per answer the report shows the scores,
# a short list of strengths and of improvements (the interview report then picks its top 3 from all answers'
# points) and a model answer of a few sentences. The bounds are compiled into the server's grammar (maxLength /
# maxItems), so a reply cannot outgrow them; measured before/after in docs/benchmarks/production.md.
POINT_MAX_CHARS = 160  # one specific sentence
POINTS_MAX_ITEMS = 2  # per answer; 5 answers give the report 10 of each to pick its top 3 from
MODEL_ANSWER_MAX_CHARS = 480  # "at most 70 words" in the prompt: ~420 characters of English, fewer of Korean

Score = Annotated[int, Field(ge=1, le=5)]
# Text starts with a letter (Latin or Hangul) and holds no double quote, backslash or line break. The pattern goes into
# the server's grammar: measured on the bundled SmolLM2, every reply looped "1. 1. 1. …" inside the first strength
# until the token cap (docs/benchmarks/quality.md); a point that must start with a word cannot, and the reply ends.
# Quotes and backslashes are left out because the grammar matches the pattern against the raw JSON text.
_TEXT = r'[^"\\\n\r\t]'
# No lower bound in the grammar: with one (16 / 40 characters) SmolLM2 looped again ("strengths1: 1. 1. 1. …");
# too-short and echoed points are the content checks' job (worker/evaluation/content.py).
POINT_MIN, POINT_MAX, MODEL_ANSWER_MIN, MODEL_ANSWER_MAX = 1, POINT_MAX_CHARS, 1, MODEL_ANSWER_MAX_CHARS
POINT_PATTERN = rf"^[A-Za-z가-힣]{_TEXT}{{{POINT_MIN - 1},{POINT_MAX - 1}}}$"
Point = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=POINT_MIN, max_length=POINT_MAX, pattern=POINT_PATTERN)
]


class EvaluationOutput(BaseModel):
    """One answer scored against the rubric."""

    model_config = ConfigDict(extra="forbid")

    relevance: Score = Field(description="1-5: does the answer address the question asked?")
    depth: Score = Field(description="1-5: technical accuracy and depth")
    structure: Score = Field(description="1-5: organisation, e.g. STAR (situation, task, action, result)")
    clarity: Score = Field(description="1-5: clear, concise communication")
    evidence: Score = Field(description="1-5: concrete examples, numbers, outcomes")
    overall_score: Score = Field(description="1-5 overall")
    strengths: list[Point] = Field(min_length=1, max_length=POINTS_MAX_ITEMS, description="what the answer did well")
    improvements: list[Point] = Field(min_length=1, max_length=POINTS_MAX_ITEMS, description="what to do better")
    model_answer: str = Field(
        min_length=MODEL_ANSWER_MIN,
        max_length=MODEL_ANSWER_MAX,
        pattern=rf"^[A-Za-z가-힣]{_TEXT}{{{MODEL_ANSWER_MIN - 1},{MODEL_ANSWER_MAX - 1}}}$",
        description="a concise model answer",
    )

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
