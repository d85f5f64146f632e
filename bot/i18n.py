"""Gettext catalogs: compiled from the committed .po files at install and, if stale, at start."""

from __future__ import annotations

import os
from pathlib import Path

from aiogram.utils.i18n import I18n
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).with_name("locales")
DOMAIN = "messages"


def N_(message: str) -> str:
    """Mark a msgid for extraction; translated later, where the locale is known."""
    return message


def catalog_paths(locales_dir: Path = LOCALES_DIR) -> list[Path]:
    return sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def compile_catalogs(locales_dir: Path = LOCALES_DIR, target: Path | None = None) -> int:
    """Write a .mo for each .po that is newer than it (next to it, or under `target` in the
    same layout); returns how many were written."""
    written = 0
    for po_path in catalog_paths(locales_dir):
        mo_path = (target / po_path.relative_to(locales_dir) if target else po_path).with_suffix(
            ".mo"
        )
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=po_path.parent.parent.name)
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with mo_path.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        written += 1
    return written


def _compiled_locales() -> Path:
    """Where the .mo files are: beside the .po files (compiled at install), or, when the
    package directory is read-only and they are missing or stale, in a user cache."""
    try:
        compile_catalogs()
        return LOCALES_DIR
    except OSError:
        cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
        target = cache / "warmdrive" / "locales"
        compile_catalogs(target=target)
        return target


def create_i18n(default_locale: str) -> I18n:
    return I18n(path=_compiled_locales(), default_locale=default_locale, domain=DOMAIN)


# Each language by its own name: the same in every locale, so not in the catalogs.
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
