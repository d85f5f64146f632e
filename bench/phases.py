"""Timed phases of concurrent writers: latencies, errors and the printed lines of a bench."""

from __future__ import annotations

import asyncio
import math
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


@dataclass
class Phase:
    seconds: float = 0.0
    cpu: float = 0.0  # this process's CPU time (event loop and driver threads) over the phase
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    def tps(self) -> float:
        return len(self.latencies) / self.seconds

    def ms(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(math.ceil(len(ordered) * q) - 1, 0)] * 1000


async def attempt(phase: Phase, work: Awaitable[None]) -> None:
    """One timed unit of work: its latency, or its error counted (a lock error is a finding)."""
    started = time.perf_counter()
    try:
        await work
    except Exception as exc:  # counted and reported, not raised
        phase.errors[f"{type(exc).__name__}: {str(exc).splitlines()[0]}"] += 1
        return
    phase.latencies.append(time.perf_counter() - started)


async def timed(phase: Phase, *workers: Coroutine[Any, Any, None]) -> None:
    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*workers)
    phase.seconds = time.perf_counter() - started
    phase.cpu = time.process_time() - cpu


async def plain_writer(
    factory: async_sessionmaker[AsyncSession],
    table: Table,
    inserts: int,
    values: Callable[[int], dict[str, Any]],
    phase: Phase,
) -> None:
    """The baseline: `inserts` single-row INSERTs of `values(n)`, each in its own transaction."""

    async def write(n: int) -> None:
        async with factory() as session:
            await session.execute(insert(table).values(**values(n)))
            await session.commit()

    for n in range(inserts):
        await attempt(phase, write(n))


def print_phases(db: str, phases: tuple[tuple[str, Phase], ...], width: int) -> None:
    """One line per phase (its count `width` wide), then its commonest errors on stderr."""
    for name, phase in phases:
        print(f"{db:<8} {name:<14} {len(phase.latencies):>{width}} in {phase.seconds:>6.2f} s "
              f"{phase.tps():>{width + 1}.0f}/s  p50 {phase.ms(0.5):>7.2f} ms  "
              f"p99 {phase.ms(0.99):>8.2f} ms  client cpu {phase.cpu / phase.seconds:>4.0%}  "
              f"errors {sum(phase.errors.values())}")  # fmt: skip
        for error, count in phase.errors.most_common(5):
            print(f"{db:<8}   {count} x {error}", file=sys.stderr)


def print_verdict(db: str, problems: list[str], verified: str) -> None:
    """The `verified:` line, or the first problems on stderr."""
    if problems:
        print(f"{db:<8} verification FAILED:", file=sys.stderr)
        for p in problems[:20]:
            print(f"{db:<8}   {p}", file=sys.stderr)
    else:
        print(f"{db:<8} verified: {verified}")
