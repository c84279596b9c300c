"""The harm reduction bot's core: content, understanding, conversation, rendering, services.

Nothing in this package imports Telegram: the same engine serves the Telegram adapter in
`handlers/`, the terminal (`hrbot chat`) and the tests.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("hrbot")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
