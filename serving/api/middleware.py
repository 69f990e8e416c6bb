"""Pure ASGI middleware: request body caps and Prometheus request metrics."""
from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sohoa.serving.api.errors import BodyTooLarge, error_response


class BodyLimit:
    """Refuses bodies over a cap: at once from Content-Length, else while streaming."""

    def __init__(self, app: ASGIApp, limit_for):  # limit_for(path) -> int bytes
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > limit
            except ValueError:
                too_big = True
            if too_big:
                await error_response(413, f"request body too large (limit {limit} bytes)")(scope, receive, send)
                return
        seen = 0

        async def capped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    scope.setdefault("state", {})["body_too_large"] = True
                    raise BodyTooLarge()
            return message

        await self.app(scope, capped, send)


access_log = logging.getLogger("sohoa.access")


def where(exc: BaseException) -> str:
    """file:line of the innermost frame of a traceback, without any message text."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return "?"
    return f"{tb.tb_frame.f_code.co_filename.rsplit('/', 2)[-1]}:{tb.tb_lineno}"


class RequestMetrics:
    """Counts and times requests; logs method, route template, status and duration, never the
    query string or body (they may carry personal data)."""

    def __init__(self, app: ASGIApp, metrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = {"code": 500}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                status["started"] = True
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:  # noqa: BLE001
            # Answer here instead of letting the server log the exception: its message may quote
            # the request (personal data). Only the type and where it was raised are logged.
            access_log.error("unhandled %s at %s", type(exc).__name__, where(exc))
            status["code"] = 500
            if not status.get("started"):
                await error_response(500, "internal error")(scope, receive, send)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            seconds = time.perf_counter() - start
            self.metrics.observe_request(scope["method"], path, status["code"], seconds)
            access_log.info("%s %s %d %.0fms", scope["method"], path, status["code"], seconds * 1000)
