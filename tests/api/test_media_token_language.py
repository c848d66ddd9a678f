"""`POST /api/interviews/{id}/media-token` names the interview's language, which the media server's speech-to-text
is told (Deepgram and Whisper `language=`)."""

from __future__ import annotations

from core.media_tokens import verify
from tests.api.conftest import INTERVIEW, NewUser


async def test_media_token_carries_the_interview_language(new_user: NewUser) -> None:
    # The media server transcribes in the language the token names (Deepgram/Whisper `language=`): it must be the
    # interview's, whatever the candidate's interface language.
    user = await new_user()
    for language in ("ko", "en"):
        r = await user.client.post("/api/interviews", json={**INTERVIEW, "language": language})
        assert r.status_code == 201, r.text
        token = (await user.client.post(f"/api/interviews/{r.json()['id']}/media-token")).json()["token"]
        assert verify("test-secret", token).language == language
