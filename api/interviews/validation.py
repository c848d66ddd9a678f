"""Is the question model's output a question we can show? Every generated question passes these checks before a
single character of it reaches the candidate or the database (question_stream.py streams from a validated buffer).

The rules came from real outputs of the local model (tests/fixtures/question_outputs.json): the model restating
its own instructions, listing the job description's keywords, writing English in a Korean interview, asking three
questions at once, answering its own question, or repeating an earlier one. Each rule has a reason code, stored
with the question's metadata when an output is rejected (and counted by the quality harness).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.question_bank import hangul_share, has_hangul

MIN_QUESTION_CHARS = 12
MAX_QUESTION_CHARS = 400  # with the token cap (QUESTION_MAX_TOKENS) a rambling model is cut long before this
MAX_SENTENCES = 3  # a short lead-in ("You mentioned X.") and the question
KO_MIN_HANGUL_SHARE = 0.6  # words with Hangul; technical terms ("Kafka", "API") stay in Latin script
ECHO_MAX_SHARE = 0.35  # share of the question's 4-grams found in the instructions / job description / résumé
REPEAT_MIN_SIMILARITY = 0.6  # Jaccard similarity of 4-gram sets with an earlier question
SHINGLE = 4


class QuestionRejected(ValueError):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code, self.reason = code, reason


_LEADING_LABEL = re.compile(
    r"^\s*(?:\*\*)?(?:question|interviewer|질문|면접관|q)\s*\d*\s*(?:\([^)]*\))?\s*[:.)\-]\s*(?:\*\*)?\s*",
    re.IGNORECASE,
)
_QUOTES = "\"'“”‘’`「」『』"
_PREAMBLE = re.compile(
    r"^(?:(?:sure|certainly|of course|okay|here(?:'s| is| are)|as an? (?:ai|interviewer|language model)|"
    r"i(?:'m| am) (?:an? )?(?:ai|interviewer|language model)|you(?:'re| are) (?:an? )?(?:experienced|interviewer))\b|"
    r"i(?:'m| am| have| want| was)\b|what a great question|"
    r"a\s*\d*\s*:|answer\s*:|답변\s*:|물론|네[,.!]|좋습니다|알겠습니다|다음은|당신은)",
    re.IGNORECASE,
)
_META = re.compile(
    r"\b(?:ask exactly|one question per turn|reply with the question|no preamble|job_description|<\/?\w+>|"
    r"mock interview|this is question \d|candidate's (?:most recent )?answer)\b|질문만 답하세요|모의 면접|"
    r"물어보세요|질문하세요|질문 ?처리|꼬리 ?질문|기본 ?질문|다시 쓰세요|답하세요|한국어로",
    re.IGNORECASE,
)
_LIST_ITEM = re.compile(r"(?:^|\n)\s*(?:\d+[.)]|[-*•])\s+")
_SENTENCE_BREAK = re.compile(r"(?<=[.?!。？！])\s+(?=[A-Z\uac00-\ud7a3\"'“(])")
# A Korean question ends as a question, or as a polite request to tell ("…해 주세요", "…해 주시겠어요"); a bare
# imperative ("유지하세요", "답하세요") or any sentence ending in 요 is not one (the local model wrote "…는
# 유지하세요." and it passed as a question).
_KO_ASKING_END = re.compile(r"(?:까요|나요|가요|습니까|죠|래요|주세요|주시겠어요|주십시오|싶습니다|바랍니다)[.?!]?$")
SELF_REPEAT_SHARE = 0.6  # of the shorter sentence's shingles found in another sentence of the same output
_EN_IMPERATIVE = re.compile(
    r"^(?:tell|describe|walk|explain|give|share|talk|take|show|outline|compare|design|imagine|suppose|use|include|"
    r"name|mention|pick|sketch|list|estimate|propose|suggest|consider|think|"
    r"could|can|would|how|what|why|when|where|which|who|have|did|do|are|is)\b",
    re.IGNORECASE,
)
_WS = re.compile(r"\s+")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def clean(raw: str) -> str:
    """The model's reply as a candidate question: labels, quotes, markdown and extra space removed."""
    text = unicodedata.normalize("NFC", raw).replace("\x00", "").strip()
    text = text.strip(_QUOTES + "* ").strip()
    text = _LEADING_LABEL.sub("", text)
    text = text.strip(_QUOTES + "* ").strip()
    return _WS.sub(" ", text).strip()


def normalise(text: str) -> str:
    """Case, punctuation and space folded away: for comparing questions, not for showing them."""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text).lower())


def shingles(text: str, n: int = SHINGLE) -> set[str]:
    """Character n-grams of the normalised text — language-neutral (Korean has no reliable word boundaries for
    this, particles attach to nouns) and robust to small rewordings."""
    norm = normalise(text)
    if len(norm) <= n:
        return {norm} if norm else set()
    return {norm[i : i + n] for i in range(len(norm) - n + 1)}


def overlap_share(text: str, source: set[str]) -> float:
    """Share of `text`'s shingles that also occur in `source`."""
    own = shingles(text)
    return len(own & source) / len(own) if own else 0.0


def similarity(a: str, b: str) -> float:
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


@dataclass(frozen=True)
class QuestionContext:
    """What an output is checked against: the interview's language, the instruction text the model was given
    (never to be echoed), the candidate's JD/résumé (to be used, not recited) and the questions already asked."""

    language: str
    instructions: Sequence[str]
    context: Sequence[str] = ()
    asked: Sequence[str] = ()

    def instruction_shingles(self) -> set[str]:
        return set().union(*(shingles(t) for t in self.instructions)) if self.instructions else set()

    def context_shingles(self) -> set[str]:
        return set().union(*(shingles(t) for t in self.context if t.strip())) if self.context else set()


def _sentences(text: str) -> list[str]:
    """Split where a sentence mark is followed by space and a new sentence ("3 a.m. for" is one sentence)."""
    return [s.strip() for s in _SENTENCE_BREAK.split(text) if s.strip()]


def _asks(sentence: str, language: str) -> bool:
    if language == "ko":
        return _KO_ASKING_END.search(sentence.rstrip()) is not None
    return _EN_IMPERATIVE.match(sentence) is not None


def _check_form(text: str, language: str) -> None:
    if len(text) < MIN_QUESTION_CHARS:
        raise QuestionRejected("too_short", f"{len(text)} characters")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionRejected("too_long", f"{len(text)} characters (at most {MAX_QUESTION_CHARS})")
    if _LIST_ITEM.search(text) or text.count(",") > 8:
        raise QuestionRejected("not_a_question", "a list, not one question")
    if _PREAMBLE.match(text):
        raise QuestionRejected("preamble", "starts with a preamble or talks about itself")
    if _META.search(text):
        raise QuestionRejected("echo_instructions", "mentions the prompt's instructions")
    if text.count("?") + text.count("？") > 1:
        raise QuestionRejected("several_questions", "asks more than one question")
    sentences = _sentences(text)
    if len(sentences) > MAX_SENTENCES:
        raise QuestionRejected("not_a_question", f"{len(sentences)} sentences")
    for i, one in enumerate(sentences):
        for other in sentences[i + 1 :]:
            short, long_ = sorted((one, other), key=len)
            if overlap_share(short, shingles(long_)) >= SELF_REPEAT_SHARE:
                raise QuestionRejected("not_a_question", "repeats itself")
    last = sentences[-1] if sentences else text
    if "?" in text or "？" in text:
        # After the question only a short request may follow ("Give an example."), never an answer or notes.
        if not last.rstrip().endswith(("?", "？")) and not (len(last.split()) <= 16 and _asks(last, language)):
            raise QuestionRejected("not_a_question", "text after the question (an answer or notes?)")
    elif not _asks(last, language):
        raise QuestionRejected("not_a_question", "does not ask or request anything")


def _rare_syllables(text: str) -> list[str]:
    """Hangul syllables outside KS X 1001's 2,350 (EUC-KR's two-byte codes; Python spells the others as 8-byte
    jamo make-up sequences): everyday Korean, and every question in the bank, uses only those; a small model's
    garbled Korean ("…에도몠(판도)에 전비한방칭으로…") does not."""
    return [ch for ch in text if "\uac00" <= ch <= "\ud7a3" and len(ch.encode("euc-kr")) != 2]


def _check_language(text: str, language: str) -> None:
    if language == "ko":
        share = hangul_share(text)
        if share < KO_MIN_HANGUL_SHARE:
            raise QuestionRejected("wrong_language", f"{share:.0%} of words in Korean")
        if rare := _rare_syllables(text):
            raise QuestionRejected("garbled", f"not well-formed Korean (rare syllables {''.join(rare)!r})")
    elif has_hangul(text) or any(unicodedata.category(c) == "Lo" for c in text):
        raise QuestionRejected("wrong_language", "not English")


def check_prefix(text: str, ctx: QuestionContext) -> None:
    """The checks that already hold for the start of an output (cheap to run while it streams): a reply that
    fails them can be abandoned before it is complete."""
    text = clean(text)
    if not text:
        return
    if _PREAMBLE.match(text):
        raise QuestionRejected("preamble", "starts with a preamble or talks about itself")
    if _META.search(text):
        raise QuestionRejected("echo_instructions", "mentions the prompt's instructions")
    if len(text) >= 24:
        _check_language(text, ctx.language)


def validate(raw: str, ctx: QuestionContext, *, truncated: bool = False) -> str:
    """The cleaned question, or QuestionRejected with the first rule it breaks."""
    text = clean(raw)
    if truncated:
        raise QuestionRejected("too_long", "cut off at the token limit")
    _check_form(text, ctx.language)
    _check_language(text, ctx.language)
    if overlap_share(text, ctx.instruction_shingles()) > ECHO_MAX_SHARE:
        raise QuestionRejected("echo_instructions", "restates the instructions")
    if overlap_share(text, ctx.context_shingles()) > ECHO_MAX_SHARE * 2:
        raise QuestionRejected("echo_context", "recites the job description or résumé")
    norm = normalise(text)
    for earlier in ctx.asked:
        if normalise(earlier) == norm or similarity(text, earlier) >= REPEAT_MIN_SIMILARITY:
            raise QuestionRejected("repeat", "repeats an earlier question")
    return text


def reason_counts(codes: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for code in codes:
        counts[code] = counts.get(code, 0) + 1
    return counts
