"""One Settings object for every service, read from the environment and `.env`.

Every field is documented in `.env.example` with its default (a test keeps the two in step). Nested groups use
`__` in variable names, e.g. `LLM_EVALUATOR__BASE_URLS`.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT_DIR = Path(__file__).resolve().parent.parent


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def local_url(host: str, port: int) -> str:
    """How a process on this machine reaches a server bound to host:port (a wildcard bind answers on loopback)."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class LLMRoleSettings(BaseModel):
    """How one model role (question or evaluator) is reached.

    With `base_urls` empty the local launcher starts a `llama-server` for the role from `model-servers/<role>.env`
    and the app uses it; with one or more URLs (replicas of any OpenAI-compatible server) nothing is started.
    """

    base_urls: Annotated[list[str], NoDecode] = Field(default_factory=list)
    model: str = ""  # alias sent as `model`; empty = the alias from model-servers/<role>.env
    api_key: SecretStr = SecretStr("not-needed")
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 120.0  # max silence between streamed tokens / whole non-streamed reply
    max_retries: int = 2  # retries on another replica for idempotent (non-streamed or not yet started) requests
    temperature: float = 0.7
    max_tokens: int = 512
    # Output cap while the role is served by the bundled small model (LLAMA_MODELS=local, no BASE_URLS): its replies
    # that run long are loops, not content (measured: docs/benchmarks/quality.md). 0 = max_tokens as is.
    bundled_max_tokens: int = 0
    health_interval_s: float = 5.0

    _split = field_validator("base_urls", mode="before")(_split_csv)


class QuestionRoleSettings(LLMRoleSettings):
    """The question model's own defaults: a question is under 60 words, so a model that rambles is cut at
    120 tokens (and the cut output rejected) instead of streaming for minutes."""

    max_tokens: int = 120


class EvaluatorRoleSettings(LLMRoleSettings):
    """The evaluator's own defaults: near-deterministic scoring, room for a rubric + model answer, and patience
    for a large model on CPU. (A subclass, not a default_factory: pydantic-settings builds a nested group from
    the variables that are set, so factory defaults would be lost as soon as one `LLM_EVALUATOR__*` is set.)"""

    temperature: float = 0.1
    # The longest reply the evaluation schema allows (worker/evaluation/schemas.py) is 1,033 SOLAR tokens in Korean
    # and 322 in English (docs/benchmarks/production.md): a cap below it would cut valid Korean replies.
    max_tokens: int = 1100
    bundled_max_tokens: int = 450  # a complete English reply is ~250–400 SmolLM2 tokens
    read_timeout_s: float = 300.0  # a reply not back by then is retried once, then fails ("timeout")


def _ip_networks(value: object) -> object:
    """Each entry as a normalised network ("10.0.0.1" → "10.0.0.1/32"): a typo fails at start-up, instead of being
    silently compared as a literal by the proxy-headers middleware."""
    items = _split_csv(value)
    if not isinstance(items, list):
        return items
    networks = []
    for item in items:
        try:
            networks.append(str(ipaddress.ip_network(str(item).strip(), strict=False)))
        except ValueError:
            raise ValueError(f"TRUSTED_PROXIES: {item!r} is not an IP address or CIDR network") from None
    return networks


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=ROOT_DIR / ".env",
        env_file_encoding="utf-8",
        env_nested_delimiter="__",
        extra="ignore",
    )

    # --- general --------------------------------------------------------------------------------------------
    environment: Literal["development", "test", "production"] = "development"
    log_level: str = "INFO"
    log_format: Literal["json", "console"] = "console"
    var_dir: Path = ROOT_DIR / "var"  # embedded database/broker data, model caches, logs

    # --- database and broker (unset = embedded PostgreSQL / Redis under var/) -------------------------------
    database_url: str | None = None
    redis_url: str | None = None
    db_pool_size: int = 10

    # --- API ------------------------------------------------------------------------------------------------
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    secret_key: SecretStr = SecretStr("change-me-in-production")
    session_ttl_s: int = 7 * 24 * 3600
    session_cache_ttl_s: int = Field(default=300, ge=1)  # Redis cache of session → user (revocation is immediate)
    cookie_secure: bool = False
    login_rate_limit: int = Field(default=10, ge=1)  # sign-in failures per account per window, from any address
    login_rate_limit_per_address: int = Field(default=50, ge=1)  # failures per client address, over all accounts
    login_rate_window_s: int = 300
    # Peers whose X-Forwarded-For / X-Forwarded-Proto are believed (IPs or CIDRs, comma-separated). Empty = none:
    # the client address is the connecting peer's. compose.yaml names the frontend (nginx) network.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    max_text_chars: int = 20_000  # job description / résumé text
    max_upload_bytes: int = 5 * 1024 * 1024  # résumé PDF
    # Any request body, every route (the résumé upload: MAX_UPLOAD_BYTES + 64 KiB of multipart framing instead).
    # 1 MiB holds the largest valid JSON body (two 20 000-character texts, every character \u-escaped) twice over.
    max_request_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_answer_chars: int = 20_000
    sse_max_connections_per_user: int = 8
    frontend_dist: Path = ROOT_DIR / "frontend" / "dist"

    # --- model servers --------------------------------------------------------------------------------------
    llm_question: QuestionRoleSettings = Field(default_factory=QuestionRoleSettings)
    llm_evaluator: EvaluatorRoleSettings = Field(default_factory=EvaluatorRoleSettings)
    llama_server_bin: Path | None = None  # unset = build/cached by model-servers/build-llama-server.sh
    llama_question_port: int = 8081
    llama_evaluator_port: int = 8082
    # local = model-servers/local.env (SmolLM2 from PyPI) over <role>.env; production = <role>.env as is
    llama_models: Literal["local", "production"] = "local"

    # --- workers --------------------------------------------------------------------------------------------
    evaluation_max_retries: int = 4
    evaluation_time_limit_s: int = 600
    # stream the evaluator's reply and publish `evaluation.partial` (scores as they are written), at most every N s
    evaluation_partials: bool = True
    evaluation_partial_interval_s: float = 0.5
    worker_threads: int = 4
    worker_metrics_port: int = 0  # Dramatiq's Prometheus exporter port; 0 = off

    # --- vision ---------------------------------------------------------------------------------------------
    deepface_home: Path = ROOT_DIR / "var" / "deepface"
    vision_weights: Literal["fer", "deepface"] = "fer"
    vision_max_frame_age_s: float = 6.0
    vision_max_frame_bytes: int = 2 * 1024 * 1024
    vision_max_pixels: int = 12_000_000
    store_frames: bool = False

    # --- media server and speech-to-text --------------------------------------------------------------------
    media_host: str = "127.0.0.1"
    media_port: int = 8001
    media_url: str = ""  # where the API reaches the media server; empty = MEDIA_HOST:MEDIA_PORT on this machine
    media_token_ttl_s: int = 120
    media_frame_interval_s: float = 2.0
    ice_servers: Annotated[list[str], NoDecode] = Field(default_factory=list)  # stun:/turn: URLs
    ice_username: str = ""
    ice_credential: SecretStr = SecretStr("")
    media_host_addresses: Annotated[list[str], NoDecode] = Field(default_factory=list)  # e.g. 127.0.0.1
    # UDP ports for ICE (WebRTC media); 0/0 = any ephemeral port. compose.yaml publishes this range 1:1.
    media_udp_port_min: int = 0
    media_udp_port_max: int = 0
    stt_provider: Literal["auto", "deepgram", "whisper"] = "auto"
    deepgram_api_key: SecretStr | None = None
    deepgram_base_url: str = "wss://api.deepgram.com"
    deepgram_model: str = "nova-2"
    whisper_model_dir: Path = ROOT_DIR / "var" / "models" / "whisper-base"
    whisper_small_model_dir: Path = ROOT_DIR / "var" / "models" / "whisper-small"
    # Which multilingual whisper transcribes each interview language. `small` is provisioned only when chosen
    # here (≈ 2× the disk and ≈ 3× the CPU of `base`); docs/benchmarks/latest.md has the measurements behind the
    # defaults.
    whisper_model_en: Literal["base", "small"] = "base"
    whisper_model_ko: Literal["base", "small"] = "base"
    whisper_threads: int = 2
    whisper_compute_type: str = "int8"
    whisper_beam_size: int = 1  # greedy: ~2x faster than beam 5 on CPU, same words on clear speech
    # Interim transcript while the candidate speaks: the first once the utterance (with the segmenter's 0.3 s lead-in)
    # is `whisper_first_partial_s` long, then one every `whisper_partial_interval_s` of audio; a tick that finds the
    # model busy is skipped, not queued. 0 = off.
    whisper_partial_interval_s: float = 1.5
    whisper_first_partial_s: float = 1.0
    stt_silence_s: float = 0.7  # silence that ends an utterance (offline provider)
    stt_max_utterance_s: float = 20.0
    stt_close_timeout_s: float = 20.0  # max wait for the last transcripts when a peer goes away
    # Hands-free answers (media/turn.py): voice activity + the Smart Turn end-of-turn model on the media server; the
    # room finishes the answer itself after a countdown the candidate cancels by speaking or clicking.
    turn_detection_enabled: bool = True
    turn_countdown_s: float = Field(default=3.0, ge=0, le=30)
    turn_vad_threshold: float = Field(default=0.5, gt=0, lt=1)  # Silero speech probability per 32 ms window
    turn_start_s: float = Field(default=0.15, gt=0)  # speech this long starts a turn (speech.started)
    turn_pause_s: float = Field(default=0.3, gt=0)  # a pause this long asks the model whether the turn is over
    turn_complete_threshold: float = Field(default=0.5, gt=0, lt=1)  # model probability that ends the turn
    turn_max_silence_s: float = Field(default=3.0, gt=0)  # silence that ends the turn whatever the model says
    turn_threads: int = Field(default=1, ge=1)  # worker threads for the models, shared by every peer
    deepgram_keepalive_s: float = 4.0  # Deepgram hangs up after 10 s without audio or KeepAlive
    deepgram_reconnect_max_s: float = 10.0
    deepgram_buffer_s: float = 15.0  # audio kept while reconnecting
    media_jpeg_quality: int = 80
    media_max_peers: int = 16
    media_status_poll_s: float = 5.0  # how often a live peer checks that its interview is still active
    # Deadline for an offer's negotiation and session start (past it: 503, nothing installed); the API waits 5 s
    # more. And how long after its answer a peer may take to connect before it is closed.
    media_offer_timeout_s: float = Field(default=15.0, gt=0)
    media_connect_timeout_s: float = Field(default=30.0, gt=0)

    # --- privacy --------------------------------------------------------------------------------------------
    retention_days: int = 90  # interviews older than this are deleted by the retention job; 0 = keep

    _split = field_validator("ice_servers", "media_host_addresses", mode="before")(_split_csv)
    _networks = field_validator("trusted_proxies", mode="before")(_ip_networks)

    @field_validator("llama_server_bin", "deepgram_api_key", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # `NAME=` in .env means "not set", not an empty path or an empty key.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator(
        "var_dir", "frontend_dist", "llama_server_bin", "deepface_home", "whisper_model_dir", "whisper_small_model_dir"
    )
    @classmethod
    def _relative_to_repo(cls, value: Path | None) -> Path | None:
        # Relative paths are relative to the repository root, whatever the working directory.
        if value is None or value.is_absolute():
            return value
        return ROOT_DIR / value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError("not a URL (expected postgresql://user:password@host:5432/db)") from None
        if not url.drivername.startswith("postgresql"):
            raise ValueError(f"unsupported scheme {url.drivername!r} (expected postgresql://)")
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("expected redis://host:port/db, rediss://… or unix:///path/to/socket")
        return value

    @model_validator(mode="after")
    def _derive_local_urls(self) -> Settings:
        # A URL left unset follows its port, so the two can never silently disagree (MEDIA_PORT=8101 alone moves
        # both the media server and the API's calls to it). Set the URL only for another host (compose: media:8001).
        if not self.media_url:
            self.media_url = local_url(self.media_host, self.media_port)
        return self

    @property
    def api_url(self) -> str:
        """Where a process on this machine reaches the API (the launcher waits on it and prints it)."""
        return local_url(self.api_host, self.api_port)

    def llama_port(self, role: str) -> int:
        """The local launcher's llama-server port for a model role."""
        return self.llama_question_port if role == "question" else self.llama_evaluator_port

    def whisper_size_for(self, language: str) -> Literal["base", "small"]:
        """The whisper model an interview in `language` is transcribed with (unknown languages: English's)."""
        return self.whisper_model_ko if language == "ko" else self.whisper_model_en

    def whisper_dir_for(self, size: str) -> Path:
        return self.whisper_small_model_dir if size == "small" else self.whisper_model_dir

    @property
    def whisper_sizes(self) -> list[Literal["base", "small"]]:
        """The whisper models in use (what provisioning assembles and the media server warms up)."""
        return sorted({self.whisper_model_en, self.whisper_model_ko})

    @property
    def effective_stt_provider(self) -> Literal["deepgram", "whisper"]:
        if self.stt_provider == "auto":
            return "deepgram" if self.deepgram_api_key else "whisper"
        return self.stt_provider


@lru_cache
def get_settings() -> Settings:
    return Settings()
