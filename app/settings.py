"""Typed settings, read from the environment (prefix ``ICC_EXPOSURE_``); mirrored in README."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.decisions import sqlite_path
from app.resources import shipped

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every setting of the service and the CLI. Unsafe values are refused at start-up."""

    model_config = SettingsConfigDict(env_prefix="ICC_EXPOSURE_", extra="ignore")

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
    database_url: str | None = Field(
        default=None,
        description="Decision log database, sqlite:///PATH; default DATA_DIR/decisions.sqlite3.",
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
    max_itineraries: int = Field(
        default=1000, ge=1, description="Most itineraries in one POST /v1/itineraries (413 beyond)."
    )

    @model_validator(mode="after")
    def _safe(self) -> Settings:
        if self.require_key and not self.api_keys:
            raise ValueError("ICC_EXPOSURE_REQUIRE_KEY is set but ICC_EXPOSURE_API_KEYS is empty")
        if self.database_url is not None:
            sqlite_path(self.database_url)  # refuse anything but sqlite:///PATH at start-up
        return self

    @property
    def decision_db(self) -> Path:
        """The decision log's SQLite file."""
        if self.database_url is not None:
            return sqlite_path(self.database_url)
        return self.data_dir / "decisions.sqlite3"

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
                raise ValueError("API keys must be at least 16 characters long")
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
