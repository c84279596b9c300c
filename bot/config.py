"""Settings for one deployment, read from a YAML file (see `config.example.yaml`).

Every setting has a default, so the bot runs with no config at all on the bundled content.
The Telegram token is never a setting: it comes from the environment or a token file, so the
config can be shared and reviewed without a secret in it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.content.layers import BUNDLED_CONTENT
from bot.content.model import ReviewStatus
from bot.understanding.scorers import DEFAULT_METHOD

# The names in bot/understanding/scorers/__init__.py METHODS (a test keeps the two the same).
MatchingMethod = Literal["stems", "bm25", "chars", "classifier", "blend"]

__all__ = ["BUNDLED_CONTENT", "Config", "ConfigError", "load_config"]


class ConfigError(Exception):
    """A config that can't be used; the message is one line a person can act on."""


class Matching(BaseModel):
    """How messages are matched to answers (docs/matching.md). Each method has thresholds of
    its own, tuned for how its scores spread; set these only to make the bot bolder or more
    careful than that."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    method: MatchingMethod = DEFAULT_METHOD
    answer_threshold: float | None = Field(None, ge=0, le=100)
    suggest_threshold: float | None = Field(None, ge=0, le=100)


class Telegram(BaseModel):
    """How the bot talks to Telegram. Secrets (token, webhook secret) come from env or files."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    token_file: Path | None = None
    base_url: str = "https://api.telegram.org/bot"
    mode: Literal["polling", "webhook"] = "polling"
    # webhook mode: where this process listens, and the public URL Telegram posts to
    listen: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    webhook_path: str = Field("/telegram", pattern=r"^/[A-Za-z0-9/_.-]*$")
    webhook_url: str | None = Field(None, pattern=r"^https?://")
    webhook_secret_file: Path | None = None
    max_connections: int = Field(40, ge=1, le=100)
    # sending: retries after 429 / 5xx / network errors, and this process's own rate limit
    # A failing send (5xx, network error, an answer that isn't JSON) is tried again for up to
    # retry_seconds; max_retries, when set, also caps how many times. 429s wait as Telegram asks,
    # at most rate_limit_retries times.
    retry_seconds: float = Field(120.0, ge=0, le=3600)
    max_retries: int | None = Field(None, ge=0, le=100)
    rate_limit_retries: int = Field(3, ge=0, le=10)
    # polling: how long a token Telegram stopped accepting mid-run is retried before stopping
    auth_retry_seconds: float = Field(300.0, ge=0, le=3600)
    # webhook: how long a client may take to send a request's head or body
    client_timeout: float = Field(10.0, gt=0, le=300)
    messages_per_second: float = Field(30.0, ge=0)
    concurrent_updates: int = Field(16, ge=1, le=1024)


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # The content the bot starts from: the bundled folder unless a whole other tree is given.
    content_dir: Path = BUNDLED_CONTENT
    # The service's own folder (made by `hrbot init`), layered over content_dir.
    local_content: Path | None = None
    default_language: str = "en"
    country: str | None = None
    min_review_status: ReviewStatus = ReviewStatus.SOURCED
    operator: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    matching: Matching = Matching()
    telegram: Telegram = Telegram()

    @field_validator("country")
    @classmethod
    def _country_code(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if len(value) != 2 or not value.isalpha():
            raise ValueError("must be a 2-letter country code like GB or US")
        return value.upper()


def load_config(path: Path | None) -> Config:
    """The config in `path`, or the defaults; paths inside are relative to the file."""
    if path is None:
        return Config()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{line}: not valid YAML") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be `setting: value` lines")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"{path}: {where}: {first['msg']}") from None
    return _relative_to(config, path.parent)


def _relative_to(config: Config, folder: Path) -> Config:
    """Paths in a config file are read from the file's own folder, wherever the bot starts."""
    telegram = config.telegram
    files = {
        name: folder / value
        for name in ("token_file", "webhook_secret_file")
        if (value := getattr(telegram, name)) is not None and not value.is_absolute()
    }
    if files:
        config = config.model_copy(update={"telegram": telegram.model_copy(update=files)})
    for name in ("content_dir", "local_content"):
        value = getattr(config, name)
        if value is not None and not value.is_absolute():
            config = config.model_copy(update={name: folder / value})
    return config
