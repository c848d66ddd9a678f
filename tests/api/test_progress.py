"""Issue 20 through the real API and PostgreSQL: per-competency trends with what is due today (SM-2), and a practice
interview whose plan targets the due competencies — each candidate sees only their own."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.api.conftest import ApiProcess, NewUser, User, stream_question
from tests.factories import create_scored_interview


async def with_history(new_user: NewUser, asked: list[str] | None = None) -> User:
    """system_design failed twice (due tomorrow after each: due today), ownership passed once yesterday (due today),
    collaboration passed twice (next in 6 days: not due), learning only failed to be scored (no history)."""
    user: User = await new_user()
    uid = uuid.UUID(user.info["id"])
    await create_scored_interview(uid, 3, [("system_design", 2), ("collaboration", 5), ("learning", None)], asked=asked)
    await create_scored_interview(
        uid, 2, [("system_design", 1), ("system_design", 2), ("collaboration", 4)], asked=asked
    )
    await create_scored_interview(uid, 1, [("ownership", 4)], asked=asked)
    return user


async def test_trends_and_what_is_due_today(new_user: NewUser) -> None:
    user = await with_history(new_user)
    other: User = await new_user()
    r = await user.client.get("/api/progress")
    assert r.status_code == 200, r.text
    body = r.json()
    today = datetime.now(UTC).date()
    assert body["today"] == today.isoformat() and body["timezone"] == "UTC"
    by_id = {c["competency"]: c for c in body["competencies"]}
    assert [c["competency"] for c in body["competencies"]] == ["system_design", "ownership", "collaboration"]
    assert "learning" not in by_id  # a failed evaluation is not a score

    design = by_id["system_design"]
    assert design["name"] == "System design"
    assert [s["score"] for s in design["sessions"]] == [2.0, 1.5]  # one point per interview: the mean
    assert [s["answers"] for s in design["sessions"]] == [1, 2]
    assert [s["day"] for s in design["sessions"]] == [(today - timedelta(days=d)).isoformat() for d in (3, 2)]
    assert design["latest"] == 1.5 and design["change"] == -0.5
    schedule = design["schedule"]
    assert (schedule["repetitions"], schedule["interval_days"], schedule["due"]) == (0, 1, True)
    assert schedule["due_on"] == (today - timedelta(days=1)).isoformat() and schedule["overdue_days"] == 1

    collaboration = by_id["collaboration"]["schedule"]
    assert (collaboration["repetitions"], collaboration["interval_days"], collaboration["due"]) == (2, 6, False)
    assert by_id["ownership"]["schedule"]["due_on"] == today.isoformat()
    assert body["due"] == ["system_design", "ownership"] == body["focus"]
    assert body["next_due_on"] == (today - timedelta(days=1)).isoformat()

    # Another candidate sees none of it.
    theirs = (await other.client.get("/api/progress")).json()
    assert theirs["competencies"] == [] and theirs["due"] == [] and theirs["focus"] == []
    assert theirs["next_due_on"] is None


async def test_time_zone_and_bad_input(new_user: NewUser, api: ApiProcess) -> None:
    user = await with_history(new_user)
    seoul = await user.client.get("/api/progress", params={"tz": "Asia/Seoul"})
    assert seoul.status_code == 200 and seoul.json()["timezone"] == "Asia/Seoul"
    for bad in ("Mars/Olympus_Mons", "", "Asia", "asia/seoul", "../../etc/passwd", "UTC\x00", "x" * 65):
        r = await user.client.get("/api/progress", params={"tz": bad})
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["detail"][0]["loc"] == ["query", "tz"]
    async with httpx.AsyncClient(base_url=api.base_url) as anonymous:
        assert (await anonymous.get("/api/progress")).status_code == 401
        assert (await anonymous.post("/api/progress/practice", json={})).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"num_questions": 0},
        {"num_questions": 16},
        {"num_questions": "five"},
        {"language": "fr"},
        {"tz": "Nowhere/Town"},
        {"consent_camera": "maybe"},
    ],
)
async def test_practice_rejects_bad_input(new_user: NewUser, body: dict[str, object]) -> None:
    user = await with_history(new_user)
    r = await user.client.post("/api/progress/practice", json=body)
    assert r.status_code == 422, r.text
    assert len((await user.client.get("/api/interviews")).json()) == 3  # nothing was created


async def test_practice_interview_targets_the_due_competencies(new_user: NewUser) -> None:
    asked: list[str] = []
    user = await with_history(new_user, asked)
    other: User = await new_user()

    nothing = await other.client.post("/api/progress/practice", json={})
    assert nothing.status_code == 409 and "finish an interview" in nothing.json()["detail"]

    r = await user.client.post("/api/progress/practice", json={"num_questions": 5, "tz": "Asia/Seoul"})
    assert r.status_code == 201, r.text
    created = r.json()
    # The setup of the latest interview; camera analysis is never carried over.
    assert (created["role"], created["role_preset"], created["seniority"], created["language"]) == (
        "Backend engineer",
        "backend",
        "mid",
        "en",
    )
    assert created["consent_voice"] is True and created["consent_camera"] is False
    assert created["num_questions"] == 5

    detail = (await user.client.get(f"/api/interviews/{created['id']}")).json()
    plan = detail["plan"]
    assert plan["practice"] == {"focus": ["system_design", "ownership"]}
    assert len(plan["slots"]) == 5
    assert {s["competency"] for s in plan["slots"]} == {"system_design", "ownership"}
    weights = {c["id"]: c["weight"] for c in plan["competencies"]}
    assert weights["system_design"] > weights["ownership"]  # the weaker, the more questions
    assert not {s["bank_id"] for s in plan["slots"]} & set(asked)  # questions not asked recently

    # Only the owner can see or use it, like any interview.
    assert (await other.client.get(f"/api/interviews/{created['id']}")).status_code == 404

    # It runs like any interview: the first question is the plan's, on a focus competency.
    events = await stream_question(user, created["id"])
    assert events[-1].event == "done", events[-1].data
    assert events[-1].data["competency"] == plan["slots"][0]["competency"]

    # The language can be changed; the overview now lists the practice interviews too.
    ko = await user.client.post("/api/progress/practice", json={"language": "ko", "num_questions": 2})
    assert ko.status_code == 201 and ko.json()["language"] == "ko"
    assert len((await user.client.get("/api/interviews")).json()) == 5


async def test_deleting_an_interview_updates_the_schedule(new_user: NewUser) -> None:
    user: User = await new_user()
    uid = uuid.UUID(user.info["id"])
    await create_scored_interview(uid, 10, [("leadership", 5)])
    latest = await create_scored_interview(uid, 1, [("leadership", 1)])
    before = (await user.client.get("/api/progress")).json()
    assert before["due"] == ["leadership"]
    assert (await user.client.delete(f"/api/interviews/{latest}")).status_code == 204
    after = (await user.client.get("/api/progress")).json()
    leadership = after["competencies"][0]
    assert [s["score"] for s in leadership["sessions"]] == [5.0]
    assert leadership["schedule"]["due_on"] == (datetime.now(UTC).date() - timedelta(days=9)).isoformat()
