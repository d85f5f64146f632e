"""What the import/export commands share: reading a file, a migrated session for one job."""

from __future__ import annotations

import argparse
import codecs
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.feature import CliCommand

FileAction = Callable[[Settings, Path], int]


class Undecodable(ValueError):
    """Why a file's bytes are not text we read, in words an admin can act on."""


def decode_text(data: bytes, spreadsheet: bool = False) -> str:
    """The text of a file an admin saved. Line ends become \n, as reading in text mode does.

    Plain tries rather than a detector (charset-normalizer): UTF-8 almost never decodes what
    is not UTF-8, and the one other encoding these files come in is what Excel saves on a
    Chinese PC, GBK, read as GB18030 (its superset). Deterministic and no dependency; a
    detector would only guess between legacy encodings nobody here uses. A UTF-16 byte order
    mark is Excel's "Unicode text".
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _lines(data.decode("utf-16"))
        except UnicodeDecodeError:
            raise Undecodable("not valid UTF-16 text; " + _how(spreadsheet)) from None
    try:
        return _lines(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        utf8_error = exc
    # Mostly good UTF-8 with a stray byte must not turn into GB18030 mojibake that imports
    # "fine": GBK text is nearly all invalid UTF-8, such a file nearly all valid.
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    if len(lenient) - len(lenient.encode("ascii", "ignore")) - bad > bad:
        line = data[: utf8_error.start].count(b"\n") + 1
        byte = data[utf8_error.start]
        raise Undecodable(f"not valid UTF-8: line {line} has the byte 0x{byte:02X}")
    try:
        return _lines(data.decode("gb18030"))
    except UnicodeDecodeError:
        raise Undecodable("not UTF-8 or GB18030 text; " + _how(spreadsheet)) from None


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _how(spreadsheet: bool) -> str:
    return "in Excel use Save As → CSV UTF-8" if spreadsheet else "save it as UTF-8"


def read_input(path: Path) -> str | None:
    """The file's text; None (after saying why on stderr, in one line) when it cannot be read."""
    try:
        return decode_text(path.read_bytes(), spreadsheet=path.suffix.lower() == ".csv")
    except (OSError, Undecodable) as exc:
        print(f"cannot read {path}: {exc}", file=sys.stderr)
        return None


def write_output(path: Path, text: str) -> bool:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"cannot write {path}: {exc}", file=sys.stderr)
        return False
    return True


def write_bytes_output(path: Path, data: bytes) -> bool:
    try:
        path.write_bytes(data)
    except OSError as exc:
        print(f"cannot write {path}: {exc}", file=sys.stderr)
        return False
    return True


def report_errors(path: Path, errors: list[str]) -> int:
    for error in errors:
        print(f"{path}: {error}", file=sys.stderr)
    print(f"{len(errors)} error(s); nothing imported", file=sys.stderr)
    return 1


@asynccontextmanager
async def job_session(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A session on an up-to-date database, for one command; the caller commits."""
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with create_session_factory(engine)() as session:
            yield session
    finally:
        await engine.dispose()


def import_export(
    name: str, what: str, import_file: FileAction, export_file: FileAction
) -> CliCommand:
    """`python -m bot NAME import FILE` (all or nothing) and `NAME export FILE`."""

    def add(parser: argparse.ArgumentParser) -> None:
        action = parser.add_subparsers(dest="action", required=True)
        for verb, text in (("import", "load FILE (all or nothing)"), ("export", "write FILE")):
            action.add_parser(verb, help=text).add_argument("file", type=Path)

    def run(settings: Settings, args: argparse.Namespace) -> int:
        act = import_file if args.action == "import" else export_file
        return act(settings, args.file)

    return CliCommand(name, f"import or export {what}", add, run)
