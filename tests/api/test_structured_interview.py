"""Issue 15's acceptance: with the shipped local model (SmolLM2-135M on a real llama-server), a scripted
5-question interview through the real API shows five sensible questions in English and in Korean — right language,
none restating the instructions, none repeated — and the report carries the plan, key points and anchors."""

from __future__ import annotations

import pytest

from api.interviews import prompts
from api.interviews.validation import QuestionContext, validate
from core.question_bank import hangul_share, has_hangul, load_bank
from tests.api.conftest import INTERVIEW, NewUser, stream_question

ANSWERS = {
    "en": "I led the rewrite of our ledger service, moving it to FastAPI and PostgreSQL partitions; settlement time "
    "fell from 40 to 6 minutes and I wrote the runbook for on-call.",
    "ko": "결제 원장 서비스를 FastAPI와 PostgreSQL 파티션 테이블로 다시 만들었고, 정산 시간이 40분에서 6분으로 "
    "줄었습니다. 장애 대응 문서도 제가 작성했습니다.",
}


@pytest.mark.parametrize("lang", ["en", "ko"])
async def test_five_sensible_questions(new_user: NewUser, lang: str) -> None:
    user = await new_user()
    c = user.client
    iid = (await c.post("/api/interviews", json={**INTERVIEW, "language": lang, "num_questions": 5})).json()["id"]
    plan = (await c.get(f"/api/interviews/{iid}")).json()["plan"]
    assert plan["slots"][0]["kind"] == "opening" and plan["slots"][-1]["kind"] == "closing"
    system_prompt = prompts._SYSTEM[lang]
    asked: list[str] = []
    for position in range(1, 6):
        events = await stream_question(user, iid)
        assert events[-1].event == "done", events[-1].data
        done = events[-1].data
        text = done["text"]
        assert done["position"] == position and done["source"] in ("generated", "follow_up", "bank")
        # The right language, one question, not the instructions, not a repeat: the same rules the API applied.
        if lang == "ko":
            assert hangul_share(text) >= 0.6, text
        else:
            assert not has_hangul(text), text
        assert validate(text, QuestionContext(language=lang, instructions=[system_prompt], asked=asked)) == text
        asked.append(text)
        r = await c.post(f"/api/questions/{done['question_id']}/answer", json={"text": ANSWERS[lang]})
        assert r.status_code == 202, r.text
    detail = (await c.get(f"/api/interviews/{iid}")).json()
    assert [q["text"] for q in detail["questions"]] == asked
    assert [q["competency"] for q in detail["questions"]] == [s["competency"] for s in plan["slots"]]

    assert (await c.post(f"/api/interviews/{iid}/finish")).status_code == 202
    report = (await c.get(f"/api/interviews/{iid}/report")).json()
    assert report["plan"] == plan
    bank = load_bank()
    for question, slot in zip(report["questions"], plan["slots"], strict=True):
        expected = bank.get(slot["bank_id"]).key_points
        assert [k["text"] for k in question["key_points"]] == list(expected)
        anchors = question["anchors"]
        assert anchors["competency"] == slot["competency"]
        assert anchors["1"] == bank.competencies[slot["competency"]].anchors[lang][1]
        assert {"3", "5", "name"} <= set(anchors)


async def test_models_endpoint_labels_the_demo_model(new_user: NewUser) -> None:
    user = await new_user()
    models = (await user.client.get("/api/models")).json()
    # The test API points both roles at explicit BASE_URLS: not the launcher's bundled default.
    assert models["question"]["demo"] is False and models["evaluator"]["demo"] is False
    assert models["question"]["model"]
