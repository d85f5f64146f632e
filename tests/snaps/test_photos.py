"""The snap photo pipeline: what is read, what is stripped, what is refused, what is stored."""

from __future__ import annotations

import struct
import zlib
from datetime import datetime
from io import BytesIO
from pathlib import Path

import numpy as np
import pillow_heif
import pytest
from PIL import Image, ImageCms, ImageFile

from knowledge.snaps.photos import (
    SAME_PHOTO_DISTANCE,
    Photo,
    PhotoError,
    PhotoLimits,
    PhotoProblem,
    PhotoStore,
    hash_distance,
    process_photo,
)
from knowledge.snaps.samples import SAMPLE_PHOTOS
from tests.snaps.sample_photos_maker import exif_for

TAKEN = datetime(2026, 5, 1, 8, 30, 15)
WHEN = datetime(2026, 5, 1, 9, 0)


def _noise(size: tuple[int, int], seed: int = 0) -> Image.Image:
    """A gradient with noise: a JPEG of it has real weight, unlike flat colour."""
    w, h = size
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 255, w, dtype=np.float32)[None, :, None]
    y = np.linspace(0, 255, h, dtype=np.float32)[:, None, None]
    pixels = (x + y) / 2 + rng.normal(0, 20, (h, w, 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


def _jpeg(image: Image.Image, exif: Image.Exif | None = None, **kw: object) -> bytes:
    out = BytesIO()
    image.save(out, "JPEG", exif=exif if exif is not None else Image.Exif(), **kw)
    return out.getvalue()


def _refused(data: bytes, problem: PhotoProblem, store: PhotoStore, **limits: int) -> None:
    """process, then store only on success, as the handler does: nothing may be written."""
    with pytest.raises(PhotoError) as caught:
        photo = process_photo(data, PhotoLimits(**limits))
        store.save(photo, 1, 1, WHEN)
    assert caught.value.problem is problem
    assert not any(store.root.rglob("*"))


@pytest.fixture
def store(tmp_path: Path) -> PhotoStore:
    root = tmp_path / "store"
    root.mkdir()
    return PhotoStore(root)


def test_gps_and_time_read_then_every_metadata_stripped() -> None:
    exif = exif_for(-33.8568, -151.2153, TAKEN)
    data = _jpeg(_noise((640, 480)), exif, icc_profile=b"", comment=b"driver 42")
    photo = process_photo(data)
    assert photo.gps == pytest.approx((-33.8568, -151.2153), abs=1e-6)
    assert photo.taken_at == TAKEN
    assert (photo.width, photo.height) == (640, 480)
    assert len(photo.phash) == 16
    stored = Image.open(BytesIO(photo.jpeg))
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert not stored.getexif().get_ifd(0x8825)
    assert not {"exif", "xmp", "comment", "icc_profile"} & set(stored.info)
    assert b"Exif" not in photo.jpeg and b"http://ns.adobe.com/xap" not in photo.jpeg


def test_north_east_positive_and_no_time() -> None:
    exif = exif_for(29.3521, 104.7745, TAKEN)
    del exif.get_ifd(0x8769)[0x9003]
    photo = process_photo(_jpeg(_noise((100, 80)), exif))
    assert photo.gps == pytest.approx((29.3521, 104.7745), abs=1e-6)
    assert photo.taken_at is None


@pytest.mark.parametrize(("lat", "lon"), [(95.0, 10.0), (10.0, 181.0), (0.0, 0.0)])
def test_invalid_gps_is_none(lat: float, lon: float) -> None:
    photo = process_photo(_jpeg(_noise((100, 80)), exif_for(lat, lon, TAKEN)))
    assert photo.gps is None
    assert photo.taken_at == TAKEN


def test_no_exif_at_all() -> None:
    photo = process_photo(_jpeg(_noise((100, 80))))
    assert photo.gps is None and photo.taken_at is None


def test_orientation_6_is_applied() -> None:
    # Stored 400x200 with a red block top-left; "turn 90° clockwise" puts it top-right of 200x400.
    stored = Image.new("RGB", (400, 200), "white")
    stored.paste((255, 0, 0), (0, 0, 60, 60))
    photo = process_photo(_jpeg(stored, exif_for(29.0, 104.0, TAKEN, orientation=6)))
    assert (photo.width, photo.height) == (200, 400)
    shown = Image.open(BytesIO(photo.jpeg)).convert("RGB")
    assert shown.size == (200, 400)
    r, g, b = shown.getpixel((200 - 30, 30))  # type: ignore[misc]
    assert r > 200 and g < 60 and b < 60
    r, g, b = shown.getpixel((30, 30))  # type: ignore[misc]
    assert r > 200 and g > 200 and b > 200
    assert not Image.open(BytesIO(photo.jpeg)).getexif()  # no orientation left to apply twice


@pytest.mark.parametrize("size", [(4000, 3000), (3000, 4000)])
def test_large_photo_scaled_to_max_side(size: tuple[int, int]) -> None:
    photo = process_photo(_jpeg(_noise(size), quality=80))
    assert max(photo.width, photo.height) == 2048
    assert photo.width / photo.height == pytest.approx(size[0] / size[1], abs=0.01)
    assert Image.open(BytesIO(photo.jpeg)).size == (photo.width, photo.height)


def test_png_with_alpha_flattened_on_white() -> None:
    image = Image.new("RGBA", (50, 40), (0, 0, 0, 0))
    out = BytesIO()
    image.save(out, "PNG")
    photo = process_photo(out.getvalue())
    stored = Image.open(BytesIO(photo.jpeg))
    assert stored.mode == "RGB"
    assert stored.convert("L").getextrema()[0] > 245  # type: ignore[operator]


def test_webp_taken() -> None:
    out = BytesIO()
    _noise((300, 200)).save(out, "WEBP")
    photo = process_photo(out.getvalue())
    assert (photo.width, photo.height) == (300, 200)


def test_heic_processed_to_jpeg() -> None:
    out = BytesIO()
    pillow_heif.from_pillow(_noise((320, 240))).save(out, format="HEIF", quality=80)
    photo = process_photo(out.getvalue())
    stored = Image.open(BytesIO(photo.jpeg))
    assert stored.format == "JPEG" and stored.size == (320, 240)


def test_truncated_jpeg_is_corrupt(store: PhotoStore) -> None:
    data = _jpeg(_noise((640, 480)), quality=90)
    _refused(data[: len(data) // 2], PhotoProblem.CORRUPT, store)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_text_is_not_image(store: PhotoStore) -> None:
    _refused("路面有坑，请注意。\n".encode() * 50, PhotoProblem.NOT_IMAGE, store)
    _refused(b"", PhotoProblem.NOT_IMAGE, store)


def test_too_large_refused_before_opening(store: PhotoStore) -> None:
    _refused(b"\xff\xd8" + b"\0" * (11 * 1024 * 1024), PhotoProblem.TOO_LARGE, store)


def test_unsupported_format(store: PhotoStore) -> None:
    out = BytesIO()
    _noise((40, 30)).save(out, "BMP")
    _refused(out.getvalue(), PhotoProblem.UNSUPPORTED, store)


def _flat_png(width: int, height: int) -> bytes:
    """A one-bit PNG written chunk by chunk: tiny on disk, and never held as pixels here."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    row = b"\0" * (1 + (width + 7) // 8)  # filter byte + packed bits
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="session")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("bomb") / "12000.png"
    if not path.exists():
        path.write_bytes(_flat_png(12_000, 12_000))
    return path.read_bytes()


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    calls: list[object] = []

    def spy(self: object) -> None:
        calls.append(self)
        raise AssertionError("decoding started")

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    monkeypatch.setattr(Image.Image, "load", spy)
    return calls


def test_pixel_bomb_refused_from_header(
    bomb: bytes, store: PhotoStore, no_decoding: list[object]
) -> None:
    assert len(bomb) < 200_000
    with pytest.warns(Image.DecompressionBombWarning):
        assert Image.open(BytesIO(bomb)).size == (12_000, 12_000)
    _refused(bomb, PhotoProblem.TOO_MANY_PIXELS, store)
    assert not no_decoding  # refused from the header: not a pixel was decoded


def test_own_pixel_limit_below_pillows(store: PhotoStore, no_decoding: list[object]) -> None:
    # 2 Mpx is nothing to Pillow; only our limit refuses it.
    _refused(_flat_png(2000, 1000), PhotoProblem.TOO_MANY_PIXELS, store, max_pixels=1_000_000)
    assert not no_decoding


def test_same_picture_re_encoded_is_same_hash() -> None:
    original = Image.open(SAMPLE_PHOTOS[0].path)
    smaller = original.resize((560, 420), Image.Resampling.BILINEAR)
    a = process_photo(SAMPLE_PHOTOS[0].path.read_bytes())
    b = process_photo(_jpeg(smaller, quality=50))
    assert hash_distance(a.phash, b.phash) <= SAME_PHOTO_DISTANCE


def test_different_samples_are_different_hashes() -> None:
    hashes = [process_photo(s.path.read_bytes()).phash for s in SAMPLE_PHOTOS]
    for i, a in enumerate(hashes):
        for b in hashes[i + 1 :]:
            assert hash_distance(a, b) > SAME_PHOTO_DISTANCE


def test_hash_distance() -> None:
    assert hash_distance("0" * 16, "0" * 16) == 0
    assert hash_distance("0" * 16, "f" * 16) == 64
    assert hash_distance("0" * 15 + "3", "0" * 16) == 2
    with pytest.raises(ValueError):
        hash_distance("abc", "0" * 16)


def test_samples_carry_their_positions() -> None:
    assert {s.category for s in SAMPLE_PHOTOS} == {"pothole", "water_ice", "traffic_facility"}
    for sample in SAMPLE_PHOTOS:
        raw = sample.path.read_bytes()
        assert len(raw) < 120 * 1024
        photo = process_photo(raw)
        assert photo.gps is not None
        assert photo.gps == pytest.approx((sample.lat, sample.lon), abs=1e-4)
        assert photo.taken_at is not None
        assert (photo.width, photo.height) == (800, 600)  # the turned one is shown upright
    turned = [s for s in SAMPLE_PHOTOS if Image.open(s.path).getexif().get(0x0112) == 6]
    assert len(turned) == 1


def test_store_saves_atomically_and_reads_back(store: PhotoStore) -> None:
    photo = process_photo(SAMPLE_PHOTOS[1].path.read_bytes())
    relative = store.save(photo, 17, 2, WHEN)
    assert relative == "snaps/2026/05/17-2.jpg"
    assert store.open(relative) == photo.jpeg
    assert store.path(relative) == store.root / "snaps" / "2026" / "05" / "17-2.jpg"
    assert [p.name for p in store.path(relative).parent.iterdir()] == ["17-2.jpg"]  # no temp left
    again = store.save(Photo(b"new", 1, 1, "0" * 16, None, None), 17, 2, WHEN)
    assert store.open(again) == b"new"


def test_store_failed_write_leaves_nothing(
    store: PhotoStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("knowledge.snaps.photos.os.replace", broken)
    with pytest.raises(OSError):
        store.save(Photo(b"x", 1, 1, "0" * 16, None, None), 1, 1, WHEN)
    assert not [p for p in store.root.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    "pattern",
    ["../{report}-{n}.jpg", "/tmp/{report}.jpg", "snaps/{year}/../../{n}.jpg",
     "{report}/{colour}.jpg", "{}.jpg", "{report.real}.jpg", "snaps/{month:02d"],
)  # fmt: skip
def test_store_refuses_bad_patterns(tmp_path: Path, pattern: str) -> None:
    with pytest.raises(ValueError):
        PhotoStore(tmp_path, pattern)


def test_store_refuses_escaping_paths(store: PhotoStore) -> None:
    for relative in ("../x.jpg", "/etc/passwd", "snaps/../../x.jpg", ""):
        with pytest.raises(ValueError):
            store.open(relative)


def test_store_pattern_with_day(tmp_path: Path) -> None:
    store = PhotoStore(tmp_path, "{year}{month:02d}{day:02d}/r{report}_{n}.jpg")
    photo = Photo(b"jpeg", 1, 1, "0" * 16, None, None)
    assert store.save(photo, 5, 1, WHEN) == "20260501/r5_1.jpg"


def test_icc_profile_converted_and_dropped() -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = _jpeg(_noise((120, 90)), icc_profile=srgb)
    assert Image.open(BytesIO(data)).info.get("icc_profile")
    stored = Image.open(BytesIO(process_photo(data).jpeg))
    assert "icc_profile" not in stored.info
