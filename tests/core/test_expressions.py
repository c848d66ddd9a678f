"""Expression aggregates for the report: distribution, face-present ratio, confidences and the timeline."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.expressions import EMOTION_LABELS, summarize_expressions

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@dataclass
class Q:
    position: int
    created_at: datetime
    id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass
class S:
    captured_at: datetime
    question_id: uuid.UUID | None
    face_found: bool
    dominant: str | None = None
    scores: dict[str, Any] = field(default_factory=dict)
    detector_confidence: float | None = None


def face(at: float, qid: uuid.UUID | None, dominant: str, p: float) -> S:
    rest = (1 - p) / 6
    scores = {label: (p if label == dominant else rest) for label in EMOTION_LABELS}
    return S(T0 + timedelta(seconds=at), qid, True, dominant, scores, 0.9)


def no_face(at: float, qid: uuid.UUID | None) -> S:
    return S(T0 + timedelta(seconds=at), qid, False)


def test_per_question_and_interview_aggregates() -> None:
    q1, q2 = Q(1, T0), Q(2, T0 + timedelta(seconds=60))
    samples = [
        face(2, q1.id, "happy", 0.8),
        face(4, q1.id, "happy", 0.6),
        face(6, q1.id, "neutral", 0.7),
        no_face(8, q1.id),
        face(62, q2.id, "neutral", 0.9),
        no_face(64, q2.id),
    ]
    summary = summarize_expressions(samples, [q2, q1])
    json.dumps(summary)  # JSON-serialisable as stored in reports.expression_summary

    whole = summary["interview"]
    assert whole["samples"] == 6
    assert whole["face_samples"] == 4
    assert whole["face_present_ratio"] == pytest.approx(4 / 6, abs=1e-4)
    assert whole["distribution"]["happy"] == 0.5
    assert whole["distribution"]["neutral"] == 0.5
    assert sum(whole["distribution"].values()) == pytest.approx(1.0)
    assert whole["mean_confidence"] == pytest.approx((0.8 + 0.6 + 0.7 + 0.9) / 4, abs=1e-4)
    assert whole["mean_detector_confidence"] == pytest.approx(0.9)

    first, second = summary["questions"]
    assert first["question_id"] == str(q1.id)
    assert (first["start_s"], first["end_s"]) == (0.0, 60.0)
    assert first["dominant"] == "happy"
    assert first["face_present_ratio"] == 0.75
    assert second["end_s"] is None
    assert second["dominant"] == "neutral"
    assert second["face_present_ratio"] == 0.5
    assert summary["question_marks"] == [
        {"question_id": str(q1.id), "position": 1, "t_s": 0.0},
        {"question_id": str(q2.id), "position": 2, "t_s": 60.0},
    ]


def test_timeline_is_aligned_and_never_invents_expressions() -> None:
    q1, q2 = Q(1, T0), Q(2, T0 + timedelta(seconds=30))
    samples = [face(10, None, "sad", 0.5), no_face(12, q1.id), face(31, None, "surprise", 0.7)]
    summary = summarize_expressions(samples, [q1, q2])
    timeline = summary["timeline"]
    assert [p["t_s"] for p in timeline] == [10.0, 12.0, 31.0]
    # Samples without a question id are attributed by time to the question on screen.
    assert [p["question_id"] for p in timeline] == [str(q1.id), str(q1.id), str(q2.id)]
    assert timeline[1] == {"t_s": 12.0, "question_id": str(q1.id), "face_found": False, "dominant": None, "score": None}
    assert timeline[2]["dominant"] == "surprise"
    assert timeline[2]["score"] == 0.7


def test_no_samples_and_no_faces() -> None:
    q1 = Q(1, T0)
    empty = summarize_expressions([], [q1])
    assert empty["interview"]["samples"] == 0
    assert empty["interview"]["face_present_ratio"] is None
    assert empty["interview"]["dominant"] is None
    assert empty["timeline"] == []
    only_misses = summarize_expressions([no_face(1, q1.id), no_face(3, q1.id)], [q1])
    stats = only_misses["interview"]
    assert stats["face_present_ratio"] == 0.0
    assert stats["dominant"] is None
    assert stats["mean_confidence"] is None
    assert all(v == 0.0 for v in stats["distribution"].values())
    assert all(v is None for v in stats["mean_scores"].values())


def test_samples_before_any_question_are_reported_apart() -> None:
    q1 = Q(1, T0 + timedelta(seconds=20))
    summary = summarize_expressions([face(5, None, "fear", 0.6), face(25, None, "happy", 0.9)], [q1])
    assert summary["unassigned"]["samples"] == 1
    assert summary["questions"][0]["samples"] == 1
    assert summary["timeline"][0]["t_s"] == 0.0  # the interview starts at its first sample here


def test_long_timelines_are_bucketed() -> None:
    q1 = Q(1, T0)
    samples = [face(i * 2, q1.id, "happy" if i % 3 else "neutral", 0.6) for i in range(1500)]
    summary = summarize_expressions(samples, [q1], max_points=300)
    timeline = summary["timeline"]
    assert len(timeline) == 300
    assert all(p["dominant"] == "happy" for p in timeline)
    assert timeline == sorted(timeline, key=lambda p: p["t_s"])
    assert summary["interview"]["samples"] == 1500  # aggregates still use every sample
