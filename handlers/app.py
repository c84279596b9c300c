"""The Telegram bot: building the Application, every handler in one place, and the two modes.

`hrbot run` calls `run` (long polling, or a webhook server for running several replicas) and
`hrbot set-webhook` calls `set_webhook`, once per deployment. What the Application is built
with is as important as what it does: no persistence, no per-user or per-chat data, no
arbitrary callback data, no job queue. The handlers hold an engine and counters, nothing else.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import sys
from collections.abc import Callable, Coroutine, Mapping
from types import FrameType
from typing import Any, TextIO

import uvicorn
from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot.config import Config
from bot.engine import Engine, build_engine
from bot.tools.alerts import state
from handlers.alerts import AlertPoster, alert_poster, post_alert, posting
from handlers.commands import register_commands
from handlers.counters import Counters
from handlers.errors import ErrorHandler
from handlers.feedback import FeedbackPresses
from handlers.group_chat import GroupChat
from handlers.http import AiohttpRequest
from handlers.inline import InlineAnswers, note_inline_mode
from handlers.logging import redact, setup_logging
from handlers.monitoring import Monitor, polling_monitor, serving
from handlers.polling import PollingRequest, auth_retry_seconds
from handlers.private_chat import PrivateChat
from handlers.ptb import (
    AnyApplication,
    BoundedUpdateQueue,
    BucketedRateLimiter,
    ForgetfulApplication,
)
from handlers.retry import RetryingRequest, RetryPolicy
from handlers.token import SecretError, read_token
from handlers.webhook import read_webhook_secret, serve_webhook, webhook_server
from handlers.words import Words, WordsError, load_words

log = logging.getLogger(__name__)

# Only these reach the bot at all; edits, channel posts and the rest are never even sent.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]

# Messages the bot cannot read (a shared location is read: it finds services nearby).
NOT_TEXT = (
    filters.VOICE
    | filters.AUDIO
    | filters.VIDEO_NOTE
    | filters.VIDEO
    | filters.PHOTO
    | filters.Sticker.ALL
    | filters.ANIMATION
    | filters.Document.ALL
    | filters.CONTACT
    | filters.POLL
    | filters.Dice.ALL
    | filters.STORY
)


def add_handlers(
    application: AnyApplication, engine: Engine, words: dict[str, Words], counters: Counters
) -> None:
    """Every handler the bot has, in the order they are tried.

    Only new messages count (`UpdateType.MESSAGE`): edited messages and channel posts match
    nothing here and are ignored, as is every other kind of update.
    """
    new_message = filters.UpdateType.MESSAGE
    private = new_message & filters.ChatType.PRIVATE
    group = new_message & filters.ChatType.GROUPS
    chat = PrivateChat(engine, counters)
    groups = GroupChat(engine, words, counters)
    application.add_handlers(
        [
            # /start [entry-id], /help, /menu, /emergency, /services, /privacy, /about, and
            # unknown commands (which get the help text) in a private chat. /forget and /card
            # too: their deletions and pins are done by handlers/chat_actions.py.
            MessageHandler(private & filters.COMMAND, chat.command),
            # Anything typed: the engine finds the answer or the emergency card.
            MessageHandler(private & filters.TEXT & ~filters.COMMAND, chat.text),
            # A shared location (or a venue): the services nearest to it, then it is dropped.
            MessageHandler(private & filters.LOCATION, chat.location),
            # Voice notes, photos, stickers …: "I read text only", the menu and 🆘.
            MessageHandler(private & NOT_TEXT, chat.not_text),
            # 👍 / 👎 under an answer: counted by answer id, thanked, the two buttons removed.
            CallbackQueryHandler(FeedbackPresses(engine, counters).press, pattern=r"^f:"),
            # Buttons: always acknowledged; topic-menu buttons edit the menu in place.
            CallbackQueryHandler(chat.button),
            # "@bot naloxone" in any chat: the answers to post there (docs/sharing.md).
            InlineQueryHandler(InlineAnswers(engine, counters).answer),
            # Groups: commands for this bot get a pointer to a private chat; text gets nothing.
            MessageHandler(group & filters.COMMAND, groups.command),
        ]
    )
    application.add_error_handler(ErrorHandler(counters))


def build_application(
    config: Config,
    engine: Engine,
    token: str,
    counters: Counters,
    words: dict[str, Words],
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    *,
    retry: RetryPolicy | None = None,
    auth_seconds: float | None = None,
) -> AnyApplication:
    """The Application for `config.telegram.mode`, with all handlers added.

    `request` replaces the HTTP layer for sending (tests pass a fake; the bot's own is aiohttp,
    see handlers/http.py, as the HTTP client is most of what an update costs). It is wrapped for
    5xx, network and unreadable-answer retries either way, per `retry` (from the config unless
    given). getUpdates goes through `PollingRequest`, which skips unreadable updates one by one
    and gives a token Telegram stops accepting `auth_seconds` before the bot stops.
    AIORateLimiter keeps this process under Telegram's limits and waits out 429 answers.
    """
    telegram = config.telegram
    http = request or AiohttpRequest(connection_pool_size=max(16, 2 * telegram.concurrent_updates))
    polling = PollingRequest(
        get_updates_request or HTTPXRequest(),
        counters,
        auth_retry_seconds(telegram) if auth_seconds is None else auth_seconds,
    )
    policy = retry or RetryPolicy.from_config(telegram)
    builder = (
        ApplicationBuilder()
        .application_class(ForgetfulApplication)
        .token(token)
        .base_url(telegram.base_url)
        .request(RetryingRequest(http, policy, counters))
        .get_updates_request(polling)
        .rate_limiter(
            BucketedRateLimiter(
                overall_max_rate=telegram.messages_per_second,
                max_retries=telegram.rate_limit_retries,
            )
        )
        .concurrent_updates(telegram.concurrent_updates)
        .update_queue(BoundedUpdateQueue(telegram.max_pending_updates))
        .arbitrary_callback_data(False)
        .job_queue(None)
    )
    if telegram.mode == "webhook":
        builder = builder.updater(None)
    application = builder.build()
    if isinstance(application, ForgetfulApplication):
        application.token_refused = polling.refused
    for language in engine.languages.values():
        language.tools.prepare()  # the /card images, so that no reply waits for one
    add_handlers(application, engine, words, counters)
    return application


async def serve_polling(
    application: AnyApplication,
    words: Mapping[str, Words],
    default: str,
    stop: asyncio.Event,
    poster: AlertPoster | None = None,
) -> None:
    """Long polling until `stop` is set; then the updates already fetched are still answered.
    `poster` posts drug-supply alerts to the service's channel meanwhile (handlers/alerts.py)."""
    if application.updater is None:
        raise RuntimeError("polling needs an Application built with an Updater")
    async with application:
        await register_commands(application.bot, words, default)
        note_inline_mode(application.bot)
        await application.updater.start_polling(
            allowed_updates=ALLOWED_UPDATES, error_callback=_polling_error
        )
        await application.start()
        log.info("polling for updates as @%s", application.bot.username)
        refused = getattr(application, "token_refused", None) or asyncio.Event()
        try:
            async with posting(poster):
                await _first(stop, refused)
        finally:
            try:
                await application.updater.stop()  # raises what ended polling, if anything did
            finally:
                await application.stop()
        if refused.is_set():
            raise InvalidToken("Telegram refused the token while polling")


async def _first(*events: asyncio.Event) -> None:
    """Wait until any of `events` is set."""
    waits = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()


def _polling_error(error: TelegramError) -> None:
    """The Updater retries by itself; this only says why, without the error's text."""
    if isinstance(error, Conflict):
        log.error(
            "another process is polling with this token; only one may poll "
            "(use webhook mode to run several)"
        )
    else:
        log.warning("getting updates failed (%s); retrying", type(error).__name__)


async def run_webhook(
    application: AnyApplication,
    server: uvicorn.Server,
    words: Mapping[str, Words],
    default: str,
    sockets: list[socket.socket] | None = None,
    poster: AlertPoster | None = None,
) -> None:
    """Webhook mode until SIGTERM/SIGINT or `server.should_exit`; `sockets` if already bound.
    `poster`: as in `serve_polling`."""
    async with application:
        await register_commands(application.bot, words, default)
        note_inline_mode(application.bot)
        log.info(
            "webhook for @%s starting on %s:%d",
            application.bot.username,
            server.config.host,
            server.config.port,
        )
        async with posting(poster):
            await serve_webhook(application, server, sockets)


def run(config: Config, out: TextIO | None = None) -> int:
    """`hrbot run`: 0 after a clean stop, 2 for a setup problem, 1 when Telegram is unreachable.

    Every problem a person can fix is one line on stderr, never a traceback.
    """
    err = out or sys.stderr
    setup_logging(config.log_level, json_lines=config.log_format == "json")
    telegram = config.telegram
    try:
        token = read_token(telegram)
        secret = read_webhook_secret(telegram) if telegram.mode == "webhook" else ""
        engine = build_engine(config, learn_later=True)  # answers before it has learnt all
        words = load_words(engine)
    except (SecretError, WordsError, ValueError) as exc:
        print(f"hrbot: {exc}", file=err)
        return 2
    counters = Counters()
    application = build_application(config, engine, token, counters, words)
    broken = [str(fallback) for fallback in engine.fallbacks]
    poster = alert_poster(config, engine, application.bot, counters)
    try:
        monitor = polling_monitor(config, application, counters, broken)
    except OSError as exc:
        where = f"{config.monitoring.listen}:{config.monitoring.port}"
        print(f"hrbot: cannot listen on {where} for monitoring ({exc.strerror})", file=err)
        return 2
    try:
        if telegram.mode == "webhook":
            server = webhook_server(application, telegram, secret, counters, broken_files=broken)
            with _signals_to(server.handle_exit):
                asyncio.run(run_webhook(application, server, words, engine.default, None, poster))
        else:
            asyncio.run(_poll_until_signal(application, words, engine.default, monitor, poster))
    except InvalidToken:
        print("hrbot: Telegram does not accept this token; check it with @BotFather", file=err)
        return 2
    except NetworkError as exc:
        where = redact(telegram.base_url)
        print(f"hrbot: cannot reach Telegram at {where} ({type(exc).__name__})", file=err)
        return 1
    except KeyboardInterrupt:
        pass
    log.info("stopped; %s", counters.summary())
    return 0


async def _poll_until_signal(
    application: AnyApplication,
    words: Mapping[str, Words],
    default: str,
    monitor: Monitor,
    poster: AlertPoster | None = None,
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with serving(monitor):
        await serve_polling(application, words, default, stop, poster)


class _signals_to:
    """SIGINT/SIGTERM go to `handler` for the whole run, including before and after uvicorn
    listens: uvicorn re-raises the signals it caught once it has stopped, and without this the
    default handler would kill the process before the queued updates are answered."""

    def __init__(self, handler: Callable[[int, FrameType | None], None]) -> None:
        self.handler = handler
        self.previous: dict[int, object] = {}

    def __enter__(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            self.previous[sig] = signal.signal(sig, self.handler)

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]


def set_webhook(config: Config, delete: bool, out: TextIO | None = None) -> int:
    """`hrbot set-webhook`: tell Telegram the public URL and the secret, once per deployment.

    Not done by the replicas themselves: several replicas starting together would each set it.
    """
    err = out or sys.stderr
    setup_logging(config.log_level, json_lines=config.log_format == "json")
    telegram = config.telegram
    try:
        token = read_token(telegram)
        secret = "" if delete else read_webhook_secret(telegram)
    except SecretError as exc:
        print(f"hrbot: {exc}", file=err)
        return 2
    url = telegram.webhook_url
    if not delete and not url:
        print(
            "hrbot: set telegram.webhook_url in the config to the public https URL "
            "that reaches the webhook replicas",
            file=err,
        )
        return 2

    async def call() -> None:
        request = RetryingRequest(HTTPXRequest(), RetryPolicy.from_config(telegram))
        async with Bot(token, base_url=telegram.base_url, request=request) as bot:
            if delete:
                await bot.delete_webhook()
            else:
                await bot.set_webhook(
                    str(url),
                    secret_token=secret,
                    allowed_updates=ALLOWED_UPDATES,
                    max_connections=telegram.max_connections,
                )

    failed = _call_telegram(call, err)
    if failed is not None:
        return failed
    if delete:
        print("webhook removed: the bot can poll again (`hrbot run` in polling mode)", file=err)
    else:
        print(f"webhook set: Telegram now sends updates to {url}", file=err)
    return 0


def post_alert_now(config: Config, alert_id: str, out: TextIO | None = None) -> int:
    """`hrbot alerts post ID`: post one live alert to the alerts channel, by hand (an alert
    published while the bot was not running is not posted by it; see handlers/alerts.py)."""
    err = out or sys.stderr
    setup_logging(config.log_level, json_lines=config.log_format == "json")
    telegram = config.telegram
    channel = config.alerts.channel
    if not channel:
        print("hrbot: set alerts.channel in the config to the channel's @name or id", file=err)
        return 2
    try:
        token = read_token(telegram)
        engine = build_engine(config)
    except (SecretError, ValueError) as exc:
        print(f"hrbot: {exc}", file=err)
        return 2
    alert = engine.library.alerts.get(alert_id)
    now = engine.clock()
    if alert is None or not alert.is_live(now):
        why = "no alert has this id" if alert is None else f"it is not live ({state(alert, now)})"
        print(f"hrbot: {alert_id}: {why}; `hrbot alerts` lists them", file=err)
        return 2

    async def call() -> None:
        request = RetryingRequest(HTTPXRequest(), RetryPolicy.from_config(telegram))
        async with Bot(token, base_url=telegram.base_url, request=request) as bot:
            await post_alert(bot, engine, channel, alert)

    failed = _call_telegram(call, err)
    if failed is not None:
        return failed
    print(f"posted {alert_id} to {channel}", file=err)
    return 0


def _call_telegram(call: Callable[[], Coroutine[Any, Any, None]], err: TextIO) -> int | None:
    """Run a one-off Bot API call for a staff command; the exit status when it failed, said
    in words (the token never in them), or None when it went through."""
    try:
        asyncio.run(call())
    except InvalidToken:
        print("hrbot: Telegram does not accept this token; check it with @BotFather", file=err)
        return 2
    except TelegramError as exc:
        print(f"hrbot: Telegram refused: {redact(exc.message)}", file=err)
        return 1
    return None
