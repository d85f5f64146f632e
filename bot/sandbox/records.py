"""Filtering and pretty-printing of the outgoing-call log (shared by server and client)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

MethodFilter = str | Iterable[str] | None


def method_names(method: MethodFilter) -> set[str] | None:
    """Lower-cased method names; a string may list several separated by commas."""
    if method is None:
        return None
    names = method.split(",") if isinstance(method, str) else list(method)
    cleaned = {name.strip().lower() for name in names if name and name.strip()}
    return cleaned or None


def select(
    records: Iterable[dict[str, Any]],
    *,
    chat_id: int | None = None,
    after: int = 0,
    method: MethodFilter = None,
) -> list[dict[str, Any]]:
    names = method_names(method)
    return [
        record
        for record in records
        if record["seq"] > after
        and (chat_id is None or record.get("chat_id") == chat_id)
        and (names is None or record["method"].lower() in names)
    ]


def format_record(record: dict[str, Any]) -> str:
    status = "ok" if record.get("ok") else f"ERROR {(record.get('error') or {}).get('description')}"
    parts = [f"#{record['seq']} {record['method']} chat={record.get('chat_id')} [{status}]"]
    if record.get("message_id") is not None:
        parts.append(f"message_id={record['message_id']}")
    if record.get("thread_id") is not None:
        parts.append(f"thread_id={record['thread_id']}")
    text = record.get("plain_text") if record.get("plain_text") is not None else record.get("text")
    if text is not None:
        parts.append(f"text={text!r}")
    if record.get("reply_markup") is not None:
        parts.append(f"reply_markup={record['reply_markup']}")
    return " ".join(parts)


def format_records(records: Iterable[dict[str, Any]]) -> str:
    lines = [f"  {format_record(record)}" for record in records]
    return "\n".join(lines) if lines else "  (nothing)"
