"""The web chat: a phone-style page served by the local Bot API server.

The page plays the user's side through the same control API the tests use (/control/{token}/),
so it needs no endpoint of its own beyond its files, a small JSON config (who the demo users
are, which group is the admins', which places the location picker offers, which sample photos
the attach menu offers) and those sample photos' bytes.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .updates import MAX_DOCUMENT_BYTES, MAX_PHOTO_BYTES

if TYPE_CHECKING:
    from .server import BotApiServer

WEB_DIR = Path(__file__).with_name("web")
STATIC_PREFIX = "/chat/static/"
CONFIG_PATH = "/chat/config.json"
SAMPLES_PREFIX = "/sandbox/samples/"
_SAMPLE_NAME = re.compile(r"[A-Za-z0-9_-]+")  # a sample's name is its URL and file name
# Everything the page loads comes from this server; images may also be blob:/data: previews.
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
_CONTENT_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}


@dataclass(frozen=True)
class DemoUser:
    """Someone the page can act as; `key` is what ?as= in the page URL selects."""

    key: str
    id: int
    first_name: str
    role_zh: str
    role_en: str
    phone: str  # what a request_contact button shares
    last_name: str | None = None


@dataclass(frozen=True)
class PresetPlace:
    """A place the location picker offers with one tap."""

    label: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class SampleImage:
    """A bundled JPEG the attach menu offers; the page sends it as a file (EXIF kept, as
    Telegram keeps it for documents) or as a compressed photo. Served at `url`."""

    name: str
    label_zh: str
    label_en: str
    lat: float  # where it was taken (its EXIF GPS), shown next to it
    lon: float
    path: Path

    def __post_init__(self) -> None:
        if not _SAMPLE_NAME.fullmatch(self.name):
            raise ValueError(f"sample name must match {_SAMPLE_NAME.pattern}: {self.name!r}")

    @property
    def url(self) -> str:
        return f"{SAMPLES_PREFIX}{self.name}.jpg"

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label_zh": self.label_zh,
            "label_en": self.label_en,
            "lat": self.lat,
            "lon": self.lon,
            "url": self.url,
            "file_name": f"{self.name}.jpg",
        }


@dataclass(frozen=True)
class WebChatConfig:
    token: str
    users: tuple[DemoUser, ...]
    group_id: int | None = None
    group_title: str = "Admin group"
    group_forum: bool = False  # the admins' group is a forum supergroup (topics per queue)
    places: tuple[PresetPlace, ...] = ()
    title: str = "Bot"
    notes: dict[str, str] = field(default_factory=dict)  # one-line explanation per language
    samples: tuple[SampleImage, ...] = ()  # the attach menu's sample photos (none: no menu item)

    def __post_init__(self) -> None:
        names = [sample.name for sample in self.samples]
        if len(set(names)) != len(names):
            raise ValueError(f"sample names must be unique: {names}")

    def as_json(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "title": self.title,
            "users": [asdict(user) for user in self.users],
            "group": self._group(),
            "places": [asdict(place) for place in self.places],
            "notes": self.notes,
            "samples": [sample.as_json() for sample in self.samples],
            "limits": {"photo_bytes": MAX_PHOTO_BYTES, "document_bytes": MAX_DOCUMENT_BYTES},
        }

    def _group(self) -> dict[str, Any] | None:
        if not self.group_id:
            return None
        return {"id": self.group_id, "title": self.group_title, "forum": self.group_forum}


def add_webchat_routes(server: BotApiServer, config: WebChatConfig) -> None:
    """Serve the page at / (call before server.start()); registers the admin group chat."""
    if config.group_id is not None:
        server.register_group(
            config.token, config.group_id, config.group_title, forum=config.group_forum
        )
    files = {path.name: path for path in WEB_DIR.iterdir() if path.suffix in _CONTENT_TYPES}
    if "index.html" not in files:
        raise RuntimeError(f"web chat files missing from {WEB_DIR}")
    # Looked up by name only: nothing from the request ever becomes a path.
    samples = {sample.name: sample.path for sample in config.samples}
    missing = [str(path) for path in samples.values() if not path.is_file()]
    if missing:
        raise RuntimeError(f"web chat sample photos missing: {', '.join(missing)}")

    def send_file(path: Path) -> web.Response:
        return web.Response(
            body=path.read_bytes(),
            content_type=_CONTENT_TYPES[path.suffix],
            charset="utf-8",
            # The files are small and change with the code: always revalidate.
            headers={"Cache-Control": "no-cache", "Content-Security-Policy": CSP},
        )

    async def index(request: web.Request) -> web.Response:
        return send_file(files["index.html"])

    async def static(request: web.Request) -> web.Response:
        path = files.get(request.match_info["name"])
        if path is None:
            raise web.HTTPNotFound()
        return send_file(path)

    async def page_config(request: web.Request) -> web.Response:
        return web.json_response(config.as_json(), headers={"Cache-Control": "no-store"})

    async def sample(request: web.Request) -> web.Response:
        path = samples.get(request.match_info["name"])
        if path is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=path.read_bytes(),
            content_type="image/jpeg",
            headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
        )

    router = server.app.router
    router.add_get("/", index)
    router.add_get(STATIC_PREFIX + "{name}", static)
    router.add_get(CONFIG_PATH, page_config)
    router.add_get(SAMPLES_PREFIX + "{name}.jpg", sample)
