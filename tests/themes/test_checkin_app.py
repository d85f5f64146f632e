"""Sign-up and check-in end to end through the local Bot API server: a driver signs up on the
📅 screen, the admin shows the code with /checkin_code (its QR photo carrying the t.me link,
🔄 New code in place), drivers check in with /attend, the QR link or the bare digits, and the
signed-up driver's reminder goes out once instead of the day-before one."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.outbox.models import MessageKind
from bot.db.themes.models import ActivityRow, CheckinRow, SignupRow
from bot.sandbox import TgUser
from bot.sandbox.server import DEFAULT_BOT_USERNAME
from bot.services.points.ledger import Ledger, PointsRules
from handlers.themes.callbacks import SeatCb
from handlers.themes.organiser import qr_png
from knowledge.themes import codes
from tests.harness import (
    ADMIN,
    DRIVER,
    EN_DRIVER,
    TOKEN,
    App,
    Clock,
    answers,
    button_rows,
    methods,
    press_again,
    shown,
    tap,
)
from tests.harness.phone import SCREEN_LINES, too_wide, wrapped_lines
from tests.themes.helpers import (
    SEATS,
    activity_ids,
    at,
    ledger_ok,
    onboard_in,
    outbox,
    remind,
    remind_signed_up,
    store,
)
from tests.themes.test_files import SAMPLE

IN_CLASS = at(2027, 3, 13, 14, 30)  # the first aid class: 14:00-16:00, 3 seats, 10 points
NEWCOMER = TgUser(1009, "新师傅")
EN_ADMIN = TgUser(ADMIN.id, "Admin", language_code="en")  # whose wording is checked


async def _balance(app: App, user: TgUser) -> int:
    row = await app.user_row(user.id)
    assert row is not None
    async with app.session_factory() as session:
        return await Ledger(session, app.settings.tz, PointsRules()).balance(row.id)


async def _checkins(app: App) -> list[tuple[int, int]]:
    async with app.session_factory() as session:
        rows = await session.scalars(select(CheckinRow).order_by(CheckinRow.id))
        return [(r.activity_id, r.points) for r in rows]


async def _admin_code(app: App, button: str) -> tuple[str, dict]:  # type: ignore[type-arg]
    """/checkin_code, then the activity's button: the code and the QR photo's record."""
    listed = await app.text(ADMIN, "/checkin_code")
    assert methods(listed) == ["sendMessage"]
    sent = [r for r in await tap(app, ADMIN, button) if r["method"] != "getMe"]  # cached after
    assert methods(sent) == ["answerCallbackQuery", "sendPhoto", "editMessageText"]
    text = sent[2]["params"]["text"]
    code = text.split("<b>")[2].split("</b>")[0].replace(" ", "")
    assert codes.CODE_PATTERN.match(code)
    return code, sent[1]


async def test_a_driver_signs_up_and_checks_in_with_the_admins_code(app: App, clock: Clock) -> None:
    await onboard_in(app, EN_DRIVER, "Zigong")
    await store(app, SEATS)
    ids = await activity_ids(app)
    clock.now = at(2027, 3, 10, 12)
    screen = await app.text(EN_DRIVER, "/month")
    text = screen[0]["plain_text"]
    assert "🎟 seats left: 3 · ⭐ 10 points for checking in" in text
    assert button_rows(screen[0]) == [
        ["✍️ Sign up: 3/13 Hands-on firs…"], ["✍️ Sign up: 3/13 Snap report w…"]
    ]  # fmt: skip
    assert wrapped_lines(text) <= SCREEN_LINES and too_wide(button_rows(screen[0])) == []
    message_id = screen[0]["result"]["message_id"]
    sent = await tap(app, EN_DRIVER, "Hands-on")
    assert methods(sent) == ["answerCallbackQuery", "editMessageText"]
    assert answers(sent) == ["✅ You are signed up. We will remind you before it starts."]
    now_shown = shown(app, EN_DRIVER.id, message_id)
    assert "✅ you are signed up" in now_shown["text"]
    assert button_rows(now_shown)[0] == ["✖ Cancel my seat: 3/13 Hands-on firs…"]
    # The old sign-up button again (a double tap): a clear answer, nothing changes.
    old = SeatCb(a="in", id=ids["zg-first-aid"], m="2027-03").pack()
    sent = await press_again(app, EN_DRIVER, message_id, old)
    assert answers(sent) == ["You are signed up for this already."]
    forged = SeatCb(a="in", id=987654, m="2027-03").pack()
    sent = await press_again(app, EN_DRIVER, message_id, forged)
    assert answers(sent) == ["This activity takes no sign-ups (any more)."]
    async with app.session_factory() as session:
        assert len(list(await session.scalars(select(SignupRow)))) == 1

    # At the place: the admin shows the code; its QR photo carries the t.me link.
    clock.now = IN_CLASS
    listed = await app.text(EN_ADMIN, "/checkin_code")
    assert "signed up 1/3 · checked in 0 · ⭐ 10 points each" in listed[0]["plain_text"]
    assert len(button_rows(listed[0])) == 2  # both of today's activities
    code, photo = await _admin_code(app, "14:00-16:00")
    link = f"https://t.me/{DEFAULT_BOT_USERNAME}?start=ci{ids['zg-first-aid']}_{code}"
    stored = app.server.bot(TOKEN).files[photo["file"]["file_id"]]
    assert stored.content == qr_png(link)
    # 🔄 New code, later: the code changes in place and the QR photo is replaced.
    clock.now = IN_CLASS + timedelta(seconds=codes.STEP_SECONDS)
    code_message = app.find_button(ADMIN.id, "🔄")[0]
    sent = await tap(app, ADMIN, "🔄")
    assert methods(sent) == [
        "answerCallbackQuery", "sendPhoto", "deleteMessage", "editMessageText"
    ]  # fmt: skip
    assert int(sent[3]["params"]["message_id"]) == code_message
    new_code = sent[3]["params"]["text"].split("<b>")[2].split("</b>")[0].replace(" ", "")
    async with app.session_factory() as session:
        secret = (await session.get(ActivityRow, ids["zg-first-aid"])).secret  # type: ignore[union-attr]
    assert secret is not None
    assert (code, new_code) == (
        codes.current_code(secret, IN_CLASS), codes.current_code(secret, clock.now)
    )  # fmt: skip

    # The driver sends the code: the points, once.
    sent = await app.text(EN_DRIVER, f"/attend {new_code}")
    assert sent[-1]["plain_text"] == (
        "✅ Checked in: Hands-on first aid class. You earned ⭐ 10 points."
    )
    sent = await app.text(EN_DRIVER, f"/attend {code}")  # the one before: still valid
    assert sent[-1]["plain_text"] == "You have already checked in at Hands-on first aid class."
    sent = await app.text(EN_DRIVER, "/attend")
    assert "/attend 123456" in sent[-1]["plain_text"]
    assert await _balance(app, EN_DRIVER) == 10
    assert await _checkins(app) == [(ids["zg-first-aid"], 10)]
    listed = await app.text(EN_ADMIN, "/checkin_code")
    assert "signed up 1/3 · checked in 1 · ⭐ 10 points each" in listed[0]["plain_text"]
    assert "Sam" not in listed[0]["plain_text"]  # counts, never names
    report = await app.text(EN_ADMIN, "/activity_report")
    assert report[0]["plain_text"].splitlines() == [
        "📊 Activities this month: sign-ups and check-ins",
        "03-13 09:00 Snap report walk", "signed up 0/20 · checked in 0 · ⭐ 5 points each",
        "03-13 14:00-16:00 Hands-on first aid class",
        "signed up 1/3 · checked in 1 · ⭐ 10 points each",
        "03-20 all day Safety quiz", "checked in 0",
    ]  # fmt: skip
    sent = await app.text(EN_DRIVER, "/activity_report")
    assert sent[-1]["plain_text"] == "Sorry, this command is for admins only."
    assert await ledger_ok(app) == []


async def test_the_qr_link_and_the_bare_digits_check_in_newcomers_onboard_first(
    app: App, clock: Clock
) -> None:
    await onboard_in(app, DRIVER, "自贡")
    await onboard_in(app, EN_DRIVER, "Leshan")
    await store(app, SEATS)
    ids = await activity_ids(app)
    clock.now = at(2027, 3, 13, 9, 15)  # the walk (09:00, 5 points) is on
    code, _photo = await _admin_code(app, "09:00")
    walk = ids["ls-hazard-walk"]
    # The phone camera opened the QR code's link: /start with the payload.
    await app.text(DRIVER, f"/start ci{walk}_{code}")
    assert await _checkins(app) == [(walk, 5)] and await _balance(app, DRIVER) == 5
    # The first aid class's link with the walk's code: not that activity's code.
    sent = await app.text(EN_DRIVER, f"/start ci{ids['zg-first-aid']}_{code}")
    assert sent[-1]["plain_text"].startswith("This code is not right.")
    # Six digits on their own, no flow open: a check-in too.
    sent = await app.text(EN_DRIVER, f"{code[:3]} {code[3:]}")
    assert sent[-1]["plain_text"] == "✅ Checked in: Snap report walk. You earned ⭐ 5 points."
    assert await _balance(app, EN_DRIVER) == 5
    # Someone new opens the link: the usual /start (the privacy notice) comes first...
    sent = await app.text(NEWCOMER, f"/start ci{walk}_{code}")
    assert methods(sent) == ["sendMessage"]
    assert "✅" in str(button_rows(sent[0]))  # the consent buttons
    await app.press(NEWCOMER, "✅")
    # ...and digits typed while onboarding asks a question go to onboarding, not check-in.
    await app.text(NEWCOMER, code)
    assert len(await _checkins(app)) == 2
    assert await ledger_ok(app) == []


async def test_the_sign_up_reminder_goes_once_instead_of_the_day_before_one(
    app: App, clock: Clock
) -> None:
    await onboard_in(app, DRIVER, "自贡")
    await onboard_in(app, EN_DRIVER, "Zigong")
    await store(app, SEATS)
    clock.now = at(2027, 3, 10, 12)
    await app.text(DRIVER, "/month")
    await tap(app, DRIVER, "应急救援")
    driver = await app.user_row(DRIVER.id)
    assert driver is not None
    # The day before: the bulk reminder of the class goes to the Zigong driver who did not
    # sign up only; the signed-up one still hears of the walk, which they are not signed up for.
    clock.now = at(2027, 3, 12, 10)
    assert await remind(app) == 3
    bulk = await outbox(app, MessageKind.ACTIVITY)
    assert sorted((r.chat_id, r.dedupe_key.split(":")[1]) for r in bulk) == [
        (DRIVER.id, "ls-hazard-walk"), (EN_DRIVER.id, "ls-hazard-walk"),
        (EN_DRIVER.id, "zg-first-aid"),
    ]  # fmt: skip
    # The personal reminder: due two hours before the start, queued once.
    clock.now = at(2027, 3, 13, 11, 59)
    assert await remind_signed_up(app) == 0
    clock.now = at(2027, 3, 13, 12)
    assert await remind_signed_up(app) == 1
    clock.now = at(2027, 3, 13, 12, 5)
    assert await remind_signed_up(app) == 0
    rows = await outbox(app, MessageKind.SIGNUP)
    assert [(r.chat_id, r.user_id) for r in rows] == [(DRIVER.id, driver.id)]
    assert "自贡市司机之家" in rows[0].text and "14:00-16:00" in rows[0].text
    await app.drain()
    assert await remind_signed_up(app) == 0
    assert len(await outbox(app, MessageKind.SIGNUP)) == 1
    assert await ledger_ok(app) == []


async def test_an_activity_moved_in_time_reminds_those_signed_up_again(
    app: App, clock: Clock
) -> None:
    await onboard_in(app, DRIVER, "自贡")
    await store(app, SEATS)
    clock.now = at(2027, 3, 10, 12)
    await app.text(DRIVER, "/month")
    await tap(app, DRIVER, "应急救援")
    clock.now = at(2027, 3, 13, 12)
    assert await remind_signed_up(app) == 1
    # Moved to the evening: the sign-up stays, and its reminder is due again at 17:00.
    await store(app, SEATS.replace("time: 14:00-16:00", "time: 19:00"))
    assert await remind_signed_up(app) == 0
    clock.now = at(2027, 3, 13, 17)
    assert await remind_signed_up(app) == 1
    rows = await outbox(app, MessageKind.SIGNUP)
    assert len(rows) == 2 and "19:00" in rows[1].text
    assert await ledger_ok(app) == []


async def test_the_sample_shows_points_but_takes_no_sign_up(app: App, clock: Clock) -> None:
    await onboard_in(app, EN_DRIVER, "Yingtan")
    await store(app, SAMPLE.read_text(encoding="utf-8"), is_sample=True)
    clock.now = at(2026, 12, 2, 12)
    screen = (await app.text(EN_DRIVER, "/month"))[0]
    assert "⭐ 10 points for checking in" in screen["plain_text"]
    assert "seats left" not in screen["plain_text"]
    assert button_rows(screen) == [["Jan 2027 ▶"]]  # no sign-up button on invented activities
    listed = await app.text(EN_ADMIN, "/checkin_code")
    assert listed[0]["plain_text"] == "🔑 No activities today: nothing to check in to."
