"""Webhook mode: a small ASGI app (Starlette, served by uvicorn) in front of the Application.

It follows python-telegram-bot's custom-webhook pattern: the Application runs without an
Updater and this app puts each verified update on its queue. It answers 200 as soon as the
update is queued, because Telegram waits for that answer before it sends the next update and
resends after a timeout. It holds nothing between requests, so any number of replicas can sit
behind a load balancer, and any replica may receive any update.

Every call must carry the secret Telegram was given with `hrbot set-webhook`; it is compared in
constant time so timing reveals nothing about it. The secret comes from `HRBOT_WEBHOOK_SECRET`
or the file named by `telegram.webhook_secret_file`, never from the config itself.

The server is open to anyone who can reach it, so it limits what a client can make it hold: a
body over `MAX_BODY` is refused whether its length is announced or it comes in chunks, a body
that does not arrive within the client timeout gets 408, and a connection that has not sent a
whole request head within that time (a slow or half-open client) is closed. Idle keep-alive
connections are closed by uvicorn after 5 s. Whatever a body holds, a bad one gets 400.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import re
import socket
from collections.abc import Mapping, Sequence

import h11
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Update
from uvicorn.protocols.http.h11_impl import H11Protocol

from bot.config import Telegram
from handlers.counters import Counters
from handlers.monitoring import monitoring_routes
from handlers.ptb import AnyApplication
from handlers.token import SecretError, read_secret

log = logging.getLogger(__name__)

SECRET_ENV = "HRBOT_WEBHOOK_SECRET"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram allows 1-256 of these characters; fewer than 16 would be guessable.
SECRET_FORMAT = re.compile(r"^[A-Za-z0-9_-]{16,256}$")
MAX_BODY = 1_000_000  # an update is a few KB; anything this big is not from Telegram
# How long a client may take to send a request (`telegram.client_timeout`); Telegram takes
# milliseconds.
DEFAULT_CLIENT_TIMEOUT = 10.0
# How long an update waits for a place in the update queue before it gets 503.
DEFAULT_QUEUE_WAIT = 5.0


class BodyTooLarge(Exception):
    pass


def client_timeout(telegram: Telegram) -> float:
    return telegram.client_timeout


def read_webhook_secret(telegram: Telegram, environ: Mapping[str, str] | None = None) -> str:
    secret = read_secret(
        SECRET_ENV,
        telegram.webhook_secret_file,
        "webhook secret",
        os.environ if environ is None else environ,
        credential="webhook-secret",
    )
    if not secret:
        raise SecretError(
            f"webhook mode needs a secret: set {SECRET_ENV} or telegram.webhook_secret_file "
            "(make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    if not SECRET_FORMAT.match(secret):
        raise SecretError(
            "the webhook secret must be 16-256 characters of A-Z, a-z, 0-9, _ and - "
            "(make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    return secret


def webhook_app(
    application: AnyApplication,
    path: str,
    secret: str,
    counters: Counters,
    timeout: float = DEFAULT_CLIENT_TIMEOUT,
    queue_wait: float = DEFAULT_QUEUE_WAIT,
    broken_files: Sequence[str] = (),
) -> Starlette:
    """The ASGI app: POST `path` takes updates; GET /healthz says whether updates are handled
    and GET /metrics has the counts for Prometheus (handlers/monitoring.py).

    An update waits up to `queue_wait` seconds for a place in the bounded update queue
    (handlers/ptb.py); then it gets 503, and Telegram sends it again later. `broken_files`
    go to /healthz."""
    expected = secret.encode()

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            counters.add("webhook_rejected")
            return Response(status_code=403)
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            return Response(status_code=413)
        try:
            async with asyncio.timeout(timeout):
                body = await read_body(request, MAX_BODY)
        except BodyTooLarge:
            return Response(status_code=413)
        except TimeoutError:
            return Response(status_code=408)
        update = parse_update(body, application)
        if update is None:
            return Response(status_code=400)  # nothing about the body is logged
        try:
            async with asyncio.timeout(queue_wait):
                await application.update_queue.put(update)
        except TimeoutError:
            counters.add("updates_deferred")
            return Response(status_code=503, headers={"Retry-After": "1"})
        return Response()

    return Starlette(
        routes=[
            Route(path, receive, methods=["POST"]),
            *monitoring_routes(application, counters, broken_files),  # /healthz and /metrics
        ]
    )


async def read_body(request: Request, limit: int) -> bytes:
    """The body, chunked or not, refused as soon as it grows past `limit`."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def parse_update(body: bytes, application: AnyApplication) -> Update | None:
    """The update in `body`, or None for anything else: whatever is wrong with a body (not
    JSON, not an object, a field of the wrong kind), it is the sender's fault, never a 500."""
    try:
        data = json.loads(body)
        return Update.de_json(data, application.bot) if isinstance(data, dict) else None
    except Exception:
        return None


def guarded_protocol(timeout: float) -> type[H11Protocol]:
    """uvicorn's HTTP/1.1 protocol, closing connections that send no whole request in time.

    uvicorn times out idle keep-alive connections, but not one that opened and sent nothing,
    or half a request head: each such connection would be held for as long as the client
    likes. Here each connection must have a request in the app within `timeout` of opening
    (and of its previous response), or it is closed.
    """

    class GuardedH11Protocol(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)  # type: ignore[arg-type]
            self._arm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
            super().connection_lost(exc)

        def _arm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
            self._deadline = self.loop.call_later(timeout, self._expired)

        def _expired(self) -> None:
            waiting = self.cycle is None or self.cycle.response_complete
            if waiting and not self.transport.is_closing():
                if self.conn.our_state is h11.IDLE:
                    self.transport.close()
                else:
                    self.transport.abort()

    return GuardedH11Protocol


def webhook_server(
    application: AnyApplication,
    telegram: Telegram,
    secret: str,
    counters: Counters,
    timeout: float | None = None,
    broken_files: Sequence[str] = (),
) -> uvicorn.Server:
    """The uvicorn server for the webhook; `timeout` for slow clients (from the config unless
    given); `broken_files` for /healthz."""
    limit = client_timeout(telegram) if timeout is None else timeout
    config = uvicorn.Config(
        webhook_app(
            application,
            telegram.webhook_path,
            secret,
            counters,
            limit,
            telegram.queue_wait_seconds,
            broken_files,
        ),
        host=telegram.listen,
        port=telegram.port,
        http=guarded_protocol(limit),
        timeout_keep_alive=5,
        h11_max_incomplete_event_size=16 * 1024,  # a request head; Telegram's are tiny
        log_config=None,  # keep the bot's logging (and its filters) as they are
        access_log=False,  # an access log line per update says nothing useful
        lifespan="off",
        server_header=False,
        timeout_graceful_shutdown=10,
    )
    return uvicorn.Server(config)


async def serve_webhook(
    application: AnyApplication,
    server: uvicorn.Server,
    sockets: list[socket.socket] | None = None,
) -> None:
    """Serve until the server is told to stop (SIGTERM, SIGINT or `server.should_exit`).

    The Application must be initialized. On shutdown uvicorn first finishes the requests in
    flight, then `Application.stop()` handles every update already queued, so an update that
    got its 200 is always answered.
    """
    await application.start()
    try:
        await server.serve(sockets=sockets)
    finally:
        await application.stop()
