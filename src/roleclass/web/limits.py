"""The server's limits: request body size and deadline, header deadline, connections.

A slow or hostile client must not hold the server: ``BodyLimit`` answers 413 for a
body over the limit and 408 for one that has not all arrived within its deadline;
``server_options`` gives uvicorn its keep-alive timeout, a connection limit (503
beyond) and a protocol that closes a connection whose headers are too slow.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 10 * 2**20  # a request body over this gets 413 (a posting is at most 1M characters)
BODY_TIMEOUT_S = 30.0  # the whole request body must arrive within this (a trickled body gets 408)
HEADER_TIMEOUT_S = 10.0  # a connection must send its request headers within this (else closed)
KEEP_ALIVE_S = 5  # an idle keep-alive connection is closed after this
MAX_CONNECTIONS = 100  # connections and requests at once; more get 503
MAX_HEADER_BYTES = 64 * 1024  # request line and headers (h11's incomplete-event limit)


# -- size limit ---------------------------------------------------------------------------
def too_large_message(limit: int, size: int | None = None) -> str:
    limit_text = f"{limit:,} bytes ({limit / 2**20:g} MiB)"
    head = (
        f"is {size:,} bytes; the limit is {limit_text}"
        if size is not None
        else f"is over the limit of {limit_text}"
    )
    return f"the request body {head}. Send less, or use `roleclass batch` for large files."


class BodyLimit:
    """413 for a request body over ``limit`` bytes: at once by Content-Length, else as the
    body streams in (an HTTPException raised while the endpoint reads it); 408 for a body
    that has not all arrived ``timeout`` seconds after the endpoint first asked for it
    (a client trickling a byte at a time would otherwise hold a worker thread)."""

    def __init__(self, app: ASGIApp, limit: int, respond: Any, timeout: float = BODY_TIMEOUT_S) -> None:
        self.app, self.limit, self.respond, self.timeout = app, limit, respond, timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length", b"").decode("latin-1")
        if length.isdigit() and int(length) > self.limit:
            response = self.respond(scope.get("path", ""), 413, too_large_message(self.limit, int(length)))
            await response(scope, receive, send)
            return
        received = 0
        deadline: float | None = None
        body_done = False
        loop = asyncio.get_running_loop()

        async def limited() -> Message:
            nonlocal received, deadline, body_done
            if body_done:  # after the body: waiting for a disconnect is not bounded
                return await receive()
            if deadline is None:
                deadline = loop.time() + self.timeout
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                raise HTTPException(
                    408, f"the request body did not arrive within {self.timeout:g} s; send it at once"
                ) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise HTTPException(413, too_large_message(self.limit))
                body_done = not message.get("more_body", False)
            return message

        await self.app(scope, limited, send)


def server_options(
    max_connections: int = MAX_CONNECTIONS, header_timeout: float = HEADER_TIMEOUT_S
) -> dict[str, Any]:
    """uvicorn's settings for ``roleclass serve``: idle keep-alive closed after KEEP_ALIVE_S,
    at most ``max_connections`` at once (503 beyond), request headers within
    ``header_timeout`` and under MAX_HEADER_BYTES. The body deadline is the app's
    (``BodyLimit``)."""
    return {
        "timeout_keep_alive": KEEP_ALIVE_S,
        "limit_concurrency": max_connections,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
        "http": _header_timeout_protocol(header_timeout),
    }


def _header_timeout_protocol(seconds: float) -> Any:
    """uvicorn's h11 protocol, closing a connection that has not sent a whole request
    line and headers ``seconds`` after it opened (uvicorn itself waits for ever)."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeaderTimeoutH11(H11Protocol):
        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._header_timer = self.loop.call_later(seconds, self._headers_too_slow)

        def _headers_too_slow(self) -> None:
            if self.cycle is None and not self.transport.is_closing():
                self.transport.close()

        def connection_lost(self, exc: Exception | None) -> None:
            self._header_timer.cancel()
            super().connection_lost(exc)

    return HeaderTimeoutH11
