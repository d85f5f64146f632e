"""HTTP client for the sandbox control API: play the user's side and inspect what the bot sent."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

import aiohttp

from . import specs
from .errors import ControlApiError, SentTimeoutError
from .records import MethodFilter, format_records
from .specs import Spec, TgUser, UserLike, user_dict

__all__ = ["SandboxClient", "TgUser"]


class SandboxClient:
    """Talks to /control/{token}/... of a running BotApiServer.

    It remembers, per chat, the last call-log position it has seen (the log position at the
    latest injection, or the last record it waited for), so `wait_sent()` without `after`
    returns what the bot sent since the test's last action.
    """

    def __init__(
        self, base_url: str, token: str, *, session: aiohttp.ClientSession | None = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._session = session
        self._owns_session = session is None
        self._cursors: dict[int | None, int] = {}

    # --- plumbing --------------------------------------------------------------------------
    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None and self._owns_session:
            await self._session.close()
        self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
            self._owns_session = True
        return self._session

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        timeout: float = 30.0,  # noqa: ASYNC109 - HTTP timeout
    ) -> Any:
        url = f"{self.base_url}/control/{self.token}/{path}"
        query = {k: str(v) for k, v in (params or {}).items() if v is not None}
        async with self._http().request(
            method, url, json=json, params=query, timeout=aiohttp.ClientTimeout(total=timeout)
        ) as resp:
            if resp.content_type != "application/json":
                if resp.status >= 400:
                    raise ControlApiError(resp.status, await resp.text())
                return await resp.read()
            body = await resp.json()
            if resp.status >= 400:
                raise ControlApiError(resp.status, body.get("error", str(body)))
            return body

    def cursor(self, chat_id: int | None = None) -> int:
        """Log position wait_sent() starts after for this chat."""
        return self._cursors.get(chat_id, self._cursors.get(None, 0))

    # --- user actions -----------------------------------------------------------------------
    async def inject(self, spec: Spec) -> dict[str, Any]:
        """Inject any update spec (see bot/sandbox/specs.py); returns the update."""
        body = await self._request("POST", "updates", json=spec)
        update, last_seq = body["update"], body["last_seq"]
        self._cursors[None] = last_seq
        chat_id = _update_chat_id(update)
        if chat_id is not None:
            self._cursors[chat_id] = last_seq
        return update

    async def send_text(self, user: UserLike, text: str, **extra: Any) -> dict[str, Any]:
        return await self.inject(specs.text(user, text, **extra))

    async def press(
        self, user: UserLike, message_id: int, data: str | None, **extra: Any
    ) -> dict[str, Any]:
        """Press the inline button with `data` on bot message `message_id`."""
        return await self.inject(specs.callback(user, message_id, data, **extra))

    async def send_location(
        self, user: UserLike, latitude: float, longitude: float, **extra: Any
    ) -> dict[str, Any]:
        return await self.inject(specs.location(user, latitude, longitude, **extra))

    async def send_venue(
        self,
        user: UserLike,
        latitude: float,
        longitude: float,
        title: str,
        address: str,
        **extra: Any,
    ) -> dict[str, Any]:
        return await self.inject(specs.venue(user, latitude, longitude, title, address, **extra))

    async def send_contact(
        self, user: UserLike, phone_number: str, user_id: int | None = None, **extra: Any
    ) -> dict[str, Any]:
        return await self.inject(specs.contact(user, phone_number, user_id, **extra))

    async def send_photo(
        self, user: UserLike, content: bytes, caption: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        return await self.inject(specs.photo(user, content, caption, **extra))

    async def send_document(
        self,
        user: UserLike,
        content: bytes,
        file_name: str = "document.bin",
        mime_type: str | None = None,
        caption: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        return await self.inject(
            specs.document(user, content, file_name, mime_type, caption, **extra)
        )

    async def send_voice(
        self,
        user: UserLike,
        file_id: str | None = None,
        duration: int = 1,
        *,
        content: bytes | None = None,
        caption: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        return await self.inject(
            specs.voice(user, file_id, duration, content=content, caption=caption, **extra)
        )

    async def send_raw(
        self, update: dict[str, Any], update_id: int | None = None
    ) -> dict[str, Any]:
        return await self.inject(specs.raw(update, update_id))

    # --- what the bot sent ------------------------------------------------------------------
    async def sent(
        self, chat_id: int | None = None, after: int = 0, method: MethodFilter = None
    ) -> list[dict[str, Any]]:
        body = await self._request(
            "GET", "sent", params={"chat_id": chat_id, "after": after, "method": _methods(method)}
        )
        return body["records"]

    async def wait_sent(
        self,
        chat_id: int | None = None,
        count: int = 1,
        after: int | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the public API
        method: MethodFilter = None,
    ) -> list[dict[str, Any]]:
        """All matching records after `after` (default: this client's cursor) once at least
        `count` exist; SentTimeoutError listing everything sent if they do not arrive."""
        start = self.cursor(chat_id) if after is None else after
        body = await self._request(
            "GET",
            "sent",
            params={
                "chat_id": chat_id,
                "after": start,
                "method": _methods(method),
                "wait": timeout,
                "count": count,
            },
            timeout=timeout + 10,
        )
        records: list[dict[str, Any]] = body["records"]
        if len(records) < count:
            everything = await self.sent(after=start)
            raise SentTimeoutError(
                f"expected {count} call(s) to chat {chat_id} (method={method}) after seq {start} "
                f"within {timeout}s, got {len(records)}. Everything sent since seq {start}:\n"
                f"{format_records(everything)}"
            )
        self._cursors[chat_id] = max(record["seq"] for record in records)
        return records

    async def inject_and_wait(
        self,
        spec: Spec,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the public API
        method: MethodFilter = None,
    ) -> list[dict[str, Any]]:
        """Inject an update and return the bot's calls to that chat made after it."""
        update = await self.inject(spec)
        return await self.wait_sent(
            _update_chat_id(update), count=count, timeout=timeout, method=method
        )

    async def send_text_and_wait(
        self,
        user: UserLike,
        text: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the public API
        method: MethodFilter = None,
        **extra: Any,
    ) -> list[dict[str, Any]]:
        return await self.inject_and_wait(
            specs.text(user, text, **extra), count=count, timeout=timeout, method=method
        )

    async def press_and_wait(
        self,
        user: UserLike,
        message_id: int,
        data: str | None,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the public API
        method: MethodFilter = None,
        **extra: Any,
    ) -> list[dict[str, Any]]:
        return await self.inject_and_wait(
            specs.callback(user, message_id, data, **extra),
            count=count,
            timeout=timeout,
            method=method,
        )

    async def chats(self) -> dict[str, Any]:
        """{"chats": [{"chat", "message_count", "reply_keyboard", "blocked"}], "last_seq"}."""
        return await self._request("GET", "chats")

    async def chat_messages(self, chat_id: int) -> list[dict[str, Any]]:
        body = await self._request("GET", f"chats/{chat_id}/messages")
        return body["messages"]

    async def chat(self, chat_id: int) -> dict[str, Any]:
        """{"chat", "messages", "reply_keyboard", "topics", "last_seq"} of one chat."""
        return await self._request("GET", f"chats/{chat_id}/messages")

    async def my_commands(self) -> list[dict[str, Any]]:
        """[{"scope", "language_code", "commands"}] as set by the bot."""
        return (await self._request("GET", "commands"))["commands"]

    async def callback_answers(self) -> list[dict[str, Any]]:
        return (await self._request("GET", "callback_answers"))["answers"]

    async def webhook_info(self) -> dict[str, Any]:
        return await self._request("GET", "webhook")

    async def file_content(self, file_id: str) -> bytes:
        return await self._request("GET", f"files/{file_id}")

    # --- faults & state -----------------------------------------------------------------------
    async def inject_fault(
        self,
        error_code: int,
        *,
        method: str | None = None,
        chat_id: int | None = None,
        description: str | None = None,
        retry_after: int | None = None,
        count: int = 1,
        kind: str = "error",
        delay: float = 0.0,
    ) -> dict[str, Any]:
        body = {
            "error_code": error_code,
            "method": method,
            "chat_id": chat_id,
            "description": description,
            "retry_after": retry_after,
            "count": count,
            "kind": kind,
            "delay": delay,
        }
        return (await self._request("POST", "faults", json=body))["fault"]

    async def register_group(
        self, chat_id: int, title: str | None = None, *, forum: bool = False
    ) -> dict[str, Any]:
        """Put the bot in a group (a forum supergroup with forum=True); returns the chat."""
        body = {"chat_id": chat_id, "title": title, "forum": forum}
        return (await self._request("POST", "groups", json=body))["chat"]

    async def create_topic(
        self, chat_id: int, name: str, user: UserLike | None = None
    ) -> dict[str, Any]:
        """A person opens a topic in a forum group; returns the ForumTopic."""
        body = {"name": name, "user": user_dict(user) if user is not None else None}
        return (await self._request("POST", f"chats/{chat_id}/topics", json=body))["topic"]

    async def delete_topic(self, chat_id: int, thread_id: int) -> None:
        await self._request("DELETE", f"chats/{chat_id}/topics/{thread_id}")

    async def clear_faults(self) -> None:
        await self._request("DELETE", "faults")

    async def set_blocked(self, chat_id: int, blocked: bool = True) -> None:
        await self._request("POST", "blocked", json={"chat_id": chat_id, "blocked": blocked})

    async def reset(self) -> None:
        await self._request("POST", "reset")
        self._cursors.clear()


def _methods(method: MethodFilter) -> str | None:
    if method is None or isinstance(method, str):
        return method
    return ",".join(method)


def _update_chat_id(update: dict[str, Any]) -> int | None:
    for key in ("message", "edited_message", "channel_post"):
        if isinstance(update.get(key), dict):
            return update[key].get("chat", {}).get("id")
    query = update.get("callback_query")
    if isinstance(query, dict):
        message = query.get("message") or {}
        return (message.get("chat") or {}).get("id", (query.get("from") or {}).get("id"))
    return None
