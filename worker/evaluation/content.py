"""Content checks on the evaluator's reply: the JSON schema guarantees the shape, not that the text says anything.

Seen from the local model and shown to candidates before these checks: strengths "1", "2", "3"; improvements that
repeat the rubric ("1-5: what is the improvement?"); loops of "e.g. for example"; English feedback in a Korean
interview; a summary cut off at "Your backgrou…". Any of these makes the reply bad output (`ContentRejected`, an
`LLMBadOutput` with a reason code): the caller retries it and finally stores the evaluation as failed with the
code (C3 `error_code`), never showing the text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from core.llm import LLMBadOutput, LLMError, LLMRequestError, LLMUnavailable
from core.question_bank import hangul_share, has_hangul

MIN_LETTERS = 4  # a strength or improvement needs words, not "1" or "-"
LOOP_NGRAM, LOOP_MIN_REPEATS = 4, 3  # the same 4 words three times in one text is a loop
MIN_DISTINCT_SHARE = 0.35  # of the words of a long text (≥ 24 words)
ECHO_SHINGLE, ECHO_MAX_SHARE = 5, 0.6
COPY_MAX_SHARE = 0.8  # of a model answer's 5-grams found in the candidate's own answer
KO_MIN_HANGUL_SHARE = 0.5  # over all feedback text: technical terms stay in Latin script
_WORD = re.compile(r"\w+", re.UNICODE)
_RUBRIC_ECHO = re.compile(r"^\s*\(?\d\s*[-–~]\s*\d\)?\s*[:.]|\b(?:0|1)\s*-\s*(?:5|100)\s*:", re.IGNORECASE)
_ENDS_SENTENCE = re.compile(r"[.!?。)\"'”’\]]\s*$|[다요죠까음함됨임]\s*[.!]?\s*$")

# error_code values (C3), for the UI to translate.
UNAVAILABLE, TIMEOUT, BAD_OUTPUT, DEGENERATE, WRONG_LANGUAGE, REJECTED = (
    "unavailable",
    "timeout",
    "bad_output",
    "degenerate",
    "wrong_language",
    "rejected",
)


class ContentRejected(LLMBadOutput):
    """The reply is well-formed but says nothing usable; `code` is degenerate or wrong_language."""

    def __init__(self, role: str, code: str, message: str) -> None:
        super().__init__(role, message)
        self.code = code
        # The rejected reply itself, for the quality harness's diagnostics only: never stored or shown.
        self.output: object | None = None


def error_code(exc: LLMError) -> str:
    """The C3 `error_code` for a failed attempt."""
    if isinstance(exc, ContentRejected):
        return exc.code
    if isinstance(exc, LLMUnavailable):
        return TIMEOUT if "timed out" in exc.message.lower() or "timeout" in exc.message.lower() else UNAVAILABLE
    if isinstance(exc, LLMRequestError):
        return REJECTED
    return BAD_OUTPUT


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _shingles(text: str, n: int = ECHO_SHINGLE) -> set[str]:
    norm = _norm(text).replace(" ", "")
    return {norm[i : i + n] for i in range(max(0, len(norm) - n + 1))}


def is_degenerate_point(text: str) -> bool:
    return sum(1 for c in text if c.isalpha()) < MIN_LETTERS


def is_loop(text: str) -> bool:
    words = _WORD.findall(text.lower())
    if len(words) >= LOOP_NGRAM * LOOP_MIN_REPEATS:
        grams = Counter(tuple(words[i : i + LOOP_NGRAM]) for i in range(len(words) - LOOP_NGRAM + 1))
        if grams.most_common(1)[0][1] >= LOOP_MIN_REPEATS:
            return True
    return len(words) >= 24 and len(set(words)) / len(words) < MIN_DISTINCT_SHARE


def is_cut_off(text: str) -> bool:
    """Ends mid-word or with an ellipsis: the model ran out of room (or gave up) mid-sentence."""
    stripped = text.rstrip()
    if stripped.endswith(("…", "...")):
        return True
    return len(stripped) > 40 and not _ENDS_SENTENCE.search(stripped)


def echoes(text: str, prompt_shingles: set[str], max_share: float = ECHO_MAX_SHARE) -> bool:
    if _RUBRIC_ECHO.search(text):
        return True
    own = _shingles(text)
    return bool(own) and len(own & prompt_shingles) / len(own) > max_share


def check(
    role: str,
    *,
    points: Mapping[str, Sequence[str]],
    prose: Mapping[str, str],
    language: str,
    prompt_texts: Iterable[str],
    candidate_text: str = "",
) -> None:
    """Raise ContentRejected for the first problem found. `points` are short list items (strengths …),
    `prose` are sentences (model answer, summary); `prompt_texts` is what the model was told (not to be echoed,
    anchors included); `candidate_text` is the answer being scored (a "model answer" that copies it is none)."""
    prompt_shingles: set[str] = set().union(*(_shingles(t) for t in prompt_texts))
    candidate_shingles = _shingles(candidate_text) if candidate_text.strip() else set()
    for field, items in points.items():
        seen: set[str] = set()
        for item in items:
            if is_degenerate_point(item):
                raise ContentRejected(role, DEGENERATE, f"{field}: an item with no words")
            if _norm(item) in seen:
                raise ContentRejected(role, DEGENERATE, f"{field}: the same item twice")
            seen.add(_norm(item))
            if echoes(item, prompt_shingles):
                raise ContentRejected(role, DEGENERATE, f"{field}: repeats the instructions")
            if is_loop(item):
                raise ContentRejected(role, DEGENERATE, f"{field}: repeats itself")
    for field, text in prose.items():
        if is_loop(text):
            raise ContentRejected(role, DEGENERATE, f"{field}: repeats itself")
        if echoes(text, prompt_shingles):
            raise ContentRejected(role, DEGENERATE, f"{field}: repeats the instructions")
        if is_cut_off(text):
            raise ContentRejected(role, DEGENERATE, f"{field}: cut off mid-sentence")
        if candidate_shingles and echoes(text, candidate_shingles, COPY_MAX_SHARE):
            raise ContentRejected(role, DEGENERATE, f"{field}: copies the candidate's answer")
    everything = " ".join([*(i for items in points.values() for i in items), *prose.values()])
    if language == "ko" and hangul_share(everything) < KO_MIN_HANGUL_SHARE:
        raise ContentRejected(role, WRONG_LANGUAGE, "the feedback is not in Korean")
    if language == "en" and has_hangul(everything):
        raise ContentRejected(role, WRONG_LANGUAGE, "the feedback is not in English")
