"""Every error is JSON: ``{"error": {"code": ..., "message": ...}}``."""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("sohoa.serving.api")

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
         422: "unprocessable", 429: "too_many_requests", 500: "internal", 503: "not_ready"}


class ApiError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code or CODES.get(status, "error")
        self.message = message


class BodyTooLarge(Exception):
    """Raised from the receive channel when a request body passes its cap."""


def error_body(status: int, message: str, code: str | None = None) -> dict:
    return {"error": {"code": code or CODES.get(status, "error"), "message": message}}


def error_response(status: int, message: str, code: str | None = None, headers: dict | None = None
                   ) -> JSONResponse:
    return JSONResponse(error_body(status, message, code), status_code=status, headers=headers)


ERROR_RESPONSES = {
    s: {"description": CODES[s].replace("_", " "),
        "content": {"application/json": {"example": error_body(s, "…")}}}
    for s in (401, 403, 404, 413, 415, 422)
}


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return error_response(exc.status, exc.message, exc.code, headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc.__cause__, BodyTooLarge) or getattr(request.state, "body_too_large", False):
            return error_response(413, "request body too large")
        message = exc.detail if isinstance(exc.detail, str) else CODES.get(exc.status_code, "error")
        return error_response(exc.status_code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        if getattr(request.state, "body_too_large", False):
            return error_response(413, "request body too large")
        parts = []
        for err in exc.errors()[:5]:  # the location and the reason, never the submitted value
            loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            parts.append(f"{loc}: {err.get('msg')}" if loc else str(err.get("msg")))
        return error_response(422, "; ".join(parts) or "invalid request", "invalid_request")

    @app.exception_handler(BodyTooLarge)
    async def _too_large(_request: Request, _exc: BodyTooLarge) -> JSONResponse:
        return error_response(413, "request body too large")

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        from sohoa.serving.api.middleware import where
        log.error("unhandled %s at %s", type(exc).__name__, where(exc))  # no message: it may hold personal data
        return error_response(500, "internal error")
