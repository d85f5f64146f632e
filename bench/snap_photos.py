"""Snap photos: the cost of process_photo for a 12-megapixel phone JPEG.

A 4000x3000 JPEG with gradients and noise (a realistic 2-4 MB file, with EXIF GPS) is made
once. p50/p99 over repeated runs of the pipeline (read GPS and time, decode at reduced scale,
orient, resize to 2048, strip, save, phash) against a baseline measured in the same run: a plain
full decode of the same file and a JPEG save, without draft, strip or resize. Peak memory of
each is read from ru_maxrss in a fresh subprocess that runs it once: MB above the process's
own level before the run. Ends with one RESULT line.

    python bench/snap_photos.py [--runs 30]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from PIL import Image

from knowledge.snaps.photos import process_photo
from tests.snaps.sample_photos_maker import exif_for

SIZE = (4000, 3000)


def make_photo() -> bytes:
    w, h = SIZE
    rng = np.random.default_rng(5)
    x = np.linspace(0, 1, w, dtype=np.float32)[None, :]
    y = np.linspace(0, 1, h, dtype=np.float32)[:, None]
    planes = [160 * x + 60 * y, 120 + 80 * np.sin(6 * x + 4 * y), 200 * y + 0 * x]
    base = np.stack(np.broadcast_arrays(*planes), axis=-1)
    coarse = rng.normal(0, 25, (h // 8, w // 8, 3)).repeat(8, 0).repeat(8, 1)  # blotches
    pixels = base + coarse + rng.normal(0, 6, (h, w, 3)).astype(np.float32)  # sensor grain
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
    out = BytesIO()
    exif = exif_for(29.3521, 104.7745, datetime(2026, 4, 12, 9, 41, 5))
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def pipeline(data: bytes) -> None:
    process_photo(data)


def baseline(data: bytes) -> None:
    image = Image.open(BytesIO(data))
    image.load()
    image.save(BytesIO(), "JPEG", quality=85)


VARIANTS: dict[str, Callable[[bytes], None]] = {"photo": pipeline, "baseline": baseline}


def _ms(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples) * 1000, samples[max(int(len(samples) * 0.99) - 1, 0)] * 1000


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def child(variant: str, path: Path) -> None:
    """Runs one variant once in this fresh process; prints its peak above the start."""
    data = path.read_bytes()
    before = _maxrss_mb()
    VARIANTS[variant](data)
    print(f"{_maxrss_mb() - before:.1f}")


def peak_mb(variant: str, path: Path) -> float:
    # Linux carries the spawning process's high-water RSS into ru_maxrss across exec (and
    # this process made a 12 Mpx array). A shell that forks python instead of exec'ing it
    # (the `; exit` stops that) gives python a fresh count.
    command = [sys.executable, __file__, "--child", variant, "--file", str(path)]
    out = subprocess.run(
        ["sh", "-c", '"$0" "$@"; exit $?', *command], check=True, capture_output=True, text=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--child", choices=sorted(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.file)
        return
    data = make_photo()
    timings: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for _ in range(args.runs):
        for name, run in VARIANTS.items():
            t = time.perf_counter()
            run(data)
            timings[name].append(time.perf_counter() - t)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "photo.jpg"
        path.write_bytes(data)
        peaks = {name: peak_mb(name, path) for name in VARIANTS}
    stored = process_photo(data)
    p50, p99 = _ms(timings["photo"])
    base50, base99 = _ms(timings["baseline"])
    ratio = p50 / base50
    kept = f"{stored.width}x{stored.height} {len(stored.jpeg) / 1e3:.0f} KB"
    print(f"{SIZE[0]}x{SIZE[1]} JPEG, {len(data) / 1e6:.2f} MB in, stored {kept}; {args.runs} runs")
    print(f"{'variant':<9} {'p50 ms':>8} {'p99 ms':>8} {'peak MB':>8}")
    print(f"{'photo':<9} {p50:>8.1f} {p99:>8.1f} {peaks['photo']:>8.1f}")
    print(f"{'baseline':<9} {base50:>8.1f} {base99:>8.1f} {peaks['baseline']:>8.1f}")
    print(f"RESULT photo_p50_ms={p50:.1f} photo_p99_ms={p99:.1f} baseline_p50_ms={base50:.1f} "
          f"baseline_p99_ms={base99:.1f} ratio={ratio:.2f} input_mb={len(data) / 1e6:.2f} "
          f"peak_mb={peaks['photo']:.1f} baseline_peak_mb={peaks['baseline']:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
