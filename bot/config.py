"""Settings for one deployment, read from a YAML file (see `config.example.yaml`).

Every setting has a default, so the bot runs with no config at all on the bundled content.
The Telegram token is never a setting: it comes from the environment or a token file, so the
config can be shared and reviewed without a secret in it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from bot.config_problems import country_problem, reword
from bot.content.files import ContentError, line_for, read_yaml
from bot.content.layers import BUNDLED_CONTENT
from bot.content.model import ReviewStatus
from bot.understanding.scorers import DEFAULT_METHOD

# The names in bot/understanding/scorers/__init__.py METHODS (a test keeps the two the same).
MatchingMethod = Literal["stems", "bm25", "chars", "classifier", "blend"]

__all__ = ["BUNDLED_CONTENT", "Config", "ConfigError", "load_config"]


class ConfigError(Exception):
    """A config that can't be used: every problem in it, each `path:line: what to do`."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.problems = problems
        if len(problems) == 1:
            message = problems[0]
        else:
            listed = "\n".join(f"  {problem}" for problem in problems)
            message = (
                f"{path} has {len(problems)} problems; fix them all, then run again:\n{listed}"
            )
        super().__init__(message)


class Matching(BaseModel):
    """How messages are matched to answers (docs/matching.md). Each method has thresholds of
    its own, tuned for how its scores spread; set these only to make the bot bolder or more
    careful than that."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    method: MatchingMethod = DEFAULT_METHOD
    answer_threshold: float | None = Field(None, ge=0, le=100)
    suggest_threshold: float | None = Field(None, ge=0, le=100)

    @field_validator("suggest_threshold")
    @classmethod
    def _below_answer(cls, value: float, info: ValidationInfo) -> float:
        answer = info.data.get("answer_threshold")
        if answer is not None and value > answer:
            raise ValueError(
                f'{value:g} is above answer_threshold ({answer:g}): "did you mean" choices are '
                "offered below the answer score, so make it lower"
            )
        return value


class Telegram(BaseModel):
    """How the bot talks to Telegram. Secrets (token, webhook secret) come from env or files."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    token_file: Path | None = None
    # the bot's @username, for the deep links `hrbot qr` puts on flyers (not needed to run)
    bot_username: str | None = Field(None, pattern=r"^@?[A-Za-z][A-Za-z0-9_]{3,31}$")
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
    # updates queued or being handled at most; more wait with Telegram (back-pressure)
    max_pending_updates: int = Field(256, ge=1, le=100_000)
    # webhook: how long (seconds) a POST waits for a place before it gets 503 (sent again later)
    queue_wait_seconds: float = Field(5.0, gt=0, le=300)


class Monitoring(BaseModel):
    """Polling mode's optional server for /healthz and /metrics (webhook mode has both on its
    own port). Off unless `port` is set."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    listen: str = "127.0.0.1"
    port: int | None = Field(None, ge=1, le=65535)


class Alerts(BaseModel):
    """Drug-supply alerts (content/alerts/, docs/alerts.md). People see them in the bot
    without signing up; a service may also have the bot post each one to its own Telegram
    channel, so people subscribe through Telegram and the bot keeps no list of anyone."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    # The channel's @username or its numeric id (-100…); the bot must be one of its admins.
    channel: str | None = Field(None, pattern=r"^(@[A-Za-z][A-Za-z0-9_]{4,31}|-100[0-9]{6,})$")
    # The link people follow to join (shown under /alerts); made from an @username when unset.
    channel_link: str | None = Field(None, pattern=r"^https://t\.me/[A-Za-z0-9_+/-]+$")
    # Post each alert when its `published` time comes while the bot runs: true, false, or
    # null (the default) for polling mode only, as webhook replicas would each post it.
    auto_post: bool | None = None

    @property
    def link(self) -> str:
        if self.channel_link:
            return self.channel_link
        if self.channel and self.channel.startswith("@"):
            return f"https://t.me/{self.channel[1:]}"
        return ""


def default_cache_dir() -> Path | None:
    """HRBOT_CACHE_DIR (set but empty: no folder), else $XDG_CACHE_HOME/hrbot, else
    ~/.cache/hrbot."""
    chosen = os.environ.get("HRBOT_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) if chosen.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hrbot"


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
    # "text": one line per record; "json": one JSON object per line, for log collectors
    log_format: Literal["text", "json"] = "text"
    matching: Matching = Matching()
    telegram: Telegram = Telegram()
    monitoring: Monitoring = Monitoring()
    alerts: Alerts = Alerts()
    # Where the content's phrases, once read, are kept so the next start is faster
    # (bot/understanding/content_words.py); null: read them at every start. Nothing of a
    # message is ever written there.
    cache_dir: Path | None = Field(default_factory=default_cache_dir)

    @field_validator("country")
    @classmethod
    def _country_code(cls, value: str | None) -> str | None:
        if value is None:
            return None
        problem = country_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value.strip().upper()


def load_config(path: Path | None) -> Config:
    """The config in `path`, or the defaults; paths inside are relative to the file.

    Every mistake is reported at once (ConfigError), each at its line and saying what to write,
    so a person fixes them all in one go instead of one per start."""
    if path is None:
        return Config()
    try:
        doc = read_yaml(path)
    except ContentError as exc:
        raise ConfigError(path, [str(exc.problem)]) from None
    data = {} if doc.data is None else doc.data
    if not isinstance(data, dict):
        raise ConfigError(path, [f"{path}:1: must be `setting: value` lines"])
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        found = []
        for error in exc.errors():
            key = ".".join(str(part) for part in error["loc"])
            found.append((line_for(doc.lines, key), f"{key}: {reword(Config, error)}"))
        raise ConfigError(
            path, [f"{path}:{line}: {text}" for line, text in sorted(found)]
        ) from None
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
    for name in ("content_dir", "local_content", "cache_dir"):
        value = getattr(config, name)
        if value is not None and not value.is_absolute():
            config = config.model_copy(update={name: folder / value})
    return config
