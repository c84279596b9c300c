"""`/metrics`: the bot's counts (handlers/counters.py) for `hrbot stats` or a Prometheus.

In webhook mode the route is on the webhook's own server. In polling mode there is no server,
so `telegram.metrics_port` starts a small one on `telegram.listen` (127.0.0.1 by default:
keep it private, or behind the same access rules as the rest of your monitoring). The page
holds totals and content ids only: nothing about anyone who wrote.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.config import Telegram
from handlers.counters import Counters

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def metrics_route(counters: Counters) -> Route:
    async def metrics(request: Request) -> Response:
        return PlainTextResponse(counters.prometheus(), media_type=CONTENT_TYPE)

    return Route("/metrics", metrics, methods=["GET"])


class _BesideServer(uvicorn.Server):
    """A uvicorn server that leaves SIGINT/SIGTERM to the poller it runs beside: the poller
    stops first, then stops this server."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def metrics_server(telegram: Telegram, counters: Counters, port: int) -> uvicorn.Server:
    """A server with `/metrics` only, for polling mode."""
    config = uvicorn.Config(
        Starlette(routes=[metrics_route(counters)]),
        host=telegram.listen,
        port=port,
        log_config=None,
        access_log=False,
        lifespan="off",
        server_header=False,
    )
    return _BesideServer(config)
