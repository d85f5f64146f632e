"""Photos of snap reports: check what a driver sent, read where and when it was taken, keep a
small clean JPEG copy and a perceptual hash to spot the same picture sent twice.

The stored copy carries no metadata at all: EXIF (with the driver's position), XMP and comments
are dropped, and colours are converted to sRGB so no ICC profile is needed.
"""

from __future__ import annotations

import math
import os
import string
import tempfile
import warnings
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import Any

import imagehash
import pillow_heif
from PIL import Image, ImageCms, ImageFile, ImageOps

pillow_heif.register_heif_opener()

# Formats a phone or Telegram sends. MPO is how Pillow names JPEGs with a second picture
# (many phones); for animated GIF/WebP/APNG the first frame is taken.
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "HEIF", "GIF"})
SAME_PHOTO_DISTANCE = 6

_GPS_IFD, _EXIF_IFD, _DATETIME_ORIGINAL = 0x8825, 0x8769, 0x9003
_PLACEHOLDERS = frozenset({"year", "month", "day", "report", "n"})
_SRGB = ImageCms.createProfile("sRGB")


class PhotoProblem(StrEnum):
    TOO_LARGE = "too_large"
    NOT_IMAGE = "not_image"
    CORRUPT = "corrupt"
    TOO_MANY_PIXELS = "too_many_pixels"
    UNSUPPORTED = "unsupported"


class PhotoError(Exception):
    def __init__(self, problem: PhotoProblem, detail: str = "") -> None:
        super().__init__(f"{problem}: {detail}" if detail else str(problem))
        self.problem = problem


@dataclass(frozen=True, slots=True)
class PhotoLimits:
    max_bytes: int = 10 * 1024 * 1024
    max_pixels: int = 50_000_000
    max_side: int = 2048
    jpeg_quality: int = 85


@dataclass(frozen=True, slots=True)
class Photo:
    jpeg: bytes
    width: int
    height: int
    phash: str
    gps: tuple[float, float] | None
    taken_at: datetime | None


def process_photo(data: bytes, limits: PhotoLimits = PhotoLimits()) -> Photo:
    """The clean stored copy of `data`, or PhotoError saying why it is refused."""
    if len(data) > limits.max_bytes:
        raise PhotoError(PhotoProblem.TOO_LARGE, f"{len(data)} bytes")
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # A global switch some library may flip; with it half a photo would pass as whole.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is on: truncated photos pass")
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; make it a refusal too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return _process(data, limits)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
            raise PhotoError(PhotoProblem.TOO_MANY_PIXELS, str(e)) from e


def _process(data: bytes, limits: PhotoLimits) -> Photo:
    image = _open(data)
    if image.format not in ACCEPTED_FORMATS:
        raise PhotoError(PhotoProblem.UNSUPPORTED, str(image.format))
    width, height = image.size
    if width <= 0 or height <= 0 or width * height > limits.max_pixels:
        raise PhotoError(PhotoProblem.TOO_MANY_PIXELS, f"{width}x{height}")
    try:
        # verify() checks what it can without decoding (PNG CRCs) but spends the file object,
        # so the picture is opened a second time to decode it.
        image.verify()
        image = _open(data)
        exif = image.getexif()
        gps, taken_at = _gps(exif), _taken_at(exif)
        if image.format in ("JPEG", "MPO") and max(width, height) >= 2 * limits.max_side:
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale: less memory and much faster.
            scale = max(width, height) / limits.max_side
            image.draft("RGB", (math.ceil(width / scale), math.ceil(height / scale)))
        image.load()
        ImageOps.exif_transpose(image, in_place=True)  # in place: no copy of 12 Mpx
        rgb = _to_srgb(image)
        # Bicubic, not Lanczos: for these ratios it looks the same and is ~1.5x faster, and
        # the resize is most of the pipeline's time (see bench/snap_photos.py).
        rgb.thumbnail((limits.max_side, limits.max_side), Image.Resampling.BICUBIC)
        out = BytesIO()
        # Only what is passed here is written: no exif, icc_profile, xmp or comment.
        rgb.save(out, "JPEG", quality=limits.jpeg_quality, optimize=True)
    except PhotoError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, IndexError) as e:
        raise PhotoError(PhotoProblem.CORRUPT, str(e)) from e
    return Photo(out.getvalue(), rgb.width, rgb.height, str(imagehash.phash(rgb)), gps, taken_at)


def _open(data: bytes) -> ImageFile.ImageFile:
    try:
        return Image.open(BytesIO(data))
    except Image.UnidentifiedImageError as e:
        raise PhotoError(PhotoProblem.NOT_IMAGE, str(e)) from e
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        # A plugin recognised the header but could not read it.
        raise PhotoError(PhotoProblem.CORRUPT, str(e)) from e


def _to_srgb(image: Image.Image) -> Image.Image:
    """RGB in sRGB, transparent parts on white, with an empty info (nothing to leak).

    May return `image` itself, changed.
    """
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    ):
        rgba = image.convert("RGBA")
        rgb = Image.new("RGB", rgba.size, "white")
        rgb.paste(rgba, mask=rgba.getchannel("A"))
    else:
        rgb = image.convert("RGB") if image.mode != "RGB" else image  # ours to change
    icc = image.info.get("icc_profile")  # read before the info is cleared below
    if icc:
        try:  # e.g. Display P3 from iPhones: keep the colours once the profile is gone
            source = ImageCms.ImageCmsProfile(BytesIO(icc))
            converted = ImageCms.profileToProfile(rgb, source, _SRGB, outputMode="RGB")
            if converted is not None:
                rgb = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: the pixels as they are are the best guess
    rgb.info.clear()
    return rgb


def _gps(exif: Image.Exif) -> tuple[float, float] | None:
    try:
        gps = exif.get_ifd(_GPS_IFD)
        lat = _degrees(gps[2], gps.get(1), "S")
        lon = _degrees(gps[4], gps.get(3), "W")
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError, AttributeError):
        return None
    if math.isnan(lat) or math.isnan(lon) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    if lat == 0 and lon == 0:  # what a phone writes when it has no fix
        return None
    return lat, lon


def _degrees(dms: Any, ref: Any, negative: str) -> float:
    if isinstance(dms, (int, float)) or len(dms) == 1:
        value = float(dms if isinstance(dms, (int, float)) else dms[0])
    else:
        parts = [float(x) for x in dms] + [0.0, 0.0]
        value = parts[0] + parts[1] / 60 + parts[2] / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    if isinstance(ref, str) and ref.strip("\x00 ").upper() == negative:
        value = -value
    return value


def _taken_at(exif: Image.Exif) -> datetime | None:
    try:
        raw = exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL)
    except (KeyError, TypeError, ValueError):
        return None
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "replace")
    if not isinstance(raw, str):
        return None
    try:
        return datetime.strptime(raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def hash_distance(a: str, b: str) -> int:
    """Bits that differ between two phash strings (16 hex characters each)."""
    if len(a) != 16 or len(b) != 16:
        raise ValueError(f"not 64-bit hashes: {a!r}, {b!r}")
    return (int(a, 16) ^ int(b, 16)).bit_count()


class PhotoStore:
    """Stored copies as files under `root`, named by `pattern`."""

    def __init__(
        self, root: Path, pattern: str = "snaps/{year}/{month:02d}/{report}-{n}.jpg"
    ) -> None:
        names = {field for _, field, _, _ in string.Formatter().parse(pattern) if field is not None}
        if not names <= _PLACEHOLDERS:
            unknown = sorted(names - _PLACEHOLDERS)
            raise ValueError(f"unknown placeholders in {pattern!r}: {unknown}")
        self.root = root
        self.pattern = pattern
        try:
            self._relative(datetime(2000, 1, 1), 1, 1)
        except (KeyError, IndexError, AttributeError) as e:
            raise ValueError(f"bad pattern {pattern!r}: {e}") from e

    def _relative(self, when: datetime, report: int, n: int) -> str:
        relative = self.pattern.format(
            year=when.year, month=when.month, day=when.day, report=report, n=n
        )
        self._check(relative)
        return relative

    def _check(self, relative: str) -> PurePosixPath:
        path = PurePosixPath(relative)
        if not relative or path.is_absolute() or ".." in path.parts or "\\" in relative:
            raise ValueError(f"{relative!r} would leave the photo store")
        return path

    def path(self, relative: str) -> Path:
        full = self.root.joinpath(*self._check(relative).parts)
        if not full.resolve().is_relative_to(self.root.resolve()):  # a symlink pointing out
            raise ValueError(f"{relative!r} would leave the photo store")
        return full

    def save(self, photo: Photo, report: int, n: int, when: datetime) -> str:
        """Write the copy atomically (never half a file under its name); its relative path."""
        relative = self._relative(when, report, n)
        target = self.path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(photo.jpeg)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return PurePosixPath(relative).as_posix()

    def open(self, relative: str) -> bytes:
        return self.path(relative).read_bytes()
