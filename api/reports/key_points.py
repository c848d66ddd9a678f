"""Which of a bank question's key points an answer touched — without the LLM, so the report has useful feedback even
when no evaluator is available (or its output was rejected).

Lexical match with Korean-aware normalisation: a key point's content words (stop words dropped; Korean particles
and endings stripped from each word, so "윈도우를" and "윈도우" meet; English words compared by a shared prefix, so
"retries"/"retry" and "invalidation"/"invalidate" meet) are looked up in the answer; the point counts as covered
when at least half of them occur. Measured on a hand-labelled set (tests/fixtures/key_points_labelled.json, see
tests/api/test_key_points.py for the figures): it catches a point named in the answer's own words, and misses one
paraphrased with none of them (e.g. "2PC" for "two-phase commit") — shown as practice feedback, never a score.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

COVERED_MIN_SHARE = 0.4
EN_MIN_PREFIX = 4
MIN_PREFIX_SHARE = 0.7

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Longest first: particles and common verb endings that attach to a Korean word.
_KO_SUFFIXES = sorted(
    [
        "은",
        "는",
        "이",
        "가",
        "을",
        "를",
        "에",
        "에서",
        "에게",
        "으로",
        "로",
        "과",
        "와",
        "의",
        "도",
        "만",
        "까지",
        "부터",
        "처럼",
        "보다",
        "이나",
        "나",
        "랑",
        "이랑",
        "하고",
        "하는",
        "하고",
        "해서",
        "했고",
        "했습니다",
        "합니다",
        "했어요",
        "해요",
        "하며",
        "하여",
        "한",
        "할",
        "함",
        "된",
        "되는",
        "되어",
        "돼서",
        "됩니다",
        "했던",
        "적인",
        "적으로",
        "들",
        "들을",
        "들이",
        "들의",
        "인지",
        "인가",
        "이고",
        "이며",
        "입니다",
        "였습니다",
        "이었습니다",
        "라고",
        "라는",
    ],
    key=len,
    reverse=True,
)
_STOP = frozenset(
    (
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "by",
        "from",
        "at",
        "as",
        "is",
        "are",
        "be",
        "was",
        "were",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "their",
        "they",
        "them",
        "how",
        "what",
        "why",
        "when",
        "which",
        "who",
        "do",
        "does",
        "did",
        "you",
        "your",
        "we",
        "our",
        "i",
        "my",
        "me",
        "not",
        "no",
        "into",
        "over",
        "under",
        "about",
        "e",
        "g",
        "eg",
        "etc",
        "vs",
        "versus",
        "than",
        "then",
        "there",
        "here",
        "each",
        "every",
        "any",
        "some",
        "more",
        "most",
        "less",
        "one",
        "two",
        "first",
        "및",
        "등",
        "그",
        "이",
        "저",
        "것",
        "수",
        "때",
        "더",
        "또는",
        "또",
        "각",
        "왜",
        "어떻게",
        "무엇",
        "여부",
    )
)


def _ko_stem(word: str) -> str:
    for suffix in _KO_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            return word[: -len(suffix)]
    return word


def terms(text: str) -> list[str]:
    """Content words of `text`, normalised (NFKC, lower case, Korean particles stripped), in order, distinct."""
    out: list[str] = []
    for token in _TOKEN.findall(unicodedata.normalize("NFKC", text).lower()):
        word = _ko_stem(token) if _HANGUL.search(token) else token
        if word in _STOP or (len(word) < 2 and not word.isdigit()) or word in out:
            continue
        out.append(word)
    return out


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    shorter = min(len(a), len(b))
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    minimum = 2 if _HANGUL.search(a) else EN_MIN_PREFIX
    return common >= minimum and common >= MIN_PREFIX_SHARE * shorter


def covered(key_point: str, answer_terms: Sequence[str]) -> bool:
    wanted = terms(key_point)
    if not wanted:
        return False
    found = sum(1 for w in wanted if any(_same(w, a) for a in answer_terms))
    return found / len(wanted) >= COVERED_MIN_SHARE


def coverage(key_points: Sequence[str], answer: str | None) -> list[dict[str, object]]:
    """C3 `key_points`: [{"text", "covered"}] for each key point, in the bank's order."""
    answer_terms = terms(answer or "")
    return [{"text": point, "covered": bool(answer_terms) and covered(point, answer_terms)} for point in key_points]
