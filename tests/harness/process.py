"""`python -m bot` as a real process in an empty directory, as on a fresh machine: no token,
no .env, no database. Used by the sandbox and browser tests."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import zlib
from pathlib import Path

# Anything that would configure the bot is left out, so the process sees a fresh machine.
_CONFIG_PREFIXES = ("BOT_", "WEBHOOK_", "SANDBOX_", "ADMIN_")
_CONFIG_NAMES = {"DATABASE_URL", "TELEGRAM_API_BASE", "REDIS_URL", "LOG_LEVEL"}
URL_LINE = re.compile(r"open (http://\S+)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(_CONFIG_PREFIXES) and k not in _CONFIG_NAMES
    }
    return {**env, **extra}


class SandboxProcess:
    """The bot's CLI in `cwd`; its output is drained by a thread so the pipe never fills."""

    def __init__(self, cwd: Path, *args: str, **env: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", *args],
            cwd=cwd,
            env=clean_env(**env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self.url = ""  # set by wait_for_url()
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            self._queue.put(line)
        self._queue.put(None)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for_url(self, timeout: float = 120) -> str:
        """The URL the sandbox prints once the bot is polling."""
        while True:
            try:
                line = self._queue.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no sandbox URL within {timeout}s:\n{self.output}") from None
            if line is None:
                raise AssertionError(
                    f"exited with {self.proc.wait()} before the URL:\n{self.output}"
                )
            match = URL_LINE.search(line)
            if match:
                self.url = match.group(1)
                return self.url

    def wait(self, timeout: float = 60) -> int:
        code = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=10)
        return code

    def interrupt(self, timeout: float = 60) -> int:
        """Ctrl-C, then the exit code."""
        self.proc.send_signal(signal.SIGINT)
        return self.wait(timeout)

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self.interrupt(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.wait()


def png(width: int, height: int) -> bytes:
    """A valid grey PNG image of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
