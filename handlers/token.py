"""Reading the secrets: the bot token, and the webhook secret (same rules, different names).

Secrets are never config settings, so a config file can be shared and reviewed. Each comes
from an environment variable or from a file named in the config (for Docker/Kubernetes
secrets). Anything wrong becomes a `SecretError` whose message is one line a person can act
on; the secret itself is never part of a message.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from bot.config import Telegram

TOKEN_ENV = "HRBOT_TELEGRAM_TOKEN"
TOKEN_FORMAT = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")


class SecretError(Exception):
    """A missing or malformed secret; the message is one actionable line."""


def read_secret(env: str, file: Path | None, what: str, environ: Mapping[str, str]) -> str:
    """The secret from `env`, else from `file`; "" when neither is set.

    The environment wins so an operator can override a mounted file without editing config.
    """
    value = environ.get(env, "").strip()
    if value:
        return value
    if file is None:
        return ""
    try:
        return file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SecretError(f"the {what} file {file} cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise SecretError(f"the {what} file {file} is not text") from None


def read_token(telegram: Telegram, environ: Mapping[str, str] | None = None) -> str:
    """The bot token, checked for shape so a typo fails here rather than at Telegram."""
    token = read_secret(
        TOKEN_ENV, telegram.token_file, "token", os.environ if environ is None else environ
    )
    if not token:
        raise SecretError(
            f"no Telegram token: set {TOKEN_ENV} or telegram.token_file in the config "
            "(create a bot with @BotFather to get one)"
        )
    if not TOKEN_FORMAT.match(token):
        source = TOKEN_ENV if environ_has(TOKEN_ENV, environ) else str(telegram.token_file)
        raise SecretError(
            f"the token in {source} does not look like a bot token "
            "(BotFather gives one like 123456789:AAE… with no spaces or quotes)"
        )
    return token


def environ_has(name: str, environ: Mapping[str, str] | None) -> bool:
    return bool((os.environ if environ is None else environ).get(name, "").strip())
