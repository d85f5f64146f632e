"""Gettext catalogs: compiled from the committed .po files at install and, if stale, at start."""

from __future__ import annotations

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


def compile_catalogs(locales_dir: Path = LOCALES_DIR) -> int:
    """Write .mo next to each .po that is newer than its .mo; returns how many were written."""
    written = 0
    for po_path in catalog_paths(locales_dir):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        written += 1
    return written


def create_i18n(default_locale: str) -> I18n:
    compile_catalogs()
    return I18n(path=LOCALES_DIR, default_locale=default_locale, domain=DOMAIN)


# Each language by its own name: the same in every locale, so not in the catalogs.
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
