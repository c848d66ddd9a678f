"""core/practice.py: per-competency sessions, the SM-2 schedule and the practice focus, at their edges."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core import practice
from core.practice import ScoredAnswer, Session

UTC_ZONE = ZoneInfo("UTC")
DAY0 = date(2026, 11, 1)


def sessions(*scores: float, start: date = DAY0, gap_days: int = 1) -> list[Session]:
    out = []
    for n, score in enumerate(scores):
        day = start + timedelta(days=n * gap_days)
        started = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
        out.append(Session(interview_id=uuid.uuid4(), started_at=started, day=day, score=score, answers=1))
    return out


def answer(competency: str, score: float, started: datetime, interview_id: uuid.UUID | None = None) -> ScoredAnswer:
    return ScoredAnswer(interview_id or uuid.uuid4(), started, competency, score)


@pytest.mark.parametrize(
    ("score", "quality"), [(1, 1.0), (2.5, 2.5), (3, 3.0), (4.2, 4.2), (5, 5.0), (0, 1.0), (7, 5.0), (-3, 1.0)]
)
def test_quality_is_the_score_clamped_to_the_scale(score: float, quality: float) -> None:
    assert practice.quality_from_score(score) == quality


def test_ease_follows_the_sm2_formula_and_never_drops_below_1_3() -> None:
    assert practice.next_ease(2.5, 5) == pytest.approx(2.6)
    assert practice.next_ease(2.5, 4) == pytest.approx(2.5)
    assert practice.next_ease(2.5, 3) == pytest.approx(2.36)
    assert practice.next_ease(2.5, 1) == pytest.approx(2.5 + 0.1 - 4 * (0.08 + 4 * 0.02))  # 1.96
    assert practice.next_ease(1.3, 1) == 1.3
    assert practice.next_ease(1.35, 3) == 1.3


def test_passing_sessions_space_out_1_then_6_then_interval_times_ease() -> None:
    one = practice.schedule(sessions(4))
    assert (one.repetitions, one.interval_days, one.ease) == (1, 1, 2.5)
    assert one.due_on == DAY0 + timedelta(days=1)
    two = practice.schedule(sessions(4, 4))
    assert (two.repetitions, two.interval_days) == (2, 6)
    three = practice.schedule(sessions(4, 4, 4))
    assert (three.repetitions, three.interval_days) == (3, 15)  # round(6 × 2.5)
    four = practice.schedule(sessions(5, 5, 5, 5))
    # ease 2.6 → 2.7 → 2.8 after the 2nd and 3rd: 6 × 2.7 = 16.2 → 16, then 16 × 2.8 = 44.8 → 45
    assert (four.repetitions, four.interval_days, four.ease) == (4, 45, 2.9)
    assert four.last_reviewed_on == DAY0 + timedelta(days=3)
    assert four.due_on == DAY0 + timedelta(days=3 + 45)


def test_a_lapse_resets_repetitions_to_tomorrow_and_lowers_the_ease() -> None:
    lapsed = practice.schedule(sessions(5, 5, 5, 2))
    assert (lapsed.repetitions, lapsed.interval_days) == (0, 1)
    assert lapsed.ease == pytest.approx(2.8 + 0.1 - 3 * (0.08 + 3 * 0.02))
    assert lapsed.due_on == lapsed.last_reviewed_on + timedelta(days=1)
    # After a lapse the ladder starts again at 1 and 6 days.
    again = practice.schedule(sessions(5, 5, 5, 2, 4, 4))
    assert (again.repetitions, again.interval_days) == (2, 6)


def test_boundary_between_pass_and_lapse_is_three() -> None:
    assert practice.schedule(sessions(3)).repetitions == 1
    assert practice.schedule(sessions(2.99)).repetitions == 0
    lowest = practice.schedule(sessions(*([1] * 10)))  # the ease floors at 1.3, the interval stays 1 day
    assert (lowest.ease, lowest.interval_days, lowest.repetitions) == (1.3, 1, 0)


def test_interviews_on_the_same_day_are_one_review() -> None:
    same_day = sessions(4, 5, 2, gap_days=0)  # three interviews on DAY0: one review of quality 11/3
    s = practice.schedule(same_day)
    assert (s.repetitions, s.interval_days, s.last_reviewed_on) == (1, 1, DAY0)
    assert s.ease == round(practice.next_ease(2.5, 11 / 3), 2)
    # A lapse and a pass on one day average out: 2 and 3 → 2.5, a lapse.
    assert practice.schedule(sessions(2, 3, gap_days=0)).repetitions == 0


def test_schedule_needs_a_session() -> None:
    with pytest.raises(ValueError, match="at least one session"):
        practice.schedule([])


def test_due_today_overdue_and_not_yet() -> None:
    s = practice.schedule(sessions(4))  # due DAY0 + 1
    assert not s.is_due(DAY0)
    assert s.is_due(DAY0 + timedelta(days=1)) and s.overdue_days(DAY0 + timedelta(days=1)) == 0
    assert s.overdue_days(DAY0 + timedelta(days=5)) == 4
    assert s.overdue_days(DAY0) == 0


def test_answers_of_one_interview_are_one_session_with_their_mean() -> None:
    iid = uuid.uuid4()
    started = datetime(2026, 11, 3, 9, tzinfo=UTC)
    rows = [
        answer("system_design", 2, started, iid),
        answer("system_design", 5, started, iid),
        answer("collaboration", 4, started, iid),
        answer("system_design", 3, started - timedelta(days=2)),
    ]
    grouped = practice.sessions_by_competency(rows, UTC_ZONE)
    design = grouped["system_design"]
    assert [s.score for s in design] == [3.0, 3.5]  # oldest first
    assert [s.answers for s in design] == [1, 2]
    assert design[1].interview_id == iid
    assert [s.score for s in grouped["collaboration"]] == [4.0]


def test_the_day_is_the_candidates_local_day() -> None:
    late_utc = datetime(2026, 11, 3, 20, tzinfo=UTC)  # 05:00 the next morning in Seoul
    rows = [answer("learning", 4, late_utc)]
    assert practice.sessions_by_competency(rows, UTC_ZONE)["learning"][0].day == date(2026, 11, 3)
    assert practice.sessions_by_competency(rows, ZoneInfo("Asia/Seoul"))["learning"][0].day == date(2026, 11, 4)


def test_progress_is_weakest_first_with_latest_recent_and_change() -> None:
    base = datetime(2026, 11, 1, 10, tzinfo=UTC)
    rows = [
        answer("collaboration", 4, base),
        answer("collaboration", 5, base + timedelta(days=1)),
        answer("system_design", 1, base),
        answer("system_design", 2, base + timedelta(days=1)),
        answer("system_design", 5, base + timedelta(days=2)),
        answer("system_design", 4, base + timedelta(days=3)),
        answer("learning", 3, base),
    ]
    items = practice.progress(rows, UTC_ZONE)
    by_id = {p.competency: p for p in items}
    assert [p.competency for p in items] == ["learning", "system_design", "collaboration"]
    design = by_id["system_design"]
    assert design.latest == 4 and design.change == -1
    assert design.recent == pytest.approx((2 + 5 + 4) / 3, abs=0.01)  # the last three sessions only
    assert by_id["learning"].change is None  # one session is not a change
    assert practice.progress([], UTC_ZONE) == []


def test_focus_takes_what_is_due_weakest_first_then_the_weakest_when_nothing_is_due() -> None:
    base = datetime(2026, 11, 1, 10, tzinfo=UTC)
    rows = [
        answer("collaboration", 2, base),  # lapse: due Nov 2
        answer("system_design", 1, base),  # lapse: due Nov 2, weaker
        answer("ownership", 5, base),  # pass: due Nov 2
        answer("ownership", 5, base + timedelta(days=1)),  # due Nov 8
        answer("learning", 3, base),  # due Nov 2
    ]
    items = practice.progress(rows, UTC_ZONE)
    today = date(2026, 11, 3)
    assert [p.competency for p in practice.due(items, today)] == ["system_design", "collaboration", "learning"]
    assert [p.competency for p in practice.focus(items, today, limit=2)] == ["system_design", "collaboration"]
    assert practice.next_due_on(items) == date(2026, 11, 2)
    # Before anything is due, practice still targets the weakest.
    assert practice.due(items, date(2026, 11, 1)) == []
    assert [p.competency for p in practice.focus(items, date(2026, 11, 1))] == [
        "system_design",
        "collaboration",
        "learning",
    ]
    assert practice.focus([], today) == []
    assert practice.next_due_on([]) is None
    with pytest.raises(ValueError, match="at least 1"):
        practice.focus(items, today, limit=0)


def test_focus_weights_give_the_weaker_more_and_never_zero() -> None:
    base = datetime(2026, 11, 1, 10, tzinfo=UTC)
    items = practice.progress([answer("system_design", 1, base), answer("ownership", 5, base)], UTC_ZONE)
    assert practice.focus_weights(items) == {"system_design": 4.0, "ownership": 0.5}
