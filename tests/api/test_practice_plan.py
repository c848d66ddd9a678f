"""The practice interview's plan (issue 20): every slot on a focus competency, new questions first (no model needed)."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import pytest

from api.interviews import plan
from core.db.models import Interview, Language
from core.question_bank import load_bank


def _practice(
    focus: dict[str, float],
    *,
    lang: str = "en",
    n: int = 5,
    role: str | None = "backend",
    avoid: set[str] | None = None,
) -> dict[str, Any]:
    return plan.make_practice_plan(
        interview_id=uuid.uuid4(),
        role_preset=role,
        seniority="mid",
        language=lang,
        num_questions=n,
        focus=focus,
        avoid=avoid or set(),
    )


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("n", [1, 3, 5, 15])
def test_every_slot_targets_a_focus_competency_once_per_question(lang: str, n: int) -> None:
    bank = load_bank()
    focus = {"system_design": 3.0, "collaboration": 2.0}
    made = _practice(focus, lang=lang, n=n)
    slots = made["slots"]
    assert [s["position"] for s in slots] == list(range(1, n + 1))
    on_focus = [s for s in slots if s["competency"] in focus]
    if n <= 5:
        assert on_focus == slots
    else:  # more than the bank has on the focus: every focus question first, then others, never a repeat
        assert len(on_focus) >= 8
        assert len(on_focus) == len({q.id for c in focus for q in bank.select("backend", lang, competency=c)})
    assert len({s["bank_id"] for s in slots}) == n
    for s in slots:
        question = bank.get(s["bank_id"])
        assert question.lang == lang and question.competency == s["competency"] and question.kind == s["kind"]
    assert made["practice"] == {"focus": ["system_design", "collaboration"]}
    assert {c["id"] for c in made["competencies"]} == {s["competency"] for s in slots}
    assert str(made["version"]).endswith(bank.version)


def test_the_weaker_competency_gets_more_questions() -> None:
    counts = Counter(s["competency"] for s in _practice({"system_design": 4.0, "ownership": 1.0}, n=5)["slots"])
    assert counts["system_design"] > counts["ownership"] >= 1


def test_recently_asked_questions_are_avoided_while_others_remain() -> None:
    bank = load_bank()
    asked = {q.id for q in bank.select("backend", "en", competency="system_design")[:4]}
    for _ in range(5):
        slots = _practice({"system_design": 1.0}, n=3, avoid=asked)["slots"]
        assert not {s["bank_id"] for s in slots} & asked
    # All of the competency's questions asked recently: they are asked again rather than leaving slots empty.
    everything = {q.id for q in bank.select("backend", "en", competency="motivation")}
    slots = _practice({"motivation": 1.0}, n=3, avoid=everything)["slots"]
    assert len(slots) == 3 and {s["competency"] for s in slots} == {"motivation"}


def test_motivation_uses_opening_and_closing_questions_first_and_last() -> None:
    slots = _practice({"motivation": 1.0, "system_design": 1.0}, n=6)["slots"]
    kinds = [s["kind"] for s in slots]
    assert {s["competency"] for s in slots} == {"motivation", "system_design"}
    # Openings before the middle kinds, closings after them.
    order = [{"opening": 0, "closing": 2}.get(k, 1) for k in kinds]
    assert order == sorted(order)


def test_unknown_focus_competencies_are_dropped_and_none_left_is_an_error() -> None:
    made = _practice({"system_design": 1.0, "astrology": 5.0}, n=3)
    assert made["practice"]["focus"] == ["system_design"]
    with pytest.raises(ValueError, match="focus"):
        _practice({"astrology": 1.0})


def test_a_practice_plan_is_complete_so_slot_never_replaces_it() -> None:
    made = _practice({"collaboration": 1.0}, n=4, role=None)
    interview = Interview(
        user_id=uuid.uuid4(), role="x", seniority="mid", language=Language.en, num_questions=4, plan=made
    )
    for position in range(1, 5):
        slot = plan.slot(interview, position)
        assert slot.competency == "collaboration"
    assert interview.plan is made
