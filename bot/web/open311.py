"""Open311 GeoReport v2 over HTTP (read side) for 随手拍 snap reports.

Added to the webhook server's application, served on its own (`serve_open311`, polling mode
with OPEN311_LISTEN) or beside the sandbox's web chat. What it serves comes from
bot/services/snaps/open311.py; this module only reads the database and the stored photos.

    GET /open311/v2/discovery.json
    GET /open311/v2/services.json
    GET /open311/v2/requests.json         service_request_id, service_code, status,
                                          start_date, end_date, locale
    GET /open311/v2/requests/{id}.json
    GET /open311/v2/media/{number}/{n}.jpg  a reporter's photo n (metadata already stripped)
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db.complaints.models import OfficeRow
from bot.db.complaints.repository import OfficeRepository
from bot.db.snaps.models import SnapPhotoRow, SnapRow
from bot.db.snaps.repository import SnapRepository
from bot.db.snaps.statuses import PhotoKind
from bot.db.types import Clock, utcnow
from bot.services.snaps import open311
from bot.services.snaps.open311 import Open311Error, Query
from knowledge.snaps.photos import PhotoStore

log = logging.getLogger(__name__)

PREFIX = "/open311/v2"
_FORMAT = "{format:[A-Za-z0-9]+}"
_dumps = partial(json.dumps, ensure_ascii=False)
_COMMON_HEADERS = {
    "Access-Control-Allow-Origin": "*",  # public data, read from anywhere
    "X-Content-Type-Options": "nosniff",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(
        data, status=status, dumps=_dumps, content_type="application/json",
        headers=_COMMON_HEADERS,
    )  # fmt: skip


def _error(error: Open311Error) -> web.Response:
    return _json(error.body(), status=error.code)


def _origin(request: web.Request) -> str:
    """scheme://host of the request, as the client reached it (a TLS proxy in front says so
    in X-Forwarded-Proto)."""
    scheme = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    origin = request.url.origin()
    if scheme in ("http", "https") and scheme != origin.scheme:
        origin = origin.with_scheme(scheme)
    return str(origin).rstrip("/")


def media_path(number: str, n: int) -> str:
    return f"{PREFIX}/media/{number}/{n}.jpg"


class Open311Api:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        settings: Settings,
        clock: Clock = utcnow,
    ) -> None:
        self.session_factory = session_factory
        self.tz = settings.tz
        self.default_locale = settings.default_language
        self.store = PhotoStore(settings.snap_files_root, settings.snap_photo_pattern)
        self.clock = clock

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get(f"{PREFIX}/discovery.{_FORMAT}", self._json_only(self.discovery)),
            web.get(f"{PREFIX}/services.{_FORMAT}", self._json_only(self.services)),
            web.get(f"{PREFIX}/requests.{_FORMAT}", self._json_only(self.requests)),
            web.get(
                PREFIX + "/requests/{service_request_id:[A-Za-z0-9-]+}." + _FORMAT,
                self._json_only(self.request),
            ),
            web.get(PREFIX + r"/media/{number:[A-Za-z0-9-]+}/{n:\d{1,4}}.jpg", self.media),
        ]

    @staticmethod
    def _json_only(handler: Handler) -> Handler:
        async def handle(request: web.Request) -> web.StreamResponse:
            fmt = request.match_info["format"].lower()
            if fmt != "json":
                return _error(Open311Error(400, f"only JSON is served: use .json, not .{fmt}"))
            try:
                return await handler(request)
            except Open311Error as e:
                return _error(e)

        return handle

    def _locale(self, request: web.Request) -> str:
        return open311.pick_locale(request.query.get("locale"), self.default_locale)

    # --- handlers ----------------------------------------------------------------------------
    async def discovery(self, request: web.Request) -> web.Response:
        return _json(open311.discovery(_origin(request) + PREFIX))

    async def services(self, request: web.Request) -> web.Response:
        return _json(open311.services(self._locale(request)))

    async def requests(self, request: web.Request) -> web.Response:
        query = open311.parse_query(
            request.query, self.clock(), tz=self.tz, default_locale=self.default_locale
        )
        async with self.session_factory() as session:
            rows = await self._find(SnapRepository(session), query)
            body = await self._serialise(session, rows, query.locale, _origin(request))
        return _json(body)

    async def request(self, request: web.Request) -> web.Response:
        number = request.match_info["service_request_id"]
        query = Query(numbers=(number,), locale=self._locale(request))
        async with self.session_factory() as session:
            rows = await self._find(SnapRepository(session), query)
            body = await self._serialise(session, rows, query.locale, _origin(request))
        if not body:
            raise Open311Error(404, f"no service request {number}")
        return _json(body)

    async def media(self, request: web.Request) -> web.StreamResponse:
        number, n = request.match_info["number"], int(request.match_info["n"])
        not_found = Open311Error(404, f"no photo {n} of service request {number}")
        async with self.session_factory() as session:
            repo = SnapRepository(session)
            row = await repo.by_number(number)
            if row is None or not open311.is_public(row) or row.erased:
                return _error(not_found)
            photos = await repo.photos(row.id, PhotoKind.BEFORE)
        photo = next((p for p in photos if p.n == n), None)
        if photo is None:
            return _error(not_found)
        try:
            data = await asyncio.to_thread(self.store.open, photo.path)
        except (OSError, ValueError) as e:
            log.warning("open311: photo %s of %s unreadable: %s", n, number, e)
            return _error(not_found)
        return web.Response(
            body=data, content_type="image/jpeg",
            headers={**_COMMON_HEADERS, "Cache-Control": "public, max-age=60"},
        )  # fmt: skip

    # --- reading -----------------------------------------------------------------------------
    async def _find(self, repo: SnapRepository, query: Query) -> list[SnapRow]:
        if query.numbers:
            rows = [r for r in await repo.by_numbers(query.numbers) if open311.is_public(r)]
            return sorted(rows, key=lambda r: r.id, reverse=True)[: query.limit]
        return await repo.all_for_open311(
            query.statuses, query.start, query.end, query.limit, query.categories
        )

    async def _serialise(
        self, session: AsyncSession, rows: Sequence[SnapRow], locale: str, origin: str
    ) -> list[dict[str, Any]]:
        if not rows:
            return []
        first_photo: dict[int, SnapPhotoRow] = {}
        for photo in await SnapRepository(session).photos_of([r.id for r in rows]):
            if photo.kind is PhotoKind.BEFORE:
                seen = first_photo.get(photo.report_id)
                if seen is None or photo.n < seen.n:
                    first_photo[photo.report_id] = photo
        offices: dict[str, OfficeRow] = {}
        for office_id in {r.office_id for r in rows if r.office_id is not None}:
            office_row = await OfficeRepository(session).office(office_id)
            if office_row is not None:
                offices[office_id] = office_row
        result = []
        for row in rows:
            office = offices.get(row.office_id) if row.office_id is not None else None
            office_name = None
            if office is not None:
                office_name = (office.name_en or office.name) if locale == "en" else office.name
            first = first_photo.get(row.id)
            url = None
            if first is not None and row.number is not None:
                url = origin + media_path(row.number, first.n)
            result.append(open311.request_dict(row, office_name, url, self.tz, locale))
        return result


def open311_routes(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings, clock: Clock = utcnow
) -> list[web.RouteDef]:
    return Open311Api(session_factory, settings, clock).routes()


def add_open311(
    app: web.Application,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    clock: Clock = utcnow,
) -> None:
    """Add the Open311 routes to `app` (before it starts: aiohttp freezes the router)."""
    app.router.add_routes(open311_routes(session_factory, settings, clock))


def _split_listen(listen: str) -> tuple[str, int]:
    host, sep, port = listen.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise ValueError(f"OPEN311_LISTEN: expected HOST:PORT, e.g. 0.0.0.0:8081, got {listen!r}")
    return host.strip("[]"), int(port)


async def serve_open311(
    listen: str, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> web.AppRunner:
    """A server of its own on HOST:PORT (polling mode; port 0: any free one, see
    `runner.addresses`); the caller cleans the runner up."""
    host, port = _split_listen(listen)
    app = web.Application()
    add_open311(app, session_factory, settings)
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except BaseException:
        await runner.cleanup()
        raise
    log.info("Open311 listening on %s%s", listen, PREFIX)
    return runner
