"""Offline Telegram Bot API sandbox: a local Bot API server plus clients for the user side:
SandboxClient for tests, and the web chat page (webchat.py, web/) for people.

server = BotApiServer()
base_url = await server.start()
bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)))
async with SandboxClient(base_url, token) as client:
    replies = await client.send_text_and_wait(TgUser(42, "Li"), "/start")
"""

from .client import SandboxClient
from .errors import ApiError, ControlApiError, ControlError, SentTimeoutError
from .server import BotApiServer, bot_id_from_token
from .specs import TgUser

__all__ = [
    "ApiError",
    "BotApiServer",
    "ControlApiError",
    "ControlError",
    "SandboxClient",
    "SentTimeoutError",
    "TgUser",
    "bot_id_from_token",
]
