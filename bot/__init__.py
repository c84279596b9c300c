"""The harm reduction bot's core: content, matching, conversation and rendering.

Nothing in this package imports Telegram: the same engine serves the Telegram adapter in
`handlers/`, the terminal (`hrbot chat`) and the tests.
"""
