"""The command line run in this process: `python -m bot ARGS` as `main(ARGS)` in a worker
thread (it runs its own event loop), with DATABASE_URL set and its output captured. Starting
a real process costs seconds of imports each time; a few tests still do, to prove the entry
point itself (tests/app/test_config.py, tests/stations/test_import.py)."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import threading
from contextlib import redirect_stderr, redirect_stdout

from bot.__main__ import main

_LOCK = threading.Lock()  # the environment and sys.stdout are the process's: one at a time


def _call(db_url: str, args: list[str]) -> subprocess.CompletedProcess[str]:
    out, err = io.StringIO(), io.StringIO()
    with _LOCK:
        saved = dict(os.environ)
        os.environ["DATABASE_URL"] = db_url
        os.environ.pop("BOT_TOKEN", None)
        try:
            with redirect_stdout(out), redirect_stderr(err):
                code = main(args)
        finally:
            os.environ.clear()
            os.environ.update(saved)
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


async def run_cli(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(_call, db_url, list(args))
