"""Sample snap photos shipped with the bot: three drawn road scenes with EXIF GPS and time.

Used by the sandbox and the tests; `tests/snaps/sample_photos_maker.py` draws them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge import DATA_DIR

SAMPLES_DIR = DATA_DIR / "snap_samples"


@dataclass(frozen=True)
class SamplePhoto:
    name: str
    path: Path
    lat: float
    lon: float
    category: str


SAMPLE_PHOTOS: tuple[SamplePhoto, ...] = (
    SamplePhoto("pothole", SAMPLES_DIR / "pothole.jpg", 29.3521, 104.7745, "pothole"),
    SamplePhoto("water", SAMPLES_DIR / "water.jpg", 28.2489, 117.0553, "water_ice"),
    SamplePhoto(
        "traffic_light", SAMPLES_DIR / "traffic_light.jpg", 29.5640, 103.7620, "traffic_facility"
    ),
)
