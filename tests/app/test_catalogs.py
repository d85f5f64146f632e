"""Every user-visible msgid in the code is translated in zh and en, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, catalog_paths, compile_catalogs, create_i18n

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "N_": None, "__": None, "gettext": None}
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
TAG = re.compile(r"</?[a-z-]+")


def _code_msgids() -> set[str]:
    found: set[str] = set()
    for package in ("bot", "handlers", "knowledge", "scheduler"):
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / package, keywords=KEYWORDS, comment_tags=()
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


CODE_MSGIDS = _code_msgids()


def test_code_has_messages() -> None:
    assert len(CODE_MSGIDS) > 50  # the extractor really found the handlers' texts


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_catalog_complete(locale: str) -> None:
    path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    entries = {m.id: m for m in catalog if m.id}
    missing = sorted(CODE_MSGIDS - entries.keys())
    assert not missing, f"untranslated in {locale}: {missing}"
    stale = sorted(entries.keys() - CODE_MSGIDS)
    assert not stale, f"{locale} has msgids no code uses: {stale}"
    for msgid, entry in entries.items():
        assert entry.string, f"empty translation in {locale}: {msgid!r}"
        assert not entry.fuzzy, f"fuzzy translation in {locale}: {msgid!r}"
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(entry.string)), (
            f"placeholders differ in {locale}: {msgid!r}"
        )
        assert sorted(TAG.findall(msgid)) == sorted(TAG.findall(entry.string)), (
            f"HTML tags differ in {locale}: {msgid!r}"
        )


def test_chinese_is_really_chinese() -> None:
    i18n = create_i18n("zh")
    han = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")  # Han and CJK punctuation
    # Texts that are language-neutral in both catalogs (symbols, names of languages).
    neutral = {"中文 / English", "🌐 English"}
    for msgid in CODE_MSGIDS - neutral:
        assert han.search(i18n.gettext(msgid, locale="zh")), f"not Chinese: {msgid!r}"


def test_compiles_into_another_directory(tmp_path: Path) -> None:
    # What a read-only install falls back to: the same layout under a cache directory.
    assert compile_catalogs(target=tmp_path) == 2
    assert (tmp_path / "zh" / "LC_MESSAGES" / "messages.mo").stat().st_size > 1000


def test_compile_writes_mo_only_when_stale(tmp_path: Path) -> None:
    for po in catalog_paths():
        target = tmp_path / po.relative_to(LOCALES_DIR)
        target.parent.mkdir(parents=True)
        target.write_bytes(po.read_bytes())
    assert compile_catalogs(tmp_path) == 2
    assert compile_catalogs(tmp_path) == 0
