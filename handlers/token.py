"""Reading the secrets: the bot token, and the webhook secret (same rules, different names).

Secrets are never config settings, so a config file can be shared and reviewed. Each comes
from an environment variable, from a file named in the config (for Docker/Kubernetes
secrets), or from a systemd credential (`LoadCredential=telegram-token:…` in the unit, read
from `$CREDENTIALS_DIRECTORY`; see docs/deploy.md). Anything wrong becomes a `SecretError`
whose message is one line a person can act on; the secret itself is never part of a message.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from bot.config import Telegram

TOKEN_ENV = "HRBOT_TELEGRAM_TOKEN"
TOKEN_CREDENTIAL = "telegram-token"
TOKEN_FORMAT = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")


class SecretError(Exception):
    """A missing or malformed secret; the message is one actionable line."""


CREDENTIALS_ENV = "CREDENTIALS_DIRECTORY"  # where systemd puts a unit's credentials


def read_secret(
    env: str,
    file: Path | None,
    what: str,
    environ: Mapping[str, str],
    credential: str | None = None,
) -> str:
    """The secret from `env`, else from `file`, else from the systemd credential named
    `credential`; "" when none is set.

    The environment wins so an operator can override a mounted file without editing config.
    """
    value = environ.get(env, "").strip()
    if value:
        return value
    folder = environ.get(CREDENTIALS_ENV, "")
    if file is None and credential is not None and folder:
        file = Path(folder) / credential
        if not file.exists():
            return ""
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
        TOKEN_ENV,
        telegram.token_file,
        "token",
        os.environ if environ is None else environ,
        credential=TOKEN_CREDENTIAL,
    )
    if not token:
        raise SecretError(
            f"no Telegram token: set {TOKEN_ENV} or telegram.token_file in the config, or "
            f"give the systemd unit LoadCredential={TOKEN_CREDENTIAL}:FILE "
            "(create a bot with @BotFather to get one)"
        )
    if not TOKEN_FORMAT.match(token):
        if environ_has(TOKEN_ENV, environ):
            source = TOKEN_ENV
        elif telegram.token_file is not None:
            source = str(telegram.token_file)
        else:
            source = f"the systemd credential {TOKEN_CREDENTIAL}"
        raise SecretError(
            f"the token in {source} does not look like a bot token "
            "(BotFather gives one like 123456789:AAE… with no spaces or quotes)"
        )
    return token


def environ_has(name: str, environ: Mapping[str, str] | None) -> bool:
    return bool((os.environ if environ is None else environ).get(name, "").strip())
