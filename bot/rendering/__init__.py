"""Turning answers and messages into Telegram HTML: templates, Markdown, Telegram's HTML rules."""
