"""Speaking pace, filler words and long pauses, computed from an answer's text and transcript timings.

Korean pace is counted in syllables (Hangul syllable blocks) per minute — words are a poor unit for Korean, where
particles attach to nouns; English in words per minute. Fillers are counted as standalone tokens only, so "그" in
"그래서" or "like" in "I like Go" is not a filler (English "like" counts only when set off by commas).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

LONG_PAUSE_S = 2.0

_KO_FILLERS = ("음", "어", "그", "저", "뭐")
_EN_FILLER_PATTERNS = [  # elongated spellings from STT ("ummm", "uhh") count as the base filler
    ("um", re.compile(r"u+m+")),
    ("uh", re.compile(r"u+h+")),
    ("erm", re.compile(r"e+r+m+")),
    ("hmm", re.compile(r"h+m+")),
]
_WORD = re.compile(r"[\w']+", re.UNICODE)
_HANGUL_SYLLABLE = re.compile(r"[\uac00-\ud7a3]")
# Elongated Korean fillers ("음…", "어어", "으음") normalise to their base form.
_KO_FILLER_TOKEN = re.compile(r"^(으?음+|어+|그+|저+|뭐+)$")
_EN_YOU_KNOW = re.compile(r"\byou know\b[,.]?", re.IGNORECASE)
_EN_LIKE_FILLER = re.compile(r"(?:^|,)\s*like\s*,", re.IGNORECASE)


@dataclass(frozen=True)
class Timing:
    start_s: float
    end_s: float


def _ko_base(token: str) -> str | None:
    if not _KO_FILLER_TOKEN.match(token):
        return None
    if "음" in token:
        return "음"
    return token[0]


def count_fillers(text: str, language: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    tokens = _WORD.findall(text)
    if language == "ko":
        for token in tokens:
            base = _ko_base(token)
            if base in _KO_FILLERS:
                counts[base] += 1
    for token in tokens:
        low = token.lower()
        for base, pattern in _EN_FILLER_PATTERNS:
            if pattern.fullmatch(low):
                counts[base] += 1
                break
    you_know = len(_EN_YOU_KNOW.findall(text))
    if you_know:
        counts["you know"] += you_know
    like = len(_EN_LIKE_FILLER.findall(text))
    if like:
        counts["like"] += like
    return counts


def long_pauses(segments: Sequence[Timing], threshold_s: float = LONG_PAUSE_S) -> int:
    ordered = sorted(segments, key=lambda s: s.start_s)
    return sum(1 for prev, nxt in itertools.pairwise(ordered) if nxt.start_s - prev.end_s >= threshold_s)


def compute(
    text: str,
    language: str,
    duration_s: float | None,
    segments: Sequence[Timing] = (),
) -> dict[str, Any]:
    words = len(_WORD.findall(text))
    syllables = len(_HANGUL_SYLLABLE.findall(text))
    fillers = count_fillers(text, language)
    minutes = (duration_s or 0.0) / 60.0
    return {
        "words": words,
        "syllables": syllables,
        "duration_s": round(duration_s, 2) if duration_s else None,
        "wpm": round(words / minutes, 1) if minutes > 0 else None,
        "spm": round(syllables / minutes, 1) if minutes > 0 and syllables else None,
        "fillers": dict(fillers),
        "filler_count": sum(fillers.values()),
        "long_pauses": long_pauses(segments),
    }
