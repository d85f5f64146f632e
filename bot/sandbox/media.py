"""Small helpers for stored media: image dimensions and MIME types."""

from __future__ import annotations

import io
import mimetypes
import struct

from PIL import Image, ImageOps

DEFAULT_PHOTO_SIZE = (800, 600)
# JPEG start-of-frame markers (all SOFn except DHT/JPG/DAC, which share the range).
_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG image, None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in {b"GIF87a", b"GIF89a"} and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        length = int.from_bytes(data[index + 2 : index + 4], "big")
        if marker in _JPEG_SOF:
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return int(width), int(height)
        index += 2 + length
    return None


def photo_dimensions(
    data: bytes | None, width: int | None = None, height: int | None = None
) -> tuple[int, int]:
    if width and height:
        return width, height
    sniffed = image_size(data) if data else None
    return sniffed or DEFAULT_PHOTO_SIZE


def guess_mime_type(file_name: str | None, declared: str | None = None) -> str:
    """Telegram derives the MIME type from the file name; fall back to the declared one."""
    guessed = mimetypes.guess_type(file_name)[0] if file_name else None
    return guessed or declared or "application/octet-stream"


def compress_photo(data: bytes) -> bytes:
    """What Telegram does to a photo sent as a photo (not as a file): it is re-encoded as a
    JPEG, turned upright, at most 2560 px on a side, and every bit of metadata (EXIF GPS
    included) is gone. Data Pillow cannot read is kept as it came (the bot refuses it)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > 100_000_000:
                return data
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except Exception:
        return data
    upright.thumbnail((2560, 2560))
    out = io.BytesIO()
    upright.save(out, "JPEG", quality=87)
    return out.getvalue()
