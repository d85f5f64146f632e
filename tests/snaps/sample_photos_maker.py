"""Draws the sample snap photos in knowledge/data/snap_samples (run once; the JPEGs are kept).

python tests/snaps/sample_photos_maker.py
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from io import BytesIO
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from PIL.TiffImagePlugin import IFDRational

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from knowledge.snaps.samples import SAMPLE_PHOTOS, SamplePhoto

SIZE = (800, 600)


def exif_for(lat: float, lon: float, taken: datetime, orientation: int = 1) -> Image.Exif:
    """EXIF as a phone writes it: GPS as degrees/minutes/seconds rationals with N/S, E/W."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = ("N" if lat >= 0 else "S"), _dms(abs(lat))
    gps[3], gps[4] = ("E" if lon >= 0 else "W"), _dms(abs(lon))
    exif.get_ifd(0x8769)[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
    return exif


def _dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * 10_000)
    return IFDRational(degrees), IFDRational(minutes), IFDRational(seconds, 10_000)


def _grain(image: Image.Image, amount: float, seed: int) -> Image.Image:
    """A little sensor noise so the pictures are not flat colour."""
    pixels = np.asarray(image, dtype=np.float32)
    noise = np.random.default_rng(seed).normal(0, amount, pixels.shape[:2])[..., None]
    return Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8), "RGB")


def _pothole() -> Image.Image:
    # Seen from the driver's seat: road in perspective to the horizon, dashed centre line.
    image = Image.new("RGB", SIZE, (135, 185, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 260, 800, 600), fill=(90, 140, 70))
    draw.polygon([(360, 260), (440, 260), (800, 600), (0, 600)], fill=(105, 105, 108))
    for y0 in range(270, 600, 60):
        t0, t1 = (y0 - 260) / 340, (y0 + 30 - 260) / 340
        draw.polygon([(400 - 2 - 6 * t0, y0), (400 + 2 + 6 * t0, y0),
                      (400 + 2 + 6 * t1, y0 + 30), (400 - 2 - 6 * t1, y0 + 30)],
                     fill=(240, 240, 240))  # fmt: skip
    draw.ellipse((470, 430, 660, 500), fill=(35, 32, 30))
    draw.ellipse((490, 440, 640, 485), fill=(55, 50, 45))
    return _grain(image.filter(ImageFilter.GaussianBlur(1)), 4, 1)


def _water() -> Image.Image:
    # Overcast, road across the picture with a wide brown puddle over the double yellow line.
    image = Image.new("RGB", SIZE, (190, 195, 200))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 150, 800, 600), fill=(80, 82, 85))
    draw.rectangle((0, 150, 800, 190), fill=(60, 110, 60))
    draw.rectangle((0, 360, 800, 368), fill=(230, 190, 40))
    draw.rectangle((0, 376, 800, 384), fill=(230, 190, 40))
    draw.ellipse((40, 250, 700, 560), fill=(120, 105, 80))
    for x, y, w in ((150, 330, 180), (320, 420, 220), (200, 480, 140)):
        draw.line((x, y, x + w, y), fill=(175, 180, 185), width=4)  # reflected sky
    return _grain(image.filter(ImageFilter.GaussianBlur(1.5)), 4, 2)


def _traffic_light() -> Image.Image:
    # Dusk at a crossing: a pole on the left, its signal dark, a sign lying on the verge.
    image = Image.new("RGB", SIZE, (230, 150, 90))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 420, 800, 600), fill=(70, 70, 72))
    for x in range(300, 800, 70):
        draw.rectangle((x, 450, x + 35, 580), fill=(225, 225, 225))  # zebra crossing
    draw.rectangle((120, 60, 140, 420), fill=(50, 50, 55))
    draw.rectangle((140, 70, 360, 86), fill=(50, 50, 55))
    draw.rectangle((300, 86, 360, 260), fill=(20, 20, 22))
    for y in (96, 150, 204):
        draw.ellipse((308, y, 352, y + 44), fill=(45, 45, 45))  # every lamp off
    draw.polygon([(520, 400), (700, 370), (720, 410), (540, 440)], fill=(30, 80, 170))
    return _grain(image.filter(ImageFilter.GaussianBlur(1)), 4, 3)


DRAWINGS: dict[str, tuple[Callable[[], Image.Image], datetime, int]] = {
    "pothole": (_pothole, datetime(2026, 4, 12, 9, 41, 5), 1),
    "water": (_water, datetime(2026, 6, 21, 17, 3, 48), 1),
    # Stored on its side with Orientation 6 ("turn 90° clockwise to show"), like a phone held
    # upright, so the pipeline's rotation is exercised.
    "traffic_light": (_traffic_light, datetime(2026, 9, 30, 19, 12, 0), 6),
}


def make_sample(sample: SamplePhoto, quality: int = 85) -> bytes:
    draw, taken, orientation = DRAWINGS[sample.name]
    picture = draw()
    if orientation == 6:
        picture = picture.transpose(Image.Transpose.ROTATE_90)
    out = BytesIO()
    exif = exif_for(sample.lat, sample.lon, taken, orientation)
    picture.save(out, "JPEG", quality=quality, optimize=True, exif=exif)
    return out.getvalue()


def make_samples() -> list[Path]:
    written = []
    for sample in SAMPLE_PHOTOS:
        sample.path.parent.mkdir(parents=True, exist_ok=True)
        sample.path.write_bytes(make_sample(sample))
        written.append(sample.path)
    return written


if __name__ == "__main__":
    for path in make_samples():
        print(path, path.stat().st_size)
