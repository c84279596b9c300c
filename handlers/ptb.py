"""Short names for python-telegram-bot's generic types, so signatures stay readable."""

from __future__ import annotations

from typing import Any, TypeAlias

from telegram.ext import Application, ContextTypes

# The Application as built by ApplicationBuilder with default context types.
AnyApplication: TypeAlias = Application[Any, Any, Any, Any, Any, Any]
Context: TypeAlias = ContextTypes.DEFAULT_TYPE
