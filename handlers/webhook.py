"""Webhook mode: a small ASGI app (Starlette, served by uvicorn) in front of the Application.

It follows python-telegram-bot's custom-webhook pattern: the Application runs without an
Updater and this app puts each verified update on its queue. It answers 200 as soon as the
update is queued, because Telegram waits for that answer before it sends the next update and
resends after a timeout. It holds nothing between requests, so any number of replicas can sit
behind a load balancer, and any replica may receive any update.

Every call must carry the secret Telegram was given with `hrbot set-webhook`; it is compared in
constant time so timing reveals nothing about it. The secret comes from `HRBOT_WEBHOOK_SECRET`
or the file named by `telegram.webhook_secret_file`, never from the config itself.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import re
import socket
from collections.abc import Mapping

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update

from bot.config import Telegram
from handlers.counters import Counters
from handlers.ptb import AnyApplication
from handlers.token import SecretError, read_secret

log = logging.getLogger(__name__)

SECRET_ENV = "HRBOT_WEBHOOK_SECRET"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram allows 1-256 of these characters; fewer than 16 would be guessable.
SECRET_FORMAT = re.compile(r"^[A-Za-z0-9_-]{16,256}$")
MAX_BODY = 1_000_000  # an update is a few KB; anything this big is not from Telegram


def read_webhook_secret(telegram: Telegram, environ: Mapping[str, str] | None = None) -> str:
    secret = read_secret(
        SECRET_ENV,
        telegram.webhook_secret_file,
        "webhook secret",
        os.environ if environ is None else environ,
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
    application: AnyApplication, path: str, secret: str, counters: Counters
) -> Starlette:
    """The ASGI app: POST `path` takes updates, GET /healthz says whether updates are handled."""
    expected = secret.encode()

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            counters.add("webhook_rejected")
            return Response(status_code=403)
        length = request.headers.get("content-length", "0")
        if not length.isdigit() or int(length) > MAX_BODY:
            return Response(status_code=413)
        try:
            data = json.loads(await request.body())
            update = Update.de_json(data, application.bot) if isinstance(data, dict) else None
        except (ValueError, TypeError, KeyError):
            update = None
        if update is None:
            return Response(status_code=400)  # nothing about the body is logged
        await application.update_queue.put(update)
        return Response()

    async def healthz(request: Request) -> Response:
        running = application.running
        return JSONResponse(
            {"status": "ok" if running else "stopping", "counts": counters.snapshot()},
            status_code=200 if running else 503,
        )

    return Starlette(
        routes=[
            Route(path, receive, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


def webhook_server(
    application: AnyApplication, telegram: Telegram, secret: str, counters: Counters
) -> uvicorn.Server:
    config = uvicorn.Config(
        webhook_app(application, telegram.webhook_path, secret, counters),
        host=telegram.listen,
        port=telegram.port,
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
