"""Expression aggregates for the report and the API: pure functions over stored samples, no I/O.

`summarize_expressions(samples, questions)` returns a JSON-serialisable dict:

- `interview` and each entry of `questions`: `samples`, `face_samples`, `face_present_ratio`, `distribution`
  (share of face frames per dominant expression), `mean_scores` (mean probability per expression over face
  frames), `mean_confidence` (mean probability of the dominant expression), `mean_detector_confidence` and
  `dominant` (most frequent dominant expression, None without faces);
- `timeline`: one point per sample (`t_s` seconds since the interview start, `question_id`, `face_found`,
  `dominant`, `score`), bucketed when there are more than `max_points`;
- `question_marks`: where each question starts on the same time axis, to draw the timeline beside the transcript.

Frames without a face count towards `samples` and the face-present ratio only — never towards an expression.
A sample is attributed to its `question_id` when it has one, else to the last question started before it.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

# The expression model's output order (DeepFace's and the fer mini-Xception's), and the files the provisioning step
# (launcher.models_vision, or the vision image build) writes and the vision worker reads.
EMOTION_LABELS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
DEEPFACE_FILE = "facial_expression_model_weights.onnx"
MANIFEST_FILE = "rehearsal-emotion.json"
MAX_TIMELINE_POINTS = 600


class SampleLike(Protocol):
    @property
    def captured_at(self) -> datetime: ...
    @property
    def question_id(self) -> uuid.UUID | None: ...
    @property
    def face_found(self) -> bool: ...
    @property
    def dominant(self) -> str | None: ...
    @property
    def scores(self) -> Mapping[str, Any]: ...
    @property
    def detector_confidence(self) -> float | None: ...


class QuestionLike(Protocol):
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def position(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def _face_scores(sample: SampleLike) -> dict[str, float]:
    return {label: float(sample.scores.get(label, 0.0) or 0.0) for label in EMOTION_LABELS}


def aggregate(samples: Sequence[SampleLike]) -> dict[str, Any]:
    """Distribution, face-present ratio and mean confidences of a set of samples."""
    faces = [s for s in samples if s.face_found and s.dominant in EMOTION_LABELS]
    counts = Counter(s.dominant for s in faces)
    n_faces = len(faces)
    mean_scores = {
        label: _round(sum(_face_scores(s)[label] for s in faces) / n_faces) if n_faces else None
        for label in EMOTION_LABELS
    }
    confidences = [_face_scores(s)[s.dominant] for s in faces if s.dominant]
    detector = [float(s.detector_confidence) for s in faces if s.detector_confidence is not None]
    dominant = max(EMOTION_LABELS, key=lambda label: (counts[label], mean_scores[label] or 0.0)) if n_faces else None
    return {
        "samples": len(samples),
        "face_samples": n_faces,
        "face_present_ratio": _round(n_faces / len(samples)) if samples else None,
        "distribution": {label: _round(counts[label] / n_faces) if n_faces else 0.0 for label in EMOTION_LABELS},
        "mean_scores": mean_scores,
        "mean_confidence": _round(sum(confidences) / len(confidences)) if confidences else None,
        "mean_detector_confidence": _round(sum(detector) / len(detector)) if detector else None,
        "dominant": dominant,
    }


def _attribute(sample: SampleLike, ordered: Sequence[QuestionLike], known: set[uuid.UUID]) -> uuid.UUID | None:
    if sample.question_id is not None and sample.question_id in known:
        return sample.question_id
    current: uuid.UUID | None = None
    for question in ordered:
        if question.created_at <= sample.captured_at:
            current = question.id
        else:
            break
    return current


def _timeline(points: list[dict[str, Any]], max_points: int) -> list[dict[str, Any]]:
    if len(points) <= max_points:
        return points
    # Equal-count buckets keep the shape of the interview: majority dominant, its mean score, face if any.
    size = -(-len(points) // max_points)
    merged = []
    for start in range(0, len(points), size):
        chunk = points[start : start + size]
        faces = [p for p in chunk if p["face_found"]]
        dominant = Counter(p["dominant"] for p in faces).most_common(1)[0][0] if faces else None
        scores = [p["score"] for p in faces if p["dominant"] == dominant and p["score"] is not None]
        merged.append(
            {
                "t_s": chunk[0]["t_s"],
                "question_id": Counter(p["question_id"] for p in chunk).most_common(1)[0][0],
                "face_found": bool(faces),
                "dominant": dominant,
                "score": _round(sum(scores) / len(scores)) if scores else None,
            }
        )
    return merged


def summarize_expressions(
    samples: Sequence[SampleLike],
    questions: Sequence[QuestionLike],
    *,
    started_at: datetime | None = None,
    max_points: int = MAX_TIMELINE_POINTS,
) -> dict[str, Any]:
    """Per-interview and per-question expression aggregates plus a question-aligned timeline (see module doc)."""
    ordered_samples = sorted(samples, key=lambda s: s.captured_at)
    ordered_questions = sorted(questions, key=lambda q: (q.position, q.created_at))
    known = {q.id for q in ordered_questions}
    starts = [q.created_at for q in ordered_questions] + [s.captured_at for s in ordered_samples[:1]]
    origin = started_at or (min(starts) if starts else None)

    def t_s(moment: datetime) -> float:
        return round((moment - origin).total_seconds(), 3) if origin else 0.0

    by_question: dict[uuid.UUID | None, list[SampleLike]] = {}
    points: list[dict[str, Any]] = []
    for sample in ordered_samples:
        qid = _attribute(sample, ordered_questions, known)
        by_question.setdefault(qid, []).append(sample)
        score = _face_scores(sample).get(sample.dominant) if sample.face_found and sample.dominant else None
        points.append(
            {
                "t_s": t_s(sample.captured_at),
                "question_id": str(qid) if qid else None,
                "face_found": bool(sample.face_found),
                "dominant": sample.dominant if sample.face_found else None,
                "score": _round(score),
            }
        )

    per_question = []
    for index, question in enumerate(ordered_questions):
        following = ordered_questions[index + 1] if index + 1 < len(ordered_questions) else None
        per_question.append(
            {
                "question_id": str(question.id),
                "position": question.position,
                "start_s": t_s(question.created_at),
                "end_s": t_s(following.created_at) if following else None,
                **aggregate(by_question.get(question.id, [])),
            }
        )
    summary: dict[str, Any] = {
        "labels": list(EMOTION_LABELS),
        "started_at": origin.isoformat() if origin else None,
        "interview": aggregate(ordered_samples),
        "questions": per_question,
        "timeline": _timeline(points, max_points),
        "question_marks": [
            {"question_id": str(q.id), "position": q.position, "t_s": t_s(q.created_at)} for q in ordered_questions
        ],
    }
    if by_question.get(None):
        summary["unassigned"] = aggregate(by_question[None])
    return summary
