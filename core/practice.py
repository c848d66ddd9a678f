"""Progress that drives practice: per-competency score history and an SM-2 schedule of what is due today.

Everything here is recomputed from the candidate's evaluated answers (`ProgressRepository.competency_scores`) on
every request; nothing is stored. The history is short (one row per evaluated answer, kept `RETENTION_DAYS`), the
replay is a few microseconds per session, and a derived schedule can never outlive the answers it came from:
deleting an interview or the account changes the schedule at once, with no second table to keep in step.

**Sessions.** One interview is one session of each competency it asked about: its score is the mean of that
competency's evaluated answers in the interview (1–5), dated by the interview's start in the candidate's time zone.
Several answers in one sitting are one review, not several, or a single interview would look like days of practice;
likewise several interviews on one day are one review (the mean of their scores) — the trend still shows each.

**Quality.** SM-2 grades a review 0–5, with 3 the lowest passing grade ("correct, with serious difficulty"). The
evaluator's 1–5 score is already anchored that way (3 = meets the competency's middle anchor), so the quality is the
session's mean score itself, on the same number line: 5 → 5, 4 → 4, 3 → 3 (pass), 2.5 → 2.5 (lapse), 1 → 1. A score
never gives 0 (the scale starts at 1), and a fractional mean is kept, not rounded: 2.9 is still a lapse.

**SM-2** (Woźniak, 1987), per competency, replayed over its sessions in date order from ease 2.5:
a passing review (q ≥ 3) advances the repetition count and sets the interval to 1 day, then 6 days, then the
previous interval × ease (rounded); a lapse (q < 3) resets the count and brings it back after 1 day. After every
review the ease moves by 0.1 − (5 − q)(0.08 + 0.02 (5 − q)), never below 1.3. The competency is due on the last
review's date + interval; due today when that date is today or earlier.

**Focus.** A practice interview targets what is due today, weakest first (mean of the last three sessions, then the
most overdue); when nothing is due, the weakest competencies anyway — the candidate asked to practise.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import fmean
from zoneinfo import ZoneInfo

SCORE_MIN, SCORE_MAX = 1, 5
PASSING_QUALITY = 3.0
INITIAL_EASE = 2.5
MIN_EASE = 1.3
FIRST_INTERVAL_DAYS, SECOND_INTERVAL_DAYS = 1, 6
RECENT_SESSIONS = 3  # "how weak is it now": the mean of this many latest sessions
MAX_FOCUS = 3  # competencies one practice interview targets


@dataclass(frozen=True)
class ScoredAnswer:
    """One evaluated answer of the candidate, as the repository reads it."""

    interview_id: uuid.UUID
    interview_started_at: datetime  # timezone-aware
    competency: str
    score: float  # the evaluator's overall 1–5


@dataclass(frozen=True)
class Session:
    """One interview's review of one competency."""

    interview_id: uuid.UUID
    started_at: datetime
    day: date  # started_at in the candidate's time zone
    score: float  # mean of the competency's answers in the interview, 1–5
    answers: int


@dataclass(frozen=True)
class Schedule:
    repetitions: int  # passing reviews in a row
    ease: float
    interval_days: int
    last_reviewed_on: date
    due_on: date

    def is_due(self, today: date) -> bool:
        return self.due_on <= today

    def overdue_days(self, today: date) -> int:
        return max(0, (today - self.due_on).days)


@dataclass(frozen=True)
class CompetencyProgress:
    competency: str
    sessions: tuple[Session, ...]  # oldest first
    schedule: Schedule

    @property
    def latest(self) -> float:
        return self.sessions[-1].score

    @property
    def recent(self) -> float:
        """Mean of the latest sessions: how weak the competency is now (one bad day does not define it)."""
        return round(fmean(s.score for s in self.sessions[-RECENT_SESSIONS:]), 2)

    @property
    def change(self) -> float | None:
        """Latest session minus the one before; None with a single session."""
        if len(self.sessions) < 2:
            return None
        return round(self.sessions[-1].score - self.sessions[-2].score, 2)


def quality_from_score(score: float) -> float:
    """SM-2 quality (0–5) of a session scored 1–5: the score itself (see the module docstring); out-of-range input
    is clamped, so a bad row can never push the ease outside what the algorithm allows."""
    return min(float(SCORE_MAX), max(float(SCORE_MIN), float(score)))


def next_ease(ease: float, quality: float) -> float:
    miss = 5.0 - quality
    return max(MIN_EASE, ease + 0.1 - miss * (0.08 + miss * 0.02))


def schedule(sessions: Sequence[Session]) -> Schedule:
    """Replay SM-2 over one competency's sessions (oldest first). At least one session is needed."""
    if not sessions:
        raise ValueError("a schedule needs at least one session")
    # Reviews are per day: a second interview on the same day is cramming, not spacing, so a day's sessions are one
    # review with their mean quality (the trend still shows each interview).
    days: dict[date, list[float]] = defaultdict(list)
    for session in sessions:
        days[session.day].append(quality_from_score(session.score))
    repetitions, ease, interval = 0, INITIAL_EASE, 0
    for day in sorted(days):
        quality = fmean(days[day])
        if quality >= PASSING_QUALITY:
            if repetitions == 0:
                interval = FIRST_INTERVAL_DAYS
            elif repetitions == 1:
                interval = SECOND_INTERVAL_DAYS
            else:
                interval = max(1, round(interval * ease))
            repetitions += 1
        else:
            repetitions, interval = 0, FIRST_INTERVAL_DAYS
        ease = next_ease(ease, quality)
    last = max(days)
    return Schedule(
        repetitions=repetitions,
        ease=round(ease, 2),
        interval_days=interval,
        last_reviewed_on=last,
        due_on=last + timedelta(days=interval),
    )


def sessions_by_competency(answers: Iterable[ScoredAnswer], tz: ZoneInfo) -> dict[str, list[Session]]:
    """Group evaluated answers into one session per (competency, interview), oldest first."""
    grouped: dict[tuple[str, uuid.UUID], list[ScoredAnswer]] = defaultdict(list)
    for answer in answers:
        grouped[(answer.competency, answer.interview_id)].append(answer)
    out: dict[str, list[Session]] = defaultdict(list)
    for (competency, interview_id), items in grouped.items():
        started = items[0].interview_started_at
        out[competency].append(
            Session(
                interview_id=interview_id,
                started_at=started,
                day=started.astimezone(tz).date(),
                score=round(fmean(quality_from_score(a.score) for a in items), 2),
                answers=len(items),
            )
        )
    for sessions in out.values():
        sessions.sort(key=lambda s: (s.started_at, str(s.interview_id)))
    return dict(out)


def progress(answers: Iterable[ScoredAnswer], tz: ZoneInfo) -> list[CompetencyProgress]:
    """Per-competency history and schedule, weakest (lowest recent mean) first."""
    found = [
        CompetencyProgress(competency=c, sessions=tuple(s), schedule=schedule(s))
        for c, s in sessions_by_competency(answers, tz).items()
    ]
    return sorted(found, key=lambda p: (p.recent, p.competency))


def due(items: Iterable[CompetencyProgress], today: date) -> list[CompetencyProgress]:
    """What is due today, weakest first, then the most overdue."""
    return sorted(
        (p for p in items if p.schedule.is_due(today)),
        key=lambda p: (p.recent, -p.schedule.overdue_days(today), p.competency),
    )


def focus(items: Sequence[CompetencyProgress], today: date, limit: int = MAX_FOCUS) -> list[CompetencyProgress]:
    """The competencies a practice interview targets: those due today, weakest first; if none are due, the weakest
    ones (the candidate asked to practise). At most `limit`; empty only without any history."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    chosen = due(items, today) or sorted(items, key=lambda p: (p.recent, p.schedule.due_on, p.competency))
    return chosen[:limit]


def focus_weights(items: Sequence[CompetencyProgress]) -> dict[str, float]:
    """Planner weights for the focus: the weaker, the more questions (the gap to a perfect 5, at least 0.5)."""
    return {p.competency: max(0.5, SCORE_MAX - p.recent) for p in items}


def next_due_on(items: Iterable[CompetencyProgress]) -> date | None:
    return min((p.schedule.due_on for p in items), default=None)
