"""Another user's interview does not exist for you: 404 on every interview-scoped route."""

from __future__ import annotations

from tests.api.conftest import INTERVIEW, NewUser, stream_question


async def test_cross_user_access_is_404_everywhere(new_user: NewUser) -> None:
    owner, intruder = await new_user(), await new_user()
    iid = (await owner.client.post("/api/interviews", json=INTERVIEW)).json()["id"]
    done = (await stream_question(owner, iid))[-1]
    qid = done.data["question_id"]
    assert (await owner.client.post(f"/api/questions/{qid}/answer", json={"text": "mine"})).status_code == 202

    c = intruder.client
    attempts = {
        "get interview": await c.get(f"/api/interviews/{iid}"),
        "delete interview": await c.delete(f"/api/interviews/{iid}"),
        "next question": await c.post(f"/api/interviews/{iid}/questions/next"),
        "events": await c.get(f"/api/interviews/{iid}/events"),
        "finish": await c.post(f"/api/interviews/{iid}/finish"),
        "report": await c.get(f"/api/interviews/{iid}/report"),
        "media token": await c.post(f"/api/interviews/{iid}/media-token"),
        "answer": await c.post(f"/api/questions/{qid}/answer", json={"text": "not mine"}),
    }
    assert {name: r.status_code for name, r in attempts.items()} == {name: 404 for name in attempts}
    assert (await c.get("/api/interviews")).json() == []
    # …and nothing changed for the owner.
    detail = (await owner.client.get(f"/api/interviews/{iid}")).json()
    assert detail["questions"][0]["answer"]["text"] == "mine"


async def test_media_token_of_another_user_is_refused(new_user: NewUser) -> None:
    owner, intruder = await new_user(), await new_user()
    iid = (await owner.client.post("/api/interviews", json=INTERVIEW)).json()["id"]
    token = (await owner.client.post(f"/api/interviews/{iid}/media-token")).json()["token"]
    r = await intruder.client.post("/api/media/offer", json={"sdp": "v=0", "type": "offer", "token": token})
    assert r.status_code == 403
    forged = await owner.client.post("/api/media/offer", json={"sdp": "v=0", "type": "offer", "token": token + "x"})
    assert forged.status_code == 401


async def test_delete_interview_and_account(new_user: NewUser) -> None:
    user = await new_user()
    c = user.client
    iid = (await c.post("/api/interviews", json=INTERVIEW)).json()["id"]
    qid = (await stream_question(user, iid))[-1].data["question_id"]
    await c.post(f"/api/questions/{qid}/answer", json={"text": "an answer"})
    assert (await c.delete(f"/api/interviews/{iid}")).status_code == 204
    assert (await c.get(f"/api/interviews/{iid}")).status_code == 404
    await c.post("/api/interviews", json=INTERVIEW)
    assert (await c.delete("/api/auth/me")).status_code == 204
    assert (await c.get("/api/auth/me")).status_code == 401
    again = await c.post("/api/auth/login", json={"email": user.email, "password": "correct horse 1"})
    assert again.status_code == 401
