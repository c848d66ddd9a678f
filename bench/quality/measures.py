"""Text measures of generated interview questions (pure functions, unit-tested in tests/bench/test_quality.py).

The primitives are the product's own, so the harness judges a question as the question validator does:
character 4-gram shingles, similarity and overlap from `api.interviews.validation`, the Hangul word share from
`core.question_bank`.

- language: ko is adherent when at least 60 % of the words contain Hangul (`validation.KO_MIN_HANGUL_SHARE`:
  technical terms such as "Kafka" or "API" may stay in Latin script); en when no letter is Hangul or another
  letter-only script (category Lo) — the validator's rule;
- repeats and prompt leaks: shingles of the case- and punctuation-folded text — language-neutral (Korean particles
  attach to nouns, so words are a poor unit) and robust to small rewordings. A repeat is a question whose shingle
  set has Jaccard similarity ≥ 0.6 with an earlier question of the same interview; a leak is one where more than
  35 % of its shingles occur in the instructions the question model was given (both the validator's thresholds);
- reference to the previous answer: content words (below) that the question shares with the candidate's previous
  answer, not counting words that were already in the previous question or in the interview's role title (the
  model could have taken those from there). A question "refers to the answer" when it shares at least one.

Content words: lower-cased runs of letters/digits; Latin words of ≥ 3 letters not in a short stop list; Korean
words with a trailing particle (조사) removed, ≥ 2 syllables, not in a short stop list.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from api.interviews.validation import (
    ECHO_MAX_SHARE,
    KO_MIN_HANGUL_SHARE,
    REPEAT_MIN_SIMILARITY,
    normalise,
    overlap_share,
    shingles,
    similarity,
)
from core.question_bank import hangul_share, has_hangul

__all__ = ["hangul_share", "has_hangul", "normalise", "shingles", "similarity"]

LEAK_MIN_SHARE = ECHO_MAX_SHARE

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _wordlist(text: str) -> list[str]:
    return text.split()


# Longest first, so "에서는" is removed before "는".
_KO_PARTICLES = sorted(
    _wordlist(
        """은 는 이 가 을 를 에 의 로 으로 와 과 도 만 에서 에게 까지 부터 처럼 보다 이나 나 이라 라 이란 란
        에서는 에는 으로는 로는 과는 와는 이라는 라는 이고 하고 께서 한테 이며 며 요"""
    ),
    key=len,
    reverse=True,
)
_EN_STOP = frozenset(
    _wordlist(
        """the and for with that this what how why when where which who whom your you yours our ours their them
        they was were are is been being have has had does did doing can could would should will shall may might
        must not but about into from than then there here some any each other more most such very just also only
        over under again once both same own too out off all few nor its it's i'm i've tell describe explain give
        walk share talk time times example examples please let me my mine we us one two way ways thing things
        done make made like get got use used using work worked working question answer role team keep kept
        happen happens happened know want need"""
    )
)
_KO_STOP = frozenset(
    _wordlist(
        """그리고 그러면 그래서 하지만 그런데 또한 어떻게 어떤 무엇 무엇을 왜 언제 어디 누구
        이런 그런 저런 있는 없는 있습니다 했습니다 합니다 하는 하고 하면 해서 했던 그것
        이것 저것 우리 저는 제가 저희 당신 지원자 경험 말씀 주세요 해주세요 설명 질문 답변
        생각 때문 경우 정도 부분 이번 가장 했나요 있나요 있습니까 하셨나요 하시겠습니까"""
    )
)


def words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", text))


def language_adherent(text: str, lang: str) -> bool:
    if lang == "ko":
        return hangul_share(text) >= KO_MIN_HANGUL_SHARE
    return not (has_hangul(text) or any(unicodedata.category(c) == "Lo" for c in text))


def is_repeat(question: str, earlier: Iterable[str]) -> bool:
    norm = normalise(question)
    return any(normalise(e) == norm or similarity(question, e) >= REPEAT_MIN_SIMILARITY for e in earlier)


def leak_share(question: str, instructions: Iterable[str]) -> float:
    """Share of the question's shingles found in the instructions the model was given."""
    return overlap_share(question, set().union(*(shingles(t) for t in instructions)))


def leaks_prompt(question: str, instructions: Iterable[str]) -> bool:
    return leak_share(question, instructions) > LEAK_MIN_SHARE


def _strip_particle(word: str) -> str:
    for p in _KO_PARTICLES:
        if word.endswith(p) and len(word) - len(p) >= 2:
            return word[: -len(p)]
    return word


def content_words(text: str) -> set[str]:
    out: set[str] = set()
    for raw in words(text):
        w = raw.lower()
        if has_hangul(w):
            w = _strip_particle(w)
            if len(w) >= 2 and w not in _KO_STOP:
                out.add(w)
        elif w.isdigit():
            if len(w) >= 2:
                out.add(w)
        elif len(w) >= 3 and w not in _EN_STOP:
            out.add(w)
    return out


def shared_with_answer(question: str, answer: str, *, exclude: Iterable[str] = ()) -> set[str]:
    """Content words of `question` that come from `answer` and from none of the `exclude` texts (the previous
    question, the role title: words the model could have taken from there)."""
    known: set[str] = set().union(*(content_words(t) for t in exclude))
    return (content_words(question) & content_words(answer)) - known


def refers_to_answer(question: str, answer: str, *, exclude: Iterable[str] = ()) -> bool:
    return bool(shared_with_answer(question, answer, exclude=exclude))
