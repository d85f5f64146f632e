"""Webhook delivery: queued updates are POSTed to the bot's URL in order, like Telegram does."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

import aiohttp

from .errors import ApiError
from .params import Params, read_multipart_params
from .state import BotState, QueuedUpdate, Webhook, now

if TYPE_CHECKING:
    from .server import BotApiServer

logger = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookDelivery:
    """One delivery task per bot with a webhook; a failed update is retried before later ones."""

    def __init__(self, server: BotApiServer, retry_delay: float, timeout: float = 10.0) -> None:
        self._server = server
        self._retry_delay = retry_delay
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    def ensure_running(self, state: BotState) -> None:
        if state.webhook is not None and (state.webhook_task is None or state.webhook_task.done()):
            state.webhook_task = asyncio.create_task(
                self._run(state), name=f"sandbox-webhook-{state.id}"
            )

    async def close(self, states: list[BotState]) -> None:
        tasks = [s.webhook_task for s in states if s.webhook_task and not s.webhook_task.done()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self, state: BotState) -> None:
        while True:
            webhook = state.webhook

            def ready(webhook: Webhook | None = webhook) -> bool:
                return (
                    self._server.closing
                    or state.webhook is not webhook
                    or state.has_pending(state.webhook.allowed_updates if state.webhook else None)
                )

            await state.updates_signal.wait_for(ready, timeout=3600)
            webhook = state.webhook
            if webhook is None or self._server.closing:
                return
            pending = state.deliverable(webhook.allowed_updates)
            if not pending:
                continue
            queued = pending[0]
            delivered = await self._deliver(state, webhook, queued)
            if delivered and queued in state.updates:
                state.updates.remove(queued)
            state.webhook_signal.notify()
            if not delivered:
                await asyncio.sleep(self._retry_delay)

    async def _deliver(self, state: BotState, webhook: Webhook, queued: QueuedUpdate) -> bool:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._timeout)
            )
        headers = {SECRET_HEADER: webhook.secret_token} if webhook.secret_token else {}
        try:
            async with self._session.post(webhook.url, json=queued.update, headers=headers) as resp:
                if not 200 <= resp.status < 300:
                    self._failed(
                        webhook, f"Wrong response from the webhook: {resp.status} {resp.reason}"
                    )
                    return False
                queued.delivered = True
                reply = await self._read_reply(resp)
        except (aiohttp.ClientError, TimeoutError) as exc:
            self._failed(webhook, f"Connection failed: {type(exc).__name__}: {exc}")
            return False
        if reply is not None:
            method, params = reply
            # Telegram executes a method returned in the webhook response and ignores its result.
            await self._server.call_method(state.token, method, params)
        return True

    @staticmethod
    def _failed(webhook: Webhook, message: str) -> None:
        logger.info("sandbox webhook delivery to %s failed: %s", webhook.url, message)
        webhook.last_error_date = now()
        webhook.last_error_message = message

    @staticmethod
    async def _read_reply(resp: aiohttp.ClientResponse) -> tuple[str, Params] | None:
        """A Bot API call answered in the webhook response body, if any."""
        try:
            if resp.content_type == "application/json":
                body: Any = await resp.json()
                params = Params(body if isinstance(body, dict) else {})
            elif resp.content_type.startswith("multipart/"):
                params = await read_multipart_params(
                    aiohttp.MultipartReader(resp.headers, resp.content)
                )
            else:
                return None
        except (ValueError, aiohttp.ClientError, ApiError):
            return None
        method = params.values.pop("method", None)
        return (str(method), params) if method else None
