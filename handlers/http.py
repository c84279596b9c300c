"""Sending to the Bot API over aiohttp: the same calls as python-telegram-bot's own request
object, at about a third of the CPU per call.

Every update the bot answers is one or two Bot API calls, so the HTTP client is most of what an
update costs. Under load, python-telegram-bot's `HTTPXRequest` spent about 70% of the bot's CPU
in httpx and httpcore (connection-pool bookkeeping that grows with the connections in use, and
an import attempted on every request), several times what the engine itself costs.
`benchmarks/per_update.py` measures the difference against a bare python-telegram-bot bot.

It behaves as `HTTPXRequest` does where the rest of the bot can tell: the same timeouts (read,
write, connect, pool), `TimedOut` for a timeout and `NetworkError` for any other failure on the
way (which handlers/retry.py retries), and the status and body of every answer, whatever its
code. Errors name the failure's type only: an aiohttp message can hold the URL, and the URL
holds the token. No cookies are kept, and certificates are checked against certifi's bundle
(as httpx does), so a slim container without system CA files still verifies Telegram.
"""

from __future__ import annotations

import ssl

import aiohttp
import certifi
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput  # the type BaseRequest itself uses
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` on one aiohttp session with a pool of `connection_pool_size`."""

    def __init__(
        self,
        connection_pool_size: int = 32,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self.pool_size = connection_pool_size
        self._timeouts = {
            "read": read_timeout,
            "write": write_timeout,
            "connect": connect_timeout,
            "pool": pool_timeout,
        }
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts["read"]

    async def initialize(self) -> None:
        """The session is made here, inside the running event loop, as aiohttp needs."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self.pool_size,
                ssl=ssl.create_default_context(cafile=certifi.where()),
                ttl_dns_cache=300,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=False,
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("this AiohttpRequest is not initialized")
        files = request_data is not None and request_data.contains_files
        write_default = self._media_write_timeout if files else self._timeouts["write"]
        timeout = self._timeout(
            self._given(read_timeout, self._timeouts["read"]),
            self._given(write_timeout, write_default),
            self._given(connect_timeout, self._timeouts["connect"]),
            self._given(pool_timeout, self._timeouts["pool"]),
        )
        data: aiohttp.FormData | str | None = None
        headers: dict[str, str] | None = None
        if request_data is not None and files:
            data = _multipart(request_data)
        elif request_data is not None and request_data.parameters:
            data, headers = request_data.url_encoded_parameters(), FORM
        try:
            async with session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:  # aiohttp's timeouts are TimeoutErrors too
            raise TimedOut(f"aiohttp.{type(exc).__name__}") from None
        except (aiohttp.ClientError, OSError) as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}") from None

    @staticmethod
    def _given(value: ODVInput[float], default: float | None) -> float | None:
        return default if isinstance(value, DefaultValue) else value

    @staticmethod
    def _timeout(
        read: float | None, write: float | None, connect: float | None, pool: float | None
    ) -> aiohttp.ClientTimeout:
        """aiohttp's timeouts for httpx's four: waiting for a pooled connection counts towards
        `connect`, and the whole call is bounded by all four together (aiohttp has no timeout
        for writing alone)."""
        parts = (read, write, connect, pool)
        total = None if any(part is None for part in parts) else sum(p or 0.0 for p in parts)
        waiting = None if connect is None or pool is None else connect + pool
        return aiohttp.ClientTimeout(
            total=total, connect=waiting, sock_connect=connect, sock_read=read
        )


def _multipart(request_data: RequestData) -> aiohttp.FormData:
    """Uploads (a file with its parameters) as multipart/form-data, as httpx would send them."""
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, field in request_data.multipart_data.items():
        filename, content, mimetype = field[0], field[1], field[2]
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
