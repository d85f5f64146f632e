"""Reaching Telegram: a one-line answer at start-up, one log line per outage afterwards.

At start-up the bot asks Telegram who it is (getMe). A refused token or an unreachable server
is a StartupError, which the command line prints as one line (exit 1): a chained traceback
would hide the two words that matter. While running, aiogram's polling loop logs an error and
a warning for every failed attempt; OutageLog turns an outage into one warning when it starts
and one line when it ends.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramServerError,
    TelegramUnauthorizedError,
)


class StartupError(Exception):
    """The bot cannot start; the message is one line for the person who started it."""


async def check_telegram(bot: Bot, api_base: str) -> None:
    try:
        await bot.get_me()
    except TelegramUnauthorizedError:
        raise StartupError(
            f"Telegram at {api_base} refused BOT_TOKEN (401 Unauthorized): check the token "
            "@BotFather gave you"
        ) from None
    except TelegramNotFound:
        raise StartupError(
            f"{api_base} answered 404: is TELEGRAM_API_BASE a Telegram Bot API server?"
        ) from None
    except (TelegramNetworkError, TelegramServerError, ClientDecodeError) as exc:
        reason = _reason(exc)
        raise StartupError(
            f"cannot reach Telegram at {api_base} ({reason}): check the network, or set "
            "TELEGRAM_API_BASE to a Bot API server this machine can reach"
        ) from None
    except TelegramAPIError as exc:
        raise StartupError(f"Telegram at {api_base} refused to start the bot: {exc}") from None


def _reason(exc: Exception) -> str:
    if isinstance(exc, ClientDecodeError):
        return "its answer is not the Bot API's"
    text = str(exc).removeprefix("HTTP Client says - ").removeprefix("Telegram server says - ")
    return text.splitlines()[0][:160] if text else type(exc).__name__


class OutageLog(logging.Filter):
    """For aiogram's dispatcher logger: one warning when fetching updates starts failing, one
    info line when it works again, nothing for each attempt in between."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if message.startswith("Failed to fetch updates"):
            if self.down:
                return False
            self.down = True
            error = record.getMessage().removeprefix("Failed to fetch updates - ")
            record.msg, record.args = (
                "lost the connection to Telegram (%s); retrying with backoff until it is back",
                (error,),
            )
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            return True
        if message.startswith("Sleep for ") and "try again" in message:
            return False
        if message.startswith("Connection established") and self.down:
            self.down = False
            attempts = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
            record.msg, record.args = (
                "connection to Telegram is back (after %s attempts)",
                (attempts,),
            )
            return True
        return True


def install_outage_log() -> OutageLog:
    """Once per process: the filter sits on aiogram's dispatcher logger."""
    logger = logging.getLogger("aiogram.dispatcher")
    for existing in logger.filters:
        if isinstance(existing, OutageLog):
            return existing
    outage = OutageLog()
    logger.addFilter(outage)
    return outage
