"""The one settings object, read from the environment once at start-up and passed down."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

DEFAULT_SECRET_KEY: Final = "insecure-development-key-change-me"  # noqa: S105 (refused in production)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service, the worker and the command line are configured by."""

    data_dir: Path = Path("var")
    database_url: str = ""
    redis_url: str | None = None
    smtp_url: str | None = None
    mail_from: str = "SCMI Secretariat <newsroom@localhost>"
    public_url: str = "http://127.0.0.1:8000"
    secret_key: str = DEFAULT_SECRET_KEY
    environment: str = "development"
    max_request_body: int = 2 * 1024 * 1024
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    log_sql: bool = False
    subscribe_limit_per_ip: int = 10
    subscribe_limit_window: int = 3600

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to an SQLite file in the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'scmi.sqlite3'}"

    @property
    def outbox_dir(self) -> Path:
        """Where mail goes as .eml files when no SMTP server is configured."""
        return self.data_dir / "outbox"

    @property
    def embedded_queue(self) -> bool:
        """Whether jobs run on the in-process Redis stand-in (no REDIS_URL)."""
        return not self.redis_url

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """Build settings from environment variables; unset ones keep their defaults."""
        env = os.environ if env is None else env
        defaults = cls()
        origins = tuple(o.strip() for o in env.get("CORS_ORIGINS", "").split(",") if o.strip())
        return cls(
            data_dir=Path(env.get("DATA_DIR") or defaults.data_dir),
            database_url=env.get("DATABASE_URL", ""),
            redis_url=env.get("REDIS_URL") or None,
            smtp_url=env.get("SMTP_URL") or None,
            mail_from=env.get("MAIL_FROM") or defaults.mail_from,
            public_url=(env.get("PUBLIC_URL") or defaults.public_url).rstrip("/"),
            secret_key=env.get("SECRET_KEY") or defaults.secret_key,
            environment=env.get("SCMI_ENV") or defaults.environment,
            max_request_body=int(env.get("MAX_REQUEST_BODY") or defaults.max_request_body),
            cors_origins=origins,
            log_sql=env.get("LOG_SQL", "") in {"1", "true", "yes"},
            subscribe_limit_per_ip=int(env.get("SUBSCRIBE_LIMIT_PER_IP") or defaults.subscribe_limit_per_ip),
            subscribe_limit_window=int(env.get("SUBSCRIBE_LIMIT_WINDOW") or defaults.subscribe_limit_window),
        )

    def check_production(self) -> None:
        """Refuse to run in production with the development secret key."""
        if self.environment == "production" and self.secret_key == DEFAULT_SECRET_KEY:
            raise RuntimeError("SECRET_KEY must be set in production (SCMI_ENV=production)")
