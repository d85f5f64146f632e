"""A local Telegram Bot API server for tests and the offline sandbox chat.

The bot talks to it with its real client (aiogram's TelegramAPIServer.from_base(base_url));
tests and the web chat drive the user side through the in-process methods below or the
HTTP control API (bot/sandbox/control.py), which calls the same methods.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterable, Mapping
from typing import Any, Self

from aiohttp import web

from .control import add_control_routes
from .errors import ApiError, ControlError, SentTimeoutError
from .formatting import plain_text
from .methods import (
    MAX_TOPIC_NAME_LENGTH,
    METHODS,
    TOPIC_ICON_COLORS,
    Call,
    webhook_info,
)
from .params import Params, read_request_params
from .records import MethodFilter, format_records, select
from .specs import UserLike, user_dict
from .state import FAULT_KINDS, BotState, ChatState, Fault
from .updates import inject
from .webhook import WebhookDelivery

logger = logging.getLogger(__name__)

DEFAULT_BOT_FIRST_NAME = "WarmDrive"
DEFAULT_BOT_USERNAME = "warmdrive_test_bot"
BLOCKED = "Forbidden: bot was blocked by the user"
UNAUTHORIZED = ApiError(401, "Unauthorized")
# Who opens a topic made through the control API when the test names nobody.
GROUP_ADMIN = {"id": 777000001, "is_bot": False, "first_name": "Group admin"}
# Faults acted out instead of running the method.
PRE_FAULTS = frozenset({"reset", "html"})


def bot_id_from_token(token: str) -> int:
    """The bot's user id is the numeric prefix of its token, e.g. 123456:ABC -> 123456."""
    prefix, separator, secret = token.partition(":")
    if not separator or not secret or not prefix.isdigit() or int(prefix) <= 0:
        raise ValueError(f"invalid bot token {token!r}")
    return int(prefix)


class BotApiServer:
    """Telegram Bot API emulation with in-memory state per bot token."""

    def __init__(
        self,
        *,
        bot_first_name: str = DEFAULT_BOT_FIRST_NAME,
        bot_username: str = DEFAULT_BOT_USERNAME,
        webhook_retry_delay: float = 0.2,
        client_max_size: int = 64 * 1024 * 1024,
        tokens: Iterable[str] | None = None,
    ) -> None:
        """`tokens`: the only bot tokens known, others get 401 as from Telegram (default: any
        well-formed token is a bot of its own)."""
        self.tokens = frozenset(tokens) if tokens is not None else None
        self.bot_first_name = bot_first_name
        self.bot_username = bot_username
        self.closing = False
        self.webhooks = WebhookDelivery(self, retry_delay=webhook_retry_delay)
        self._bots: dict[str, BotState] = {}
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None

        self.app = web.Application(client_max_size=client_max_size)
        self.app[SERVER_KEY] = self
        self.app.router.add_route("GET", "/bot{token}/{method}", self._handle_bot_api)
        self.app.router.add_route("POST", "/bot{token}/{method}", self._handle_bot_api)
        self.app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        add_control_routes(self)
        self.app.on_shutdown.append(self._on_shutdown)
        self.app.on_cleanup.append(self._on_cleanup)

    # --- lifecycle ---------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on host:port (0 picks a free port); returns the base URL."""
        if self._runner is not None:
            raise RuntimeError("BotApiServer is already running")
        self.closing = False
        # handler_cancellation: a client that gives up on a long poll must not leave a
        # handler behind; a short shutdown timeout because no handler should linger.
        runner = web.AppRunner(self.app, handler_cancellation=True, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        bound_port = runner.addresses[0][1]
        self._base_url = f"http://{host}:{bound_port}"
        return self._base_url

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()  # runs _on_shutdown and _on_cleanup
        self._base_url = None

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("BotApiServer is not running")
        return self._base_url

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def _on_shutdown(self, app: web.Application) -> None:
        # Wake every long poll and wait so connections can drain quickly.
        self.closing = True
        for state in self._bots.values():
            state.updates_signal.notify()
            state.records_signal.notify()

    async def _on_cleanup(self, app: web.Application) -> None:
        await self.webhooks.close(list(self._bots.values()))

    # --- bots ------------------------------------------------------------------------------
    def bot(self, token: str) -> BotState:
        """State of a bot, created on first use; ValueError for a malformed token."""
        state = self._bots.get(token)
        if state is None:
            if self.tokens is not None and token not in self.tokens:
                raise ValueError("unknown bot token")
            user = {
                "id": bot_id_from_token(token),
                "is_bot": True,
                "first_name": self.bot_first_name,
                "username": self.bot_username,
            }
            state = self._bots[token] = BotState(token, user)
        return state

    def configure_bot(
        self, token: str, *, first_name: str | None = None, username: str | None = None
    ) -> dict[str, Any]:
        state = self.bot(token)
        changes = {"first_name": first_name, "username": username}
        state.user = {**state.user, **{k: v for k, v in changes.items() if v}}
        return state.user

    # --- Bot API ---------------------------------------------------------------------------
    async def call_method(
        self, token: str, method: str, params: Params | Mapping[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        """Execute one Bot API call; returns (HTTP status, response body). Always logged,
        except successful getUpdates polls, which would drown the log."""
        status, body, _fault = await self._call(token, method, params)
        return status, body

    async def _call(
        self, token: str, method: str, params: Params | Mapping[str, Any]
    ) -> tuple[int, dict[str, Any], Fault | None]:
        """call_method, plus the transport fault (reset, HTML page, delay) to act out."""
        if not isinstance(params, Params):
            params = Params(params)
        try:
            state = self.bot(token)
        except ValueError:
            return UNAUTHORIZED.error_code, UNAUTHORIZED.body(), None
        entry = METHODS.get(method.lower())
        name = entry[0] if entry else method
        record = self._new_record(state, name, params)
        transport: Fault | None = None
        try:
            if entry is None:
                raise ApiError(404, "Not Found")
            if state.latency and name != "getUpdates":
                await asyncio.sleep(state.latency)
            if state.flood is not None and name.startswith(("send", "copy", "forward")):
                state.flood.check(record["chat_id"])
            transport = self._check_faults(state, name, record, params)
            if transport is not None and transport.kind in PRE_FAULTS:
                record.update(ok=False, injected=True, fault=transport.kind, error={
                    "error_code": transport.error_code,
                    "description": f"injected {transport.kind}",
                    "parameters": None,
                })  # fmt: skip
                state.log(record)
                return transport.error_code, {}, transport
            result = await entry[1](Call(self, state, name, params, record))
        except ApiError as exc:
            error = exc
        except Exception as exc:
            # A sandbox bug must surface as an API error rather than a dropped connection.
            logger.exception("sandbox failed to execute %s", name)
            error = ApiError(500, f"Internal Server Error: sandbox failure: {exc!r}")
        else:
            if name != "getUpdates":
                record.update(ok=True, result=result)
                if transport is not None:
                    record["fault"] = transport.kind
                state.log(record)
            return 200, {"ok": True, "result": result}, transport
        record.update(
            ok=False,
            error={
                "error_code": error.error_code,
                "description": error.description,
                "parameters": error.parameters,
            },
        )
        state.log(record)
        return error.error_code, error.body(), None

    @staticmethod
    def _new_record(state: BotState, name: str, params: Params) -> dict[str, Any]:
        text = params.get_str("text") if params.has("text") else params.get_str("caption")
        parse_mode = params.get_str("parse_mode")
        try:
            reply_markup = params.get_json("reply_markup")
        except ApiError:
            reply_markup = params.get("reply_markup")
        try:
            message_id = params.get_int("message_id")
        except ApiError:
            message_id = None
        return {
            "seq": 0,
            "at": time.monotonic(),
            "method": name,
            "ok": False,
            "chat_id": _resolve_chat_id(state, params),
            "message_id": message_id,
            "text": text,
            "plain_text": plain_text(text, parse_mode),
            "parse_mode": parse_mode,
            "reply_markup": reply_markup,
            "params": params.json_safe(),
        }

    @staticmethod
    def _check_faults(
        state: BotState, name: str, record: dict[str, Any], params: Params
    ) -> Fault | None:
        """Raise the injected API error, or return the transport fault to act out."""
        chat_id = record["chat_id"]
        for fault in state.faults:
            if fault.matches(name, chat_id):
                fault.count -= 1
                if fault.count <= 0:
                    state.faults.remove(fault)
                if fault.kind != "error":
                    return fault
                record["injected"] = True
                raise fault.to_error()
        if params.has("chat_id") and chat_id in state.blocked:
            raise ApiError(403, BLOCKED)
        return None

    async def _handle_bot_api(self, request: web.Request) -> web.StreamResponse:
        try:
            params = await read_request_params(request)
        except ApiError as exc:
            return exc.response()
        status, body, fault = await self._call(
            request.match_info["token"], request.match_info["method"], params
        )
        if fault is not None:
            if fault.kind == "delay":
                await asyncio.sleep(fault.delay)
            elif fault.kind == "html":
                page = f"<html><body><h1>{status} Bad Gateway</h1></body></html>"
                return web.Response(status=status, text=page, content_type="text/html")
            elif fault.kind in ("reset", "reset_after") and request.transport is not None:
                request.transport.abort()  # the client sees the connection reset, no answer
                return web.Response(status=status)
        return web.json_response(body, status=status)

    async def _handle_file(self, request: web.Request) -> web.Response:
        try:
            state = self.bot(request.match_info["token"])
        except ValueError:
            return UNAUTHORIZED.response()
        stored = state.files_by_path.get(request.match_info["file_path"])
        if stored is None or stored.content is None:
            return ApiError(404, "Not Found").response()
        default_type = "image/jpeg" if stored.kind == "photo" else "application/octet-stream"
        return web.Response(body=stored.content, content_type=stored.mime_type or default_type)

    # --- user side (in-process control API) -------------------------------------------------
    def inject_update(self, token: str, spec: Mapping[str, Any]) -> dict[str, Any]:
        """Queue (or push to the webhook) the update a user action produces; see updates.py."""
        return inject(self.bot(token), spec).update

    def sent(
        self,
        token: str,
        *,
        chat_id: int | None = None,
        after: int = 0,
        method: MethodFilter = None,
    ) -> list[dict[str, Any]]:
        """Logged outgoing calls with seq > after (successful and failed ones)."""
        return select(self.bot(token).records, chat_id=chat_id, after=after, method=method)

    async def wait_sent(
        self,
        token: str,
        *,
        chat_id: int | None = None,
        count: int = 1,
        after: int = 0,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the public API
        method: MethodFilter = None,
        raise_on_timeout: bool = True,
    ) -> list[dict[str, Any]]:
        """Wait for at least `count` matching records; returns all matching ones.

        On timeout raises SentTimeoutError listing everything sent since `after`
        (or returns what there is when raise_on_timeout is false).
        """
        state = self.bot(token)

        def matching() -> list[dict[str, Any]]:
            return select(state.records, chat_id=chat_id, after=after, method=method)

        await state.records_signal.wait_for(
            lambda: self.closing or len(matching()) >= count, timeout
        )
        found = matching()
        if len(found) < count and raise_on_timeout:
            raise SentTimeoutError(
                f"expected {count} call(s) to chat {chat_id} (method={method}) after seq {after} "
                f"within {timeout}s, got {len(found)}. Everything sent since seq {after}:\n"
                f"{format_records(select(state.records, after=after))}"
            )
        return found

    async def wait_polling(self, token: str, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has a getUpdates long poll parked on the server."""
        state = self.bot(token)
        if not await state.polls_signal.wait_for(lambda: state.waiting_polls > 0, timeout):
            raise TimeoutError(f"no getUpdates long poll within {timeout}s")

    def chat(self, token: str, chat_id: int) -> ChatState:
        chat = self.bot(token).chats.get(int(chat_id))
        if chat is None:
            raise ControlError(f"chat {chat_id} not found", status=404)
        return chat

    def chat_messages(self, token: str, chat_id: int) -> list[dict[str, Any]]:
        """Current messages of a chat (after edits/deletions), user and bot ones alike."""
        return [stored.as_dict() for stored in self.chat(token, chat_id).messages.values()]

    def chats(self, token: str) -> list[dict[str, Any]]:
        state = self.bot(token)
        return [
            {**chat.as_dict(), "blocked": chat.id in state.blocked} for chat in state.chats.values()
        ]

    def register_group(
        self, token: str, chat_id: int, title: str | None = None, *, forum: bool = False
    ) -> dict[str, Any]:
        """A group the bot is in (ids are negative); `forum`: a supergroup with topics, where
        sends need an existing message_thread_id or go to the General topic."""
        if int(chat_id) >= 0:
            raise ControlError("a group's id must be negative")
        return self.bot(token).register_group(int(chat_id), title, forum=forum).chat

    def create_topic(
        self, token: str, chat_id: int, name: str, *, user: UserLike | None = None
    ) -> dict[str, Any]:
        """A topic opened in a forum by a person (`user`, default an admin of the group), as
        if in the app; returns the ForumTopic. The bot opens its own with createForumTopic."""
        chat = self.chat(token, chat_id)
        if not chat.is_forum:
            raise ControlError(f"chat {chat_id} is not a forum")
        if not 1 <= len(name) <= MAX_TOPIC_NAME_LENGTH:
            raise ControlError(f"a topic name has 1-{MAX_TOPIC_NAME_LENGTH} characters")
        creator = user_dict(user) if user is not None else {**GROUP_ADMIN}
        creator["is_bot"] = False
        return chat.open_topic(name, TOPIC_ICON_COLORS[0], creator, from_bot=False)

    def delete_topic(self, token: str, chat_id: int, thread_id: int) -> None:
        """A person deletes a topic and its messages; later sends to it are refused."""
        chat = self.chat(token, chat_id)
        if int(thread_id) not in chat.topics:
            raise ControlError(f"chat {chat_id} has no topic {thread_id}", status=404)
        chat.delete_topic(int(thread_id))

    def add_fault(
        self,
        token: str,
        error_code: int,
        *,
        method: str | None = None,
        chat_id: int | None = None,
        description: str | None = None,
        retry_after: int | None = None,
        count: int = 1,
        kind: str = "error",
        delay: float = 0.0,
    ) -> Fault:
        """Make the next `count` calls of `method` (any but getUpdates if None) fail; `kind`
        as in Fault (an API error, an HTML page, a dropped connection, a late answer)."""
        if count < 1:
            raise ControlError("count must be >= 1")
        if kind not in FAULT_KINDS:
            raise ControlError(f"kind must be one of {', '.join(FAULT_KINDS)}")
        if not 0 <= delay <= 600:
            raise ControlError("delay must be between 0 and 600 seconds")
        fault = Fault(error_code, description, method, chat_id, retry_after, count, kind, delay)
        self.bot(token).faults.append(fault)
        return fault

    def faults(self, token: str) -> list[dict[str, Any]]:
        return [fault.as_dict() for fault in self.bot(token).faults]

    def clear_faults(self, token: str) -> None:
        self.bot(token).faults.clear()

    def set_blocked(self, token: str, chat_id: int, blocked: bool = True) -> None:
        """While blocked, every call addressed to the chat fails with 403 like Telegram."""
        state = self.bot(token)
        if blocked:
            state.blocked.add(int(chat_id))
        else:
            state.blocked.discard(int(chat_id))

    def commands(self, token: str) -> list[dict[str, Any]]:
        """All command lists set by the bot, one entry per (scope, language_code)."""
        return [
            {"scope": json.loads(scope), "language_code": language, "commands": commands}
            for (scope, language), commands in self.bot(token).commands.items()
        ]

    def callback_answers(self, token: str) -> list[dict[str, Any]]:
        return list(self.bot(token).callback_answers)

    def webhook_info(self, token: str) -> dict[str, Any]:
        return webhook_info(self.bot(token))

    def reset(self, token: str) -> None:
        """Forget chats, updates, files, log, commands, webhook and faults of a bot.

        update_id and seq counters keep growing so running pollers and clients stay in sync.
        """
        state = self.bot(token)
        if state.webhook_task is not None:
            state.webhook_task.cancel()
            state.webhook_task = None
        state.reset()


def _resolve_chat_id(state: BotState, params: Params) -> int | None:
    """The chat a call concerns, for the log, faults and blocking."""
    raw = params.get("chat_id")
    if raw is not None:
        chat = state.find_chat(raw)
        if chat is not None:
            return chat.id
        try:
            return int(raw)
        except (TypeError, ValueError):
            return None
    query = state.callback_queries.get(params.get_str("callback_query_id") or "")
    return query.chat_id if query else None


SERVER_KEY = web.AppKey("sandbox_bot_api_server", BotApiServer)
