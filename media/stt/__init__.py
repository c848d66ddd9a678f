"""Speech-to-text providers behind one interface (`media.stt.base.SttProvider`)."""

from __future__ import annotations

from core.settings import Settings
from media.stt.base import SttProvider, TranscriptSink


def create_provider(settings: Settings, language: str, sink: TranscriptSink) -> SttProvider:
    """Deepgram when configured (`effective_stt_provider`), otherwise the offline whisper provider."""
    if settings.effective_stt_provider == "deepgram":
        from core.errors import ConfigError
        from media.stt.deepgram import DeepgramProvider

        if settings.deepgram_api_key is None or not settings.deepgram_api_key.get_secret_value():
            raise ConfigError("DEEPGRAM_API_KEY", "STT_PROVIDER=deepgram needs an API key")
        return DeepgramProvider(settings, language, sink, api_key=settings.deepgram_api_key.get_secret_value())
    from media.stt.whisper import WhisperProvider

    return WhisperProvider(settings, language, sink)
