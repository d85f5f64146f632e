"""HTTP control API (JSON in, JSON out) for tests and the sandbox web chat.

Every route is a thin wrapper over a BotApiServer method, so in-process callers and HTTP
callers get the same behaviour. Routes live under /control/{token}/.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import ControlError

if TYPE_CHECKING:
    from .server import BotApiServer

Handler = Callable[[web.Request], Awaitable[Any]]
PREFIX = "/control/{token}"


def add_control_routes(server: BotApiServer) -> None:
    routes = _ControlRoutes(server)
    add = server.app.router.add_route
    add("POST", f"{PREFIX}/updates", routes.wrap(routes.inject))
    add("GET", f"{PREFIX}/sent", routes.wrap(routes.sent))
    add("GET", f"{PREFIX}/chats", routes.wrap(routes.chats))
    add("GET", f"{PREFIX}/chats/{{chat_id}}/messages", routes.wrap(routes.chat_messages))
    add("POST", f"{PREFIX}/groups", routes.wrap(routes.register_group))
    add("POST", f"{PREFIX}/chats/{{chat_id}}/topics", routes.wrap(routes.create_topic))
    add(
        "DELETE",
        f"{PREFIX}/chats/{{chat_id}}/topics/{{thread_id}}",
        routes.wrap(routes.delete_topic),
    )
    add("GET", f"{PREFIX}/faults", routes.wrap(routes.faults))
    add("POST", f"{PREFIX}/faults", routes.wrap(routes.add_fault))
    add("DELETE", f"{PREFIX}/faults", routes.wrap(routes.clear_faults))
    add("POST", f"{PREFIX}/blocked", routes.wrap(routes.set_blocked))
    add("GET", f"{PREFIX}/commands", routes.wrap(routes.commands))
    add("GET", f"{PREFIX}/callback_answers", routes.wrap(routes.callback_answers))
    add("GET", f"{PREFIX}/webhook", routes.wrap(routes.webhook))
    add("GET", f"{PREFIX}/bot", routes.wrap(routes.get_bot))
    add("POST", f"{PREFIX}/bot", routes.wrap(routes.configure_bot))
    add("POST", f"{PREFIX}/reset", routes.wrap(routes.reset))
    add("GET", f"{PREFIX}/files/{{file_id}}", routes.wrap(routes.file))


def _int(value: Any, name: str, default: int | None = None) -> int | None:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ControlError(f"{name} must be an integer, got {value!r}") from None


def _float(value: Any, name: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ControlError(f"{name} must be a number, got {value!r}") from None


async def _json_body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except json.JSONDecodeError:
        raise ControlError("request body must be JSON") from None
    if not isinstance(body, dict):
        raise ControlError("request body must be a JSON object")
    return body


class _ControlRoutes:
    def __init__(self, server: BotApiServer) -> None:
        self.server = server

    def wrap(self, handler: Handler) -> Handler:
        """Turn results into JSON responses and ControlError/bad tokens into JSON errors."""

        async def route(request: web.Request) -> web.StreamResponse:
            try:
                self.server.bot(request.match_info["token"])
            except ValueError as exc:
                return ControlError(str(exc), status=401).response()
            try:
                result = await handler(request)
            except ControlError as exc:
                return exc.response()
            if isinstance(result, web.StreamResponse):
                return result
            return web.json_response(result)

        return route

    async def inject(self, request: web.Request) -> dict[str, Any]:
        token = request.match_info["token"]
        spec = await _json_body(request)
        # The seq before injection lets clients wait for exactly the replies to this update.
        last_seq = self.server.bot(token).last_seq
        update = self.server.inject_update(token, spec)
        return {"update": update, "last_seq": last_seq}

    async def sent(self, request: web.Request) -> dict[str, Any]:
        token, query = request.match_info["token"], request.query
        filters: dict[str, Any] = {
            "chat_id": _int(query.get("chat_id"), "chat_id"),
            "after": _int(query.get("after"), "after", 0),
            "method": query.get("method") or None,
        }
        wait = _float(query.get("wait"), "wait")
        if wait:
            count = _int(query.get("count"), "count", 1) or 1
            records = await self.server.wait_sent(
                token, count=count, timeout=wait, raise_on_timeout=False, **filters
            )
        else:
            records = self.server.sent(token, **filters)
        return {"records": records, "last_seq": self.server.bot(token).last_seq}

    # Both carry last_seq: a client (the web chat) reads a chat, then long-polls `sent` with
    # after=last_seq to hear about every later change without missing one.
    async def chats(self, request: web.Request) -> dict[str, Any]:
        token = request.match_info["token"]
        return {"chats": self.server.chats(token), "last_seq": self.server.bot(token).last_seq}

    async def chat_messages(self, request: web.Request) -> dict[str, Any]:
        token = request.match_info["token"]
        chat = self.server.chat(token, _int(request.match_info["chat_id"], "chat_id") or 0)
        return {
            "chat": chat.chat,
            "messages": self.server.chat_messages(token, chat.id),
            "reply_keyboard": chat.reply_keyboard,
            "topics": list(chat.topics.values()),
            "last_seq": self.server.bot(token).last_seq,
        }

    async def register_group(self, request: web.Request) -> dict[str, Any]:
        body = await _json_body(request)
        chat_id = _int(body.get("chat_id"), "chat_id")
        if chat_id is None:
            raise ControlError("chat_id is required")
        title = body.get("title")
        chat = self.server.register_group(
            request.match_info["token"],
            chat_id,
            title if isinstance(title, str) and title else None,
            forum=bool(body.get("forum", False)),
        )
        return {"chat": chat}

    async def create_topic(self, request: web.Request) -> dict[str, Any]:
        body = await _json_body(request)
        name, user = body.get("name"), body.get("user")
        if not isinstance(name, str):
            raise ControlError("name must be a string")
        if user is not None and not (isinstance(user, dict) and "id" in user):
            raise ControlError('"user" must be an object with at least "id"')
        topic = self.server.create_topic(
            request.match_info["token"],
            _int(request.match_info["chat_id"], "chat_id") or 0,
            name,
            user=user,
        )
        return {"topic": topic}

    async def delete_topic(self, request: web.Request) -> dict[str, Any]:
        match = request.match_info
        self.server.delete_topic(
            match["token"],
            _int(match["chat_id"], "chat_id") or 0,
            _int(match["thread_id"], "thread_id") or 0,
        )
        return {"ok": True}

    async def faults(self, request: web.Request) -> dict[str, Any]:
        return {"faults": self.server.faults(request.match_info["token"])}

    async def add_fault(self, request: web.Request) -> dict[str, Any]:
        body = await _json_body(request)
        error_code = _int(body.get("error_code"), "error_code")
        if error_code is None:
            raise ControlError("error_code is required")
        retry_after = _int(body.get("retry_after"), "retry_after")
        fault = self.server.add_fault(
            request.match_info["token"],
            error_code,
            method=body.get("method") or None,
            chat_id=_int(body.get("chat_id"), "chat_id"),
            description=body.get("description") or None,
            retry_after=retry_after,
            count=_int(body.get("count"), "count", 1) or 1,
            kind=str(body.get("kind") or "error"),
            delay=_float(body.get("delay"), "delay") or 0.0,
        )
        return {"fault": fault.as_dict()}

    async def clear_faults(self, request: web.Request) -> dict[str, Any]:
        self.server.clear_faults(request.match_info["token"])
        return {"faults": []}

    async def set_blocked(self, request: web.Request) -> dict[str, Any]:
        body = await _json_body(request)
        chat_id = _int(body.get("chat_id"), "chat_id")
        if chat_id is None:
            raise ControlError("chat_id is required")
        blocked = bool(body.get("blocked", True))
        self.server.set_blocked(request.match_info["token"], chat_id, blocked)
        return {"chat_id": chat_id, "blocked": blocked}

    async def commands(self, request: web.Request) -> dict[str, Any]:
        return {"commands": self.server.commands(request.match_info["token"])}

    async def callback_answers(self, request: web.Request) -> dict[str, Any]:
        return {"answers": self.server.callback_answers(request.match_info["token"])}

    async def webhook(self, request: web.Request) -> dict[str, Any]:
        return self.server.webhook_info(request.match_info["token"])

    async def get_bot(self, request: web.Request) -> dict[str, Any]:
        return {"bot": self.server.bot(request.match_info["token"]).user}

    async def configure_bot(self, request: web.Request) -> dict[str, Any]:
        body = await _json_body(request)
        user = self.server.configure_bot(
            request.match_info["token"],
            first_name=body.get("first_name"),
            username=body.get("username"),
        )
        return {"bot": user}

    async def reset(self, request: web.Request) -> dict[str, Any]:
        self.server.reset(request.match_info["token"])
        return {"ok": True}

    async def file(self, request: web.Request) -> web.Response:
        state = self.server.bot(request.match_info["token"])
        stored = state.files.get(request.match_info["file_id"])
        if stored is None or stored.content is None:
            raise ControlError("file not found or has no content", status=404)
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )
