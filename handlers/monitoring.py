"""`/healthz` and `/metrics`: whether the bot is handling updates, and its counts for Prometheus.

In webhook mode both are on the webhook server itself (handlers/webhook.py adds these routes).
In polling mode there is no server at all unless `monitoring.port` is set; then a small one
serves just these two, on `monitoring.listen` (127.0.0.1 unless a container or a scraper on
another machine needs more).

`/healthz` answers 200 with the counts while updates are handled (in polling mode: while the
poller runs too), and 503 once the bot is stopping or polling has stopped, so a container
runtime or load balancer stops sending work to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Callable, Iterator, Sequence

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.config import Config
from handlers.counters import Counters
from handlers.metrics import exposition, registry_for
from handlers.ptb import AnyApplication


def handling(application: AnyApplication) -> Callable[[], bool]:
    """Whether updates are being handled: the Application runs, and so does polling if any."""

    def check() -> bool:
        updater = getattr(application, "updater", None)  # a test stand-in may have none
        return application.running and (updater is None or updater.running)

    return check


def monitoring_routes(
    application: AnyApplication, counters: Counters, broken_files: Sequence[str] = ()
) -> list[Route]:
    """/healthz and /metrics. `broken_files`: the safety files the bundled copies stand in for
    (bot/content/safety.py); while there are any the status is "degraded" (still 200: every
    reply is served)."""
    is_handling = handling(application)
    registry = registry_for(counters, is_handling)

    async def healthz(request: Request) -> Response:
        ok = is_handling()
        status = ("degraded" if broken_files else "ok") if ok else "stopping"
        body = {"status": status, "counts": counters.snapshot(), "broken_files": list(broken_files)}
        return JSONResponse(body, status_code=200 if ok else 503)

    async def metrics(request: Request) -> Response:
        return Response(exposition(registry), media_type=CONTENT_TYPE_LATEST)

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]


class QuietServer(uvicorn.Server):
    """A uvicorn server that leaves SIGINT and SIGTERM to the bot: the polling loop stops on
    them and then stops this server, after the updates already fetched are answered."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind(listen: str, port: int) -> socket.socket:
    """The listening socket, bound before anything starts so a port in use is one clear error
    (OSError) instead of a server that exits on its own later."""
    family = socket.AF_INET6 if ":" in listen else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((listen, port))
        sock.listen(64)
    except OSError:
        sock.close()
        raise
    return sock


def monitoring_server(
    application: AnyApplication, counters: Counters, broken_files: Sequence[str] = ()
) -> QuietServer:
    """The polling mode's small server for `/healthz` and `/metrics` (serve it with a socket
    from `bind`)."""
    app = Starlette(routes=monitoring_routes(application, counters, broken_files))
    config = uvicorn.Config(
        app,
        log_config=None,  # keep the bot's logging (and its filters) as they are
        access_log=False,
        lifespan="off",
        server_header=False,
        timeout_keep_alive=5,
        timeout_graceful_shutdown=2,
    )
    return QuietServer(config)


# The polling mode's server and its bound socket, or None when monitoring.port is not set.
Monitor = tuple[QuietServer, socket.socket] | None


def polling_monitor(
    config: Config,
    application: AnyApplication,
    counters: Counters,
    broken_files: Sequence[str] = (),
) -> Monitor:
    """The server `hrbot run` starts beside polling when `monitoring.port` is set; OSError when
    the port cannot be had. Webhook mode needs none: its own server has both routes."""
    port = config.monitoring.port
    if config.telegram.mode != "polling" or port is None:
        return None
    sock = bind(config.monitoring.listen, port)
    return monitoring_server(application, counters, broken_files), sock


@contextlib.asynccontextmanager
async def serving(monitor: Monitor) -> AsyncIterator[None]:
    """Serve `monitor` (if any) for the duration of the block, then stop it."""
    if monitor is None:
        yield
        return
    server, sock = monitor
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield
    finally:
        server.should_exit = True
        await task


def health_url(config: Config) -> str | None:
    """Where the bot this config runs answers `/healthz`: the webhook port, or in polling mode
    `monitoring.port`; None when polling runs without one. A wildcard listen address is asked
    on the loopback address, as from inside the container."""
    if config.telegram.mode == "webhook":
        listen, port = config.telegram.listen, config.telegram.port
    elif config.monitoring.port is not None:
        listen, port = config.monitoring.listen, config.monitoring.port
    else:
        return None
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(listen, listen)
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/healthz"


def check_health(config: Config, timeout: float = 5.0) -> int:
    """`hrbot health`: 0 when the bot answers that it handles updates, 1 when it does not or
    cannot be reached, 2 when this config gives it nothing to ask. One line says which."""
    url = health_url(config)
    if url is None:
        print("hrbot: polling mode has no health check unless monitoring.port is set")
        return 2
    try:
        # no proxy: the bot is on this machine, whatever http_proxy says
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(url, timeout=timeout) as response:
            status = json.load(response).get("status", "?")
    except urllib.error.HTTPError as exc:
        print(f"not handling updates (HTTP {exc.code} from {url})")
        return 1
    except (OSError, ValueError) as exc:
        print(f"cannot ask {url} ({type(exc).__name__})")
        return 1
    print(status)
    return 0 if status == "ok" else 1
