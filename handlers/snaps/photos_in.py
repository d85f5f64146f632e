"""A photo a driver or a handler sent, read like a real product: the size checked before
downloading, then verified, stripped of metadata, turned upright and resized off the event
loop (knowledge/snaps/photos.py). Nothing is stored for a photo that is refused."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from knowledge.snaps.photos import Photo, PhotoError, PhotoLimits, PhotoProblem, process_photo


@dataclass(frozen=True, slots=True)
class Received:
    photo: Photo
    file_id: str | None  # Telegram's id, to send it again without uploading (photos only)


def has_photo(message: Message) -> bool:
    return bool(message.photo) or message.document is not None


async def read_photo(message: Message, bot: Bot, limits: PhotoLimits) -> Received | str:
    """The processed photo, or what to tell the sender (in their language)."""
    if message.photo:
        item = message.photo[-1]  # the largest size Telegram made
        file_id, size, resend = item.file_id, item.file_size, True
    elif message.document is not None:
        file_id, size, resend = message.document.file_id, message.document.file_size, False
    else:
        return _("Please send a photo.")
    if size is not None and size > limits.max_bytes:
        return too_large(limits)
    try:
        data = await bot.download(file_id)
    except TelegramAPIError:
        return _("I could not fetch that photo from Telegram. Please send it again.")
    if data is None:
        return _("I could not fetch that photo from Telegram. Please send it again.")
    try:
        photo = await asyncio.to_thread(process_photo, data.read(), limits)
    except PhotoError as exc:
        return problem_text(exc.problem, limits)
    # A photo sent as a file is kept as our own copy; Telegram's id of a file would send it
    # again as a file, not as a photo.
    return Received(photo, file_id if resend else None)


def too_large(limits: PhotoLimits) -> str:
    return _("That photo is too large: at most {mb} MB, please.").format(
        mb=round(limits.max_bytes / 1024 / 1024, 1)
    )


def problem_text(problem: PhotoProblem, limits: PhotoLimits) -> str:
    if problem is PhotoProblem.TOO_LARGE:
        return too_large(limits)
    return {
        PhotoProblem.NOT_IMAGE: _("That file is not a photo. Please send a photo (JPEG, PNG, "
                                  "HEIC or WebP)."),
        PhotoProblem.CORRUPT: _("That photo is damaged and cannot be opened. Please take or "
                                "send it again."),
        PhotoProblem.TOO_MANY_PIXELS: _("That image is far too big in pixels to be a photo. "
                                        "Please send a normal photo."),
        PhotoProblem.UNSUPPORTED: _("That kind of image is not supported. Please send a JPEG, "
                                    "PNG, HEIC or WebP photo."),
    }.get(problem, _("That photo cannot be used. Please send another."))  # fmt: skip
