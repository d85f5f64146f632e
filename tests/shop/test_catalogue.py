"""The catalogue file: errors with their lines, all or nothing through the CLI, export then
import changes nothing, what `stock` means on a re-import, withdrawal, and the sample."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.shop.models import ShopItemRow
from bot.services.points.ledger import check
from bot.services.shop.catalog import SAMPLE_FILE, load_items, load_sample_if_empty, store_items
from knowledge.shop.files import dump_shop_yaml, parse_shop_yaml
from tests.harness.cli import run_cli
from tests.shop.conftest import BUS_CARD, NOW, TOWEL, driver_with, item_row, shop, stock

BROKEN = """\
items:
  - key: towel
    name_zh: 毛巾
    name_en: Towel
    description_zh: 一条
    description_en: One
    price: 0
    stock: 5
    per_user_limit: 1
    city: Atlantis
    collect: code
    valid_until: 2027-02-30
  - key: towel
    colour: red
"""


def test_every_problem_is_reported_with_its_line() -> None:
    result = parse_shop_yaml(BROKEN)
    assert result.items is None
    assert result.errors == [
        "line 7: price must be a whole number from 1 to 1000000, got '0'",
        "line 10: unknown city 'Atlantis' (a known city, e.g. 自贡 or Zigong, or all)",
        "line 12: valid_until must be a date YYYY-MM-DD, got '2027-02-30'",
        "line 13: duplicate item key 'towel' (first on line 2)",
    ] + [f"line 13: missing field {name!r}" for name in (
        "name_zh", "name_en", "description_zh", "description_en", "price", "stock",
        "per_user_limit", "city", "collect", "valid_until")] + [
        "line 14: unknown field 'colour'",
    ]  # fmt: skip
    assert parse_shop_yaml("items: [").errors[0].startswith("line 1: YAML syntax error")
    assert parse_shop_yaml("").errors == ["line 1: the file is empty; expected one section, items"]


def test_the_sample_reads_and_writes_back_the_same() -> None:
    result = parse_shop_yaml(SAMPLE_FILE.read_text(encoding="utf-8"))
    assert result.items is not None and len(result.items) >= 8
    again = parse_shop_yaml(dump_shop_yaml(result.items))
    assert again.items == tuple(sorted(result.items, key=lambda i: i.key))
    assert {i.city for i in result.items} >= {"", "自贡", "乐山"}
    assert "" in {i.collect for i in result.items}  # some are delivered as a code


async def test_a_bad_file_imports_nothing_and_export_import_round_trips(
    db_url: str, session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    good, bad, out = tmp_path / "shop.yaml", tmp_path / "bad.yaml", tmp_path / "out.yaml"
    good.write_text(dump_shop_yaml([TOWEL, BUS_CARD]), encoding="utf-8")
    done = await run_cli(db_url, "shop", "import", str(good))
    assert done.returncode == 0, done.stderr
    assert "2 items" in done.stdout

    bad.write_text(dump_shop_yaml([replace(TOWEL, price=99)]) + BROKEN[6:], encoding="utf-8")
    refused = await run_cli(db_url, "shop", "import", str(bad))
    assert refused.returncode == 1 and "nothing imported" in refused.stderr
    assert f"{bad}: line " in refused.stderr
    async with session_factory() as session:
        assert await load_items(session) == (TOWEL, BUS_CARD)  # key order: towel, zg-bus

    exported = await run_cli(db_url, "shop", "export", str(out))
    assert exported.returncode == 0, exported.stderr
    assert out.read_text(encoding="utf-8") == good.read_text(encoding="utf-8")
    again = await run_cli(db_url, "shop", "import", str(out))
    assert again.returncode == 0 and "0 withdrawn" in again.stdout
    report = await run_cli(db_url, "shop", "report", str(tmp_path / "report.csv"))
    assert report.returncode == 0
    lines = (tmp_path / "report.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("key,name_zh") and lines[1].startswith("towel,毛巾,Towel,10,10")


async def test_stock_on_a_reimport_is_the_total_offered(session: AsyncSession) -> None:
    ids = await stock(session)
    user = await driver_with(session, 8001, 100)
    await shop(session).redeem(user, ids["towel"], "nonce001", None, NOW)
    await shop(session).redeem(user, ids["towel"], "nonce002", None, NOW)
    towel = ids["towel"]
    assert (await item_row(session, towel)).remaining == 8
    await stock(session, TOWEL, BUS_CARD)  # the same file again: nothing changes
    assert (await item_row(session, towel)).remaining == 8
    await stock(session, replace(TOWEL, stock=15), BUS_CARD)  # restocked by five
    assert (await item_row(session, towel)).remaining == 13
    await stock(session, replace(TOWEL, stock=1), BUS_CARD)  # fewer than are held
    row = await item_row(session, towel)
    assert (row.stock, row.remaining, row.held) == (1, 0, 2)
    await stock(session, BUS_CARD)  # left out: withdrawn, not deleted
    row = await item_row(session, towel)
    assert row.withdrawn_at is not None and row.held == 2
    assert [i.key for i in await load_items(session)] == ["zg-bus"]
    await stock(session, TOWEL, BUS_CARD)  # back in the file: offered again
    assert (await item_row(session, towel)).withdrawn_at is None
    assert await check(session) == []


async def test_the_sample_goes_with_the_first_real_import(session: AsyncSession) -> None:
    loaded = await load_sample_if_empty(session, NOW)
    assert loaded is not None and loaded.items >= 8
    assert await load_sample_if_empty(session, NOW) is None  # once
    rows = {r.key: r for r in await session.scalars(select(ShopItemRow))}
    assert all(r.is_sample for r in rows.values())
    user = await driver_with(session, 8002, 100)
    kept = await shop(session).redeem(user, rows["all-towel"].id, "nonce001", None, NOW)
    counts = await store_items(session, (TOWEL, BUS_CARD), NOW)
    assert counts.samples_removed == len(rows) - 1  # the redeemed one stays, withdrawn
    left = {r.key: r for r in await session.scalars(
        select(ShopItemRow).execution_options(populate_existing=True))}  # fmt: skip
    assert set(left) == {"all-towel", "towel", "zg-bus"}
    assert left["all-towel"].withdrawn_at is not None
    assert not left["towel"].is_sample
    assert (await shop(session).vouchers(user, 5))[0].code == kept.voucher.code
    assert await check(session) == []
