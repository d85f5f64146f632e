"""Bot API call arguments, decoded from any body encoding Telegram accepts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, MultipartReader, web

from .errors import ApiError, bad_request

ATTACH_PREFIX = "attach://"


@dataclass(frozen=True)
class UploadedFile:
    """A file sent as a multipart part."""

    filename: str
    content: bytes
    content_type: str | None = None


class Params:
    """Arguments of one call.

    JSON bodies carry native values while forms carry strings (aiogram JSON-encodes
    complex values such as reply_markup into form fields), so every getter accepts both.
    """

    def __init__(
        self,
        values: Mapping[str, Any] | None = None,
        files: Mapping[str, UploadedFile] | None = None,
    ) -> None:
        self.values: dict[str, Any] = dict(values or {})
        self.files: dict[str, UploadedFile] = dict(files or {})

    def has(self, name: str) -> bool:
        return self.values.get(name) is not None or name in self.files

    def get(self, name: str) -> Any:
        return self.values.get(name)

    def get_str(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        return value if isinstance(value, str) else str(value)

    def get_int(self, name: str, *, empty: str | None = None) -> int | None:
        """Integer argument; `empty` is the Telegram error text when it is required."""
        value = self.values.get(name)
        if value is None or value == "":
            if empty is not None:
                raise bad_request(empty)
            return None
        if isinstance(value, bool):
            raise bad_request(f"wrong parameter {name}")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_float(self, name: str, *, empty: str | None = None) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            if empty is not None:
                raise bad_request(empty)
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in {"true", "1", "yes"}
        return bool(value)

    def get_json(self, name: str) -> Any:
        """A structured argument: native in JSON bodies, a JSON string in forms."""
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None

    def get_file(self, name: str) -> UploadedFile | str | None:
        """An InputFile argument: an upload (direct or `attach://`), a file_id or a URL."""
        if name in self.files:
            return self.files[name]
        value = self.get_str(name)
        if value is None or value == "":
            return None
        return self.resolve_file(value)

    def resolve_file(self, value: str) -> UploadedFile | str:
        """The upload an `attach://<name>` value names, or the file_id / URL itself."""
        if value.startswith(ATTACH_PREFIX):
            attached = self.files.get(value[len(ATTACH_PREFIX) :])
            if attached is None:
                raise bad_request(f"file {value!r} not found in the request")
            return attached
        return value

    def json_safe(self) -> dict[str, Any]:
        """Arguments for the call log; uploads are described instead of embedded."""
        safe: dict[str, Any] = {}
        for key, value in self.values.items():
            if isinstance(value, str) and value.startswith(ATTACH_PREFIX):
                value = self._describe(self.files.get(value[len(ATTACH_PREFIX) :])) or value
            safe[key] = value
        referenced = {
            v[len(ATTACH_PREFIX) :]
            for v in self.values.values()
            if isinstance(v, str) and v.startswith(ATTACH_PREFIX)
        }
        for key, upload in self.files.items():
            if key not in referenced and key not in safe:
                safe[key] = self._describe(upload)
        return safe

    @staticmethod
    def _describe(upload: UploadedFile | None) -> dict[str, Any] | None:
        if upload is None:
            return None
        return {
            "upload": upload.filename,
            "size": len(upload.content),
            "content_type": upload.content_type,
        }


async def read_request_params(request: web.Request) -> Params:
    """Merge the query string with a JSON, urlencoded or multipart body."""
    values: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.method == "POST" and request.can_read_body:
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise bad_request("JSON request body must be an object")
            values.update(body)
        elif content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = UploadedFile(value.filename, value.file.read(), value.content_type)
                elif isinstance(value, str):
                    values[key] = value
                else:
                    values[key] = bytes(value).decode("utf-8", "replace")
    return Params(values, files)


async def read_multipart_params(reader: MultipartReader) -> Params:
    """Decode a multipart body read from a response (webhook replies)."""
    values: dict[str, Any] = {}
    files: dict[str, UploadedFile] = {}
    async for part in reader:
        if not isinstance(part, BodyPartReader) or part.name is None:
            raise ApiError(400, "Bad Request: unsupported multipart part")
        data = await part.read(decode=True)
        if part.filename:
            files[part.name] = UploadedFile(
                part.filename, bytes(data), part.headers.get("Content-Type")
            )
        else:
            values[part.name] = bytes(data).decode("utf-8", "replace")
    return Params(values, files)
