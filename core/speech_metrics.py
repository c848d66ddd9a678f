"""Speaking pace, filler words and long pauses of a SPOKEN answer, from its transcript text and timings.

Only spoken answers have a pace: a typed answer has no speaking time (its "duration" is the time the box was
open), so the API stores `{}` for it and the report's overall pace averages spoken answers only.

Korean pace is counted in syllables (Hangul syllable blocks) per minute — words are a poor unit for Korean, where
particles attach to nouns; English in words per minute. The speaking time is the transcript's span when the
speech-to-text segments are known (the candidate may click "done" long after they stopped), else the answer's
start/end; a pace no human speaks at (a clock or STT glitch) is left out rather than shown.

Fillers need context, because every Korean filler is also an ordinary word: "그" is "that" in "그 결과", "저" is
"I" in "저 는", "뭐" is "what" in "뭐 하셨어요". So:
- "음", "어", "아", "으음" (standalone tokens) are hesitation sounds: always fillers;
- "그", "저", "뭐" are fillers only when set off by a pause — followed by a comma, an ellipsis, a full stop or the
  end of the text, or another filler — or drawn out ("그으", "저어");
- "그러니까", "약간", "이제" are fillers only when a comma follows ("그러니까, " / "이제, ").
English: "um", "uh", "erm", "hmm" (and elongations) always; "like", "you know", "I mean" only when set off by
commas ("it was, like, slow", "you know, the cache"), so "I like Go" and "do you know Kafka" are not fillers.
Measured on a hand-labelled set of real sentences in tests/core/test_speech_metrics.py.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

LONG_PAUSE_S = 2.0
MAX_WPM = 400.0  # faster than any speaker (auctioneers reach ~250–400): a timing error, not a pace
MAX_SPM = 900.0  # Korean: fast speech is ~400–450 syllables/min

_WORD = re.compile(r"[\w']+", re.UNICODE)
_HANGUL_SYLLABLE = re.compile(r"[\uac00-\ud7a3]")

# Korean: a token with what follows it up to the next token (punctuation = a pause in the transcript).
_KO_TOKEN = re.compile(r"([\w']+)([^\w']*)", re.UNICODE)
_KO_HESITATION = re.compile(r"^(?:으*음+|어+|아+)$")  # 음, 으음, 음음, 어, 어어, 아
_KO_DEMONSTRATIVE = re.compile(r"^(그|저|뭐)(\1|으+|어+)*$")  # 그, 그그, 그으, 저어, 뭐어
_KO_DISCOURSE = ("그러니까", "약간", "이제")
_PAUSE = re.compile(r"^\s*[,，.…?!—-]")  # a comma, ellipsis, dash or sentence end after the token

_EN_FILLER_PATTERNS = [  # elongated spellings from STT ("ummm", "uhh") count as the base filler
    ("um", re.compile(r"u+m+")),
    ("uh", re.compile(r"u+h+")),
    ("erm", re.compile(r"e+r+m+")),
    ("hmm", re.compile(r"h+m+")),
]
# "like" / "you know" / "I mean" as fillers: set off by commas (or opening a sentence with a comma after them).
_EN_PHRASES = [
    ("like", re.compile(r"(?:^|[,.;]|\b(?:was|is|it's|just))\s*like\s*,", re.IGNORECASE)),
    ("you know", re.compile(r"(?:^|[,.;])\s*you know\s*[,.]", re.IGNORECASE)),
    ("I mean", re.compile(r"(?:^|[,.;])\s*I mean\s*,", re.IGNORECASE)),
]


@dataclass(frozen=True)
class Timing:
    start_s: float
    end_s: float


def _ko_fillers(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    tokens = [(m.group(1), m.group(2)) for m in _KO_TOKEN.finditer(text)]
    for i, (token, after) in enumerate(tokens):
        nxt = tokens[i + 1][0] if i + 1 < len(tokens) else None
        paused = nxt is None or _PAUSE.match(after) is not None
        if _KO_HESITATION.match(token):
            counts["음" if "음" in token else token[0]] += 1
        elif m := _KO_DEMONSTRATIVE.match(token):
            drawn_out = len(token) > 1
            before_filler = nxt is not None and (
                _KO_HESITATION.match(nxt) is not None or _KO_DEMONSTRATIVE.match(nxt) is not None
            )
            if drawn_out or paused or (before_filler and not after.strip()):
                counts[m.group(1)] += 1
        elif token in _KO_DISCOURSE and after.strip().startswith((",", "，")):
            counts[token] += 1
    return counts


def count_fillers(text: str, language: str) -> Counter[str]:
    counts: Counter[str] = _ko_fillers(text) if language == "ko" else Counter()
    for token in _WORD.findall(text):
        low = token.lower()
        for base, pattern in _EN_FILLER_PATTERNS:
            if pattern.fullmatch(low):
                counts[base] += 1
                break
    for name, pattern in _EN_PHRASES:
        found = len(pattern.findall(text))
        if found:
            counts[name] += found
    return counts


def long_pauses(segments: Sequence[Timing], threshold_s: float = LONG_PAUSE_S) -> int:
    ordered = sorted(segments, key=lambda s: s.start_s)
    return sum(1 for prev, nxt in itertools.pairwise(ordered) if nxt.start_s - prev.end_s >= threshold_s)


def speaking_time_s(duration_s: float | None, segments: Sequence[Timing]) -> float | None:
    """The transcript's span when known (from the first word to the last), else the answer's start-to-end."""
    if segments:
        span = max(s.end_s for s in segments) - min(s.start_s for s in segments)
        if span > 0:
            return span
    return duration_s if duration_s and duration_s > 0 else None


def compute(
    text: str,
    language: str,
    duration_s: float | None,
    segments: Sequence[Timing] = (),
) -> dict[str, Any]:
    """Metrics of a spoken answer (callers store `{}` for typed answers)."""
    words = len(_WORD.findall(text))
    syllables = len(_HANGUL_SYLLABLE.findall(text))
    fillers = count_fillers(text, language)
    seconds = speaking_time_s(duration_s, segments)
    minutes = (seconds or 0.0) / 60.0
    wpm = words / minutes if minutes > 0 else None
    spm = syllables / minutes if minutes > 0 and syllables else None
    if (wpm is not None and wpm > MAX_WPM) or (spm is not None and spm > MAX_SPM):
        wpm = spm = None  # impossible pace: the timing is wrong, so say nothing about pace
    return {
        "words": words,
        "syllables": syllables,
        "duration_s": round(seconds, 2) if seconds else None,
        "wpm": round(wpm, 1) if wpm is not None else None,
        "spm": round(spm, 1) if spm is not None else None,
        "fillers": dict(fillers),
        "filler_count": sum(fillers.values()),
        "long_pauses": long_pauses(segments),
    }
