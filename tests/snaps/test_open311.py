"""Open311 GeoReport v2 (read side) over HTTP: the services, the requests with their filters,
the photos, and nothing personal in any of it. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db.complaints.models import OfficeRow
from bot.db.snaps.repository import SnapRepository
from bot.db.snaps.statuses import LocationSource, PhotoKind, RejectReason, SnapStatus
from bot.db.users.models import User
from bot.services.snaps.open311 import REQUEST_FIELDS, SERVICE_FIELDS
from bot.web.open311 import add_open311, serve_open311
from knowledge.snaps.categories import SnapCategory
from knowledge.snaps.photos import PhotoStore, process_photo
from knowledge.snaps.samples import SAMPLE_PHOTOS
from tests.harness.people import person

NOW = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
BASE = "/open311/v2"
NAME, PHONE, TELEGRAM_ID = "Zebulon独特名", "+8613912345678", 73519246
VOICE, FILE_ID = "VOICE-file-id-secret", "TG-file-id-secret"
OFFICE = {
    "id": "ls-roads",
    "name": "乐山市公路事务中心",
    "name_en": "Leshan Roads Office",
    "city": "乐山",
    "phone": "0833-1234567",
    "active": True,
    "position": 0,
}


@dataclass
class Reports:
    user_id: int
    open_new: str  # pothole, new, with two photos, 1 day ago
    forwarded: str  # debris, forwarded to OFFICE, 2 days ago
    erased: str  # water_ice, closed, erased by its reporter, 3 days ago
    rejected: str  # hazard, rejected as spam (with a photo), 1 day ago
    old: str  # other, handled, 120 days ago: outside the default window


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        snap_files_dir=tmp_path / "files",
        timezone="Asia/Shanghai",
        default_language="zh",
    )


@pytest.fixture
async def reports(session_factory: async_sessionmaker[AsyncSession], settings: Settings) -> Reports:
    store = PhotoStore(settings.snap_files_root, settings.snap_photo_pattern)
    photo = process_photo(SAMPLE_PHOTOS[0].path.read_bytes())
    async with session_factory() as session:
        user_id = await person(session, TELEGRAM_ID)
        await session.execute(
            update(User).where(User.id == user_id).values(display_name=NAME, phone=PHONE)
        )
        session.add(OfficeRow(**OFFICE))
        await session.flush()
        repo = SnapRepository(session)

        async def add(
            key: str, category: SnapCategory, status: SnapStatus, age: timedelta, **values: Any
        ) -> tuple[int, str]:
            at = NOW - age
            row = await repo.add(
                {
                    "submit_key": key,
                    "user_id": user_id,
                    "category": category,
                    "status": status,
                    "text": f"{key} text",
                    "voice_file_id": VOICE,
                    "created_at": at,
                    "updated_at": at + timedelta(hours=1),
                    **values,
                }
            )
            assert row is not None and row.number is not None
            return row.id, row.number

        def photo_row(report_id: int, n: int, kind: PhotoKind = PhotoKind.BEFORE) -> dict[str, Any]:
            path = store.save(photo, report_id * 10 + (kind is PhotoKind.AFTER), n, NOW)
            return {
                "report_id": report_id,
                "kind": kind,
                "n": n,
                "path": path,
                "file_id": FILE_ID,
                "phash": photo.phash,
                "width": photo.width,
                "height": photo.height,
                "created_at": NOW,
            }

        # Filed in this order (ids follow), oldest first.
        _, old = await add("e", SnapCategory.OTHER, SnapStatus.HANDLED, timedelta(days=120))
        # erase_user empties the text too; the flag alone must already hide it.
        _, erased = await add(
            "c",
            SnapCategory.WATER_ICE,
            SnapStatus.CLOSED,
            timedelta(days=3),
            erased=True,
            voice_file_id=None,
        )
        _, forwarded = await add(
            "b",
            SnapCategory.DEBRIS,
            SnapStatus.FORWARDED,
            timedelta(days=2),
            lat=29.5,
            lon=103.7,
            location_source=LocationSource.SHARED,
            office_id=OFFICE["id"],
        )
        rejected_id, rejected = await add(
            "d",
            SnapCategory.HAZARD,
            SnapStatus.REJECTED,
            timedelta(days=1),
            reject_reason=RejectReason.SPAM,
            lat=30.0,
            lon=104.0,
        )
        new_id, new = await add(
            "a",
            SnapCategory.POTHOLE,
            SnapStatus.NEW,
            timedelta(days=1),
            lat=29.352123456,
            lon=104.774567891,
            location_source=LocationSource.PHOTO,
        )
        await repo.add_photos(
            [
                photo_row(new_id, 2),
                photo_row(new_id, 1),
                photo_row(new_id, 1, PhotoKind.AFTER),
                photo_row(rejected_id, 1),
            ]
        )
        await session.commit()
    return Reports(user_id, new, forwarded, erased, rejected, old)


@pytest.fixture
async def api(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    app = web.Application()
    add_open311(app, session_factory, settings, clock=lambda: NOW)
    async with TestClient(TestServer(app)) as client:
        yield client


async def get_json(
    api: TestClient[web.Request, web.Application], path: str, expect: int = 200, /, **params: str
) -> Any:
    response = await api.get(BASE + path, params=params)
    assert response.status == expect, await response.text()
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(await response.read())


async def numbers(api: TestClient[web.Request, web.Application], **params: str) -> list[str]:
    return [r["service_request_id"] for r in await get_json(api, "/requests.json", **params)]


def assert_error(body: Any, code: int) -> None:
    assert isinstance(body, list) and len(body) == 1
    assert set(body[0]) == {"code", "description"}
    assert body[0]["code"] == code and isinstance(body[0]["description"], str)
    assert body[0]["description"]


async def test_services_list_every_category_in_both_languages(
    api: TestClient[web.Request, web.Application],
) -> None:
    zh = await get_json(api, "/services.json")
    en = await get_json(api, "/services.json", locale="en")
    unknown = await get_json(api, "/services.json", locale="fr")
    for services in (zh, en):
        assert [s["service_code"] for s in services] == [c.value for c in SnapCategory]
        for service in services:
            assert set(service) == set(SERVICE_FIELDS)
            assert service["metadata"] is False and service["type"] == "realtime"
            for key in ("service_name", "description", "keywords", "group"):
                assert isinstance(service[key], str) and service[key]
    assert [s["service_name"] for s in zh] == [
        "路面坑洼",
        "抛洒物/障碍物",
        "交通设施损坏",
        "积水/结冰",
        "安全隐患",
        "市政设施",
        "占道/违停",
        "其他",
    ]
    assert [s["service_name"] for s in en] == [
        "Pothole",
        "Debris or obstacle",
        "Damaged sign or traffic light",
        "Standing water or ice",
        "Other safety hazard",
        "Public facility",
        "Obstruction or illegal parking",
        "Other",
    ]
    assert unknown == zh
    raw = await (await api.get(BASE + "/services.json")).read()
    assert "路面坑洼".encode() in raw  # not \\u escapes


async def test_requests_have_exactly_the_georeport_fields(
    api: TestClient[web.Request, web.Application], reports: Reports
) -> None:
    body = await get_json(api, "/requests.json")
    # Newest first; the rejected one and the one older than 90 days are not there.
    assert [r["service_request_id"] for r in body] == [
        reports.open_new,
        reports.forwarded,
        reports.erased,
    ]
    for request in body:
        assert set(request) == set(REQUEST_FIELDS)
        for key in (
            "service_request_id",
            "status_notes",
            "service_name",
            "service_code",
            "description",
            "requested_datetime",
            "updated_datetime",
        ):
            assert isinstance(request[key], str), key
        assert request["status"] in ("open", "closed")
        for key in ("service_notice", "expected_datetime", "address", "address_id", "zipcode"):
            assert request[key] is None, key
        for key in ("lat", "long"):
            assert request[key] is None or isinstance(request[key], float)
        assert request["agency_responsible"] is None or isinstance(
            request["agency_responsible"], str
        )
        assert request["media_url"] is None or isinstance(request["media_url"], str)
        for key in ("requested_datetime", "updated_datetime"):
            when = datetime.fromisoformat(request[key])
            assert when.utcoffset() == timedelta(hours=8)  # TIMEZONE=Asia/Shanghai
    by_number = {r["service_request_id"]: r for r in body}
    new = by_number[reports.open_new]
    assert (new["status"], new["status_notes"], new["service_code"]) == (
        "open",
        "待核实",
        "pothole",
    )
    assert new["service_name"] == "路面坑洼" and new["description"] == "a text"
    assert (new["lat"], new["long"]) == (29.35212, 104.77457)
    assert datetime.fromisoformat(new["requested_datetime"]) == NOW - timedelta(days=1)
    assert datetime.fromisoformat(new["updated_datetime"]) == NOW - timedelta(hours=23)
    assert new["agency_responsible"] is None
    forwarded = by_number[reports.forwarded]
    assert forwarded["agency_responsible"] == OFFICE["name"]
    assert (forwarded["status"], forwarded["status_notes"]) == ("open", "已转交承办单位")
    assert forwarded["media_url"] is None
    erased = by_number[reports.erased]
    assert (erased["status"], erased["description"]) == ("closed", "")
    assert (erased["lat"], erased["long"], erased["media_url"]) == (None, None, None)

    en = {r["service_request_id"]: r for r in await get_json(api, "/requests.json", locale="en")}
    assert en[reports.forwarded]["agency_responsible"] == OFFICE["name_en"]
    assert en[reports.forwarded]["status_notes"] == "forwarded to an office"
    assert en[reports.open_new]["service_name"] == "Pothole"


async def test_filters_by_status_service_code_and_number(
    api: TestClient[web.Request, web.Application], reports: Reports
) -> None:
    assert await numbers(api, status="open") == [reports.open_new, reports.forwarded]
    assert await numbers(api, status="closed") == [reports.erased]
    assert await numbers(api, status="open,closed") == await numbers(api)
    assert await numbers(api, service_code="debris") == [reports.forwarded]
    assert await numbers(api, service_code="debris,water_ice") == [
        reports.forwarded,
        reports.erased,
    ]
    assert await numbers(api, service_code="hazard") == []  # only a rejected one
    assert await numbers(api, service_code="pothole", status="closed") == []
    # By number: any age, the other filters ignored (as the spec says), never a rejected one.
    wanted = f"{reports.old},{reports.rejected},SP-2026-999999,{reports.forwarded}"
    assert await numbers(api, service_request_id=wanted, status="closed") == [
        reports.forwarded,
        reports.old,
    ]
    one = await get_json(api, f"/requests/{reports.old}.json")
    assert [r["service_request_id"] for r in one] == [reports.old]
    assert (one[0]["status"], one[0]["status_notes"]) == ("closed", "承办单位已处置")
    assert_error(await get_json(api, f"/requests/{reports.rejected}.json", 404), 404)


async def test_date_window(api: TestClient[web.Request, web.Application], reports: Reports) -> None:
    everything = [reports.open_new, reports.forwarded, reports.erased, reports.old]
    far = (NOW - timedelta(days=365)).isoformat()
    assert await numbers(api, start_date=far) == everything
    assert await numbers(api, end_date=(NOW - timedelta(days=100)).isoformat()) == [reports.old]
    between = {"start_date": "2026-05-29T00:00:00+08:00", "end_date": "2026-05-30T23:59:59Z"}
    assert await numbers(api, **between) == [reports.forwarded, reports.erased]
    # No offset: local time (Asia/Shanghai). 10:00 there is before the report's 12:00.
    assert await numbers(api, start_date="2026-05-31T10:00:00") == [reports.open_new]
    assert await numbers(api, start_date="2026-05-31T12:00:01+08:00") == []


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "yesterday"},
        {"end_date": "2026-13-01T00:00:00Z"},
        {"start_date": "2026-05-30T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"},
        {"status": "pending"},
        {"service_code": "volcano"},
    ],
)
async def test_bad_parameters_are_400_in_the_error_format(
    api: TestClient[web.Request, web.Application], params: dict[str, str]
) -> None:
    assert_error(await get_json(api, "/requests.json", 400, **params), 400)


async def test_only_json_is_served(api: TestClient[web.Request, web.Application]) -> None:
    for path in ("/services.xml", "/requests.xml", "/discovery.xml"):
        body = await get_json(api, path, 400)
        assert_error(body, 400)
        assert "JSON" in body[0]["description"]
    discovery = await get_json(api, "/discovery.json")
    assert {"changeset", "contact", "endpoints"} <= set(discovery)
    (endpoint,) = discovery["endpoints"]
    assert endpoint["formats"] == ["application/json"]
    assert endpoint["url"] == str(api.make_url(BASE))


async def test_no_personal_data(
    api: TestClient[web.Request, web.Application], reports: Reports
) -> None:
    everything = f"{reports.open_new},{reports.forwarded},{reports.erased},{reports.old}"
    for params in ({}, {"service_request_id": everything}, {"locale": "en"}):
        response = await api.get(BASE + "/requests.json", params=params)
        text = await response.text()
        for secret in (NAME, PHONE, str(TELEGRAM_ID), VOICE, FILE_ID, str(OFFICE["phone"])):
            assert secret not in text
        for request in json.loads(text):
            assert set(request) == set(REQUEST_FIELDS)
            assert reports.user_id not in [v for v in request.values() if isinstance(v, int)]


async def test_media_url_serves_the_first_photo_and_404s(
    api: TestClient[web.Request, web.Application], reports: Reports
) -> None:
    (new,) = await get_json(api, "/requests.json", service_request_id=reports.open_new)
    assert new["media_url"] == str(api.make_url(f"{BASE}/media/{reports.open_new}/1.jpg"))
    photo = await api.session.get(new["media_url"])  # the absolute URL, as a client would
    assert photo.status == 200 and photo.headers["Content-Type"] == "image/jpeg"
    data = await photo.read()
    assert data.startswith(b"\xff\xd8")
    assert b"Exif" not in data[:64]  # the stored copy carries no metadata
    second = await api.get(f"{BASE}/media/{reports.open_new}/2.jpg")
    assert second.status == 200 and (await second.read()).startswith(b"\xff\xd8")
    for path in (
        f"/media/{reports.open_new}/3.jpg",  # no such photo
        f"/media/{reports.rejected}/1.jpg",  # a rejected report's photo stays private
        f"/media/{reports.erased}/1.jpg",
        "/media/SP-2026-999999/1.jpg",
    ):
        assert_error(await get_json(api, path, 404), 404)


async def test_a_standalone_server_for_polling_mode(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings, reports: Reports
) -> None:
    runner = await serve_open311("127.0.0.1:0", session_factory, settings)
    try:
        host, port = runner.addresses[0][:2]
        async with ClientSession() as client:
            url = f"http://{host}:{port}{BASE}/requests.json"
            async with client.get(url, params={"service_request_id": reports.old}) as response:
                assert response.status == 200
                body = await response.json()
    finally:
        await runner.cleanup()
    assert [r["service_request_id"] for r in body] == [reports.old]
    with pytest.raises(ValueError, match="OPEN311_LISTEN"):
        await serve_open311("8081", session_factory, settings)
