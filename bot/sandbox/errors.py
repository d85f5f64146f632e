"""Exceptions of the sandbox Bot API server and its client."""

from __future__ import annotations

from typing import Any

from aiohttp import web


class ApiError(Exception):
    """A Bot API error answered exactly as Telegram does: ok=false + error_code + description."""

    def __init__(
        self,
        error_code: int,
        description: str,
        parameters: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body

    def response(self) -> web.Response:
        return web.json_response(self.body(), status=self.error_code)


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


class ControlError(Exception):
    """Misuse of the control API (bad injection spec, unknown message...), not a Bot API error."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def response(self) -> web.Response:
        return web.json_response({"error": self.message}, status=self.status)


class SentTimeoutError(AssertionError):
    """Fewer outgoing calls than expected arrived in time.

    An AssertionError so pytest shows it as a failed expectation with the full listing.
    """


class ControlApiError(RuntimeError):
    """The control API rejected a client request."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"sandbox control API error {status}: {message}")
        self.status = status
        self.message = message
