"""Limits on a WebRTC offer, shared by the API (which refuses early, before proxying) and the media server (which
negotiates it with aiortc): one microphone, at most one camera, nothing else, in a bounded text.

aiortc negotiates every m-line of an offer, each with its own ICE/DTLS transport unless bundled: the probe's 500
m-line offer took 13.5 s bundled and longer than the API's patience unbundled. A browser's offer for this app has
one audio and at most one video section and is a few KB.
"""

from __future__ import annotations

from collections import Counter

MAX_SDP_CHARS = 32_768
MEDIA_SECTION_LIMITS = {"audio": 1, "video": 1}


def media_sections_problem(sdp: str) -> str | None:
    """Why the offer's media sections are not acceptable, or None. Works on the raw text, before any parser."""
    kinds = Counter(line[2:].split(" ", 1)[0] for line in sdp.splitlines() if line.startswith("m="))
    if not kinds:
        return "malformed SDP offer: no media sections"
    other = sorted(set(kinds) - MEDIA_SECTION_LIMITS.keys())
    if other:
        return f"the offer has {', '.join(other)} media: only a microphone and a camera are accepted"
    for kind, limit in MEDIA_SECTION_LIMITS.items():
        if kinds[kind] > limit:
            return f"the offer has {kinds[kind]} {kind} tracks: at most {limit} is accepted"
    return None
