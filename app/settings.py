"""Typed settings, read from the environment (prefix ``ICC_EXPOSURE_``); mirrored in README."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.decisions import Database, parse_database_url
from app.resources import shipped

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every setting of the service and the CLI. Unsafe values are refused at start-up."""

    # hide_input_in_errors: a refused setting is named, never echoed (keys, database passwords).
    model_config = SettingsConfigDict(
        env_prefix="ICC_EXPOSURE_", extra="ignore", hide_input_in_errors=True
    )

    datasets_dir: Path = Field(
        default_factory=lambda: shipped("datasets"),
        description="Folder of the dataset YAML files (default: the ones shipped).",
    )
    rules_dir: Path = Field(
        default_factory=lambda: shipped("rules"),
        description="Folder of the rule YAML files (default: the ones shipped).",
    )
    host: str = Field(default="127.0.0.1", description="Address the server listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the server listens on.")
    workers: int = Field(default=1, ge=1, le=64, description="uvicorn worker processes.")
    keep_alive: int = Field(
        default=75,
        ge=1,
        le=3600,
        description="Seconds an idle HTTP connection stays open (icc-exposure serve); longer than "
        "the idle timeout of a proxy in front (60 s for nginx and common load balancers).",
    )
    work_threads: int = Field(
        default=4,
        ge=1,
        le=64,
        description="Threads per worker for heavy work kept off the event loop (checks that miss "
        "the caches, world views, itineraries); Python runs one at a time, so a few suffice.",
    )
    log_level: Literal["debug", "info", "warning", "error", "critical"] = Field(
        default="info", description="Log level of the service."
    )
    data_dir: Path = Field(
        default=ROOT / "var", description="Folder for state the service writes (decision log)."
    )
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list, description="Comma-separated API keys accepted for requests."
    )
    admin_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list, description="Comma-separated keys for admin endpoints (reload)."
    )
    require_key: bool = Field(
        default=False, description="Every endpoint (but /healthz, /readyz) needs an API key."
    )
    decision_log: bool = Field(
        default=False,
        description="Keep every answer under its decision id (GET /v1/decisions). Off by "
        "default: it stores who was asked about, and costs about 15% of check throughput.",
    )
    database_url: SecretStr | None = Field(
        default=None,
        description="Decision log database: sqlite:///PATH or postgresql://USER:PASSWORD@HOST/DB "
        "(needs the postgres extra, psycopg); default a SQLite file DATA_DIR/decisions.sqlite3. "
        "Several workers or hosts can share one PostgreSQL log.",
    )
    decision_retention_days: int = Field(
        default=90,
        ge=0,
        description="Decisions older than this many days are deleted from the log (hourly); "
        "0 keeps them forever.",
    )
    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, description="Largest request body accepted (413 beyond)."
    )

    batch_max_bytes: int = Field(
        default=512 * 1_048_576,
        ge=1024,
        description="Largest streamed batch body (POST /v1/batch).",
    )
    batch_max_rows: int = Field(
        default=2_000_000, ge=1, description="Most rows answered in one streamed batch."
    )
    body_idle_timeout: float = Field(
        default=30.0,
        gt=0,
        description="Seconds a request body may stall between two chunks (408 beyond, or an "
        "error record ending a batch already answering).",
    )
    body_total_timeout: float = Field(
        default=900.0,
        gt=0,
        description="Seconds a whole request body may take to arrive (408 beyond, or an error "
        "record ending a batch already answering).",
    )
    batch_uploads_per_client: int = Field(
        default=4, ge=1, description="Streamed batches one client address may run at once (429)."
    )
    batch_uploads: int = Field(
        default=16,
        ge=1,
        description="Streamed batches the process runs at once, each in its own thread from a "
        "pool kept apart from the other endpoints' (503 beyond).",
    )
    max_itineraries: int = Field(
        default=1000, ge=1, description="Most itineraries in one POST /v1/itineraries (413 beyond)."
    )

    @model_validator(mode="after")
    def _safe(self) -> Settings:
        if self.require_key and not self.api_keys:
            raise ValueError("ICC_EXPOSURE_REQUIRE_KEY is set but ICC_EXPOSURE_API_KEYS is empty")
        if self.api_keys and not self.require_key:
            # Keys given but not required would protect nothing, silently: refuse to start.
            raise ValueError(
                "ICC_EXPOSURE_API_KEYS is set but ICC_EXPOSURE_REQUIRE_KEY is not: set "
                "ICC_EXPOSURE_REQUIRE_KEY=true to require them, or remove the keys"
            )
        _ = self.decision_database  # refuse an unknown database URL at start-up
        return self

    @property
    def decision_database(self) -> Database:
        """Where the decision log lives."""
        if self.database_url is not None:
            return parse_database_url(self.database_url.get_secret_value())
        return Database("sqlite", path=self.data_dir / "decisions.sqlite3")

    @field_validator("api_keys", "admin_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [k.strip() for k in value.split(",") if k.strip()]
        return value

    @field_validator("api_keys", "admin_keys")
    @classmethod
    def _keys_long_enough(cls, value: list[SecretStr]) -> list[SecretStr]:
        for key in value:
            if len(key.get_secret_value()) < 16:
                raise ValueError("every key must be at least 16 characters long")
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
