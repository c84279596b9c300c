"""The Telegram bot around the engine; `handlers/app.py` shows how the pieces fit together."""
