"""The content that ships with hrbot: answers, lexicons, templates, numbers, services.

This folder is installed as the package `bot.bundled` (see pyproject.toml), so a normal
`pip install` carries it; code finds it with `bot.content.layers.bundled_content()`.
"""
