"""Onboarding, menu and profile, through the dispatcher and the local Bot API server."""

from __future__ import annotations

from bot.db.users.models import Occupation
from bot.sandbox import TgUser, specs
from tests.harness import DRIVER, EN_DRIVER, TOKEN, App, texts

MENU_ZH = ["📍 附近驿站", "🩺 体检预约", "📝 我要投诉", "📸 随手拍", "⭐ 我的积分", "📅 本月活动"]
MENU_EN = [
    "📍 Nearby stations",
    "🩺 Checkup booking",
    "📝 File a complaint",
    "📸 Snap report",
    "⭐ My points",
    "📅 This month",
]


async def test_full_onboarding_in_chinese(app: App) -> None:
    sent = await app.text(DRIVER, "/start")
    assert "欢迎使用暖驶" in texts(sent)[0] and "您同意吗" in texts(sent)[0]
    assert (await app.user_row(DRIVER.id)).consent_at is None  # nothing agreed yet
    notice = sent[0]["result"]["message_id"]

    sent = await app.press(DRIVER, "✅ 同意")
    assert any("您从事什么工作" in t for t in texts(sent))
    assert (await app.user_row(DRIVER.id)).consent_at is not None
    # The notice now shows the answer instead of a question nobody needs to answer again.
    shown = _message(app, DRIVER.id, notice)
    assert "您已同意隐私说明" in shown["text"] and "您同意吗" not in shown["text"]
    assert "reply_markup" not in shown

    sent = await app.press(DRIVER, "🚚 货车司机")
    assert "职业：🚚 货车司机" in texts(sent)
    assert any("哪个城市" in t for t in texts(sent))
    assert "📍 发送我的位置" in app.reply_keyboard(DRIVER.id)

    sent = await app.text(DRIVER, "自贡市")
    assert "城市：自贡" in texts(sent)
    assert "📱 提供我的手机号" in app.reply_keyboard(DRIVER.id)

    sent = await app.feed(specs.contact(DRIVER, "+86 138 0013 8000"))
    assert "手机号已保存：+8613800138000" in texts(sent)
    assert any("设置完成" in t for t in texts(sent))
    assert app.reply_keyboard(DRIVER.id) == MENU_ZH

    row = await app.user_row(DRIVER.id)
    assert row is not None and row.onboarded_at is not None
    assert (row.occupation, row.city, row.phone) == (Occupation.TRUCK, "自贡", "+8613800138000")

    sent = await app.text(DRIVER, "⭐ 我的积分")
    assert texts(sent)[0].startswith("⭐ 我的积分：0")
    sent = await app.text(DRIVER, "/start")
    assert "欢迎回来" in texts(sent)[0]


async def test_english_user_gets_english_everywhere(app: App) -> None:
    sent = await app.text(EN_DRIVER, "/start")
    assert "Welcome to WarmDrive, Sam!" in texts(sent)[0]
    await app.press(EN_DRIVER, "✅ I agree")
    await app.press(EN_DRIVER, "🛵")
    sent = await app.feed(specs.location(EN_DRIVER, 27.99, 120.70))
    assert "City: Wenzhou" in texts(sent)  # stored as 温州, shown in English
    sent = await app.text(EN_DRIVER, "⏭ Skip")
    assert any(t.startswith("All set!") for t in texts(sent))
    assert app.reply_keyboard(EN_DRIVER.id) == MENU_EN
    sent = await app.text(EN_DRIVER, "⭐ My points")
    assert texts(sent)[0].startswith("⭐ Your points: 0")


def _message(app: App, chat_id: int, message_id: int) -> dict:
    return next(
        m for m in app.server.chat_messages(TOKEN, chat_id) if m["message_id"] == message_id
    )


def _lines(text: str) -> int:
    return len([line for line in text.splitlines() if line.strip()])


async def test_consent_is_short_with_the_details_one_tap_away(app: App) -> None:
    sent = await app.text(DRIVER, "/start")
    short = texts(sent)[0]
    assert _lines(short) <= 5 and "/mydata" in short and "/deleteme" in short
    sent = await app.press(DRIVER, "ℹ️ 保存哪些信息")
    edit = next(r for r in sent if r["method"] == "editMessageText")
    assert "我们保存哪些信息" in edit["plain_text"] and "您同意吗" in edit["plain_text"]
    # The details stay shown when the language is switched.
    sent = await app.press(DRIVER, "🌐 English")
    edit = next(r for r in sent if r["method"] == "editMessageText")
    assert "What we store and why" in edit["plain_text"]
    assert (await app.user_row(DRIVER.id)).language == "en"
    await app.press(DRIVER, "✅ I agree")
    assert (await app.user_row(DRIVER.id)).consent_at is not None


async def test_language_toggle_on_consent_screen(app: App) -> None:
    await app.text(DRIVER, "/start")
    sent = await app.press(DRIVER, "🌐 English")
    edit = next(r for r in sent if r["method"] == "editMessageText")
    assert "Welcome to WarmDrive" in edit["plain_text"] and "Do you agree?" in edit["plain_text"]
    assert (await app.user_row(DRIVER.id)).language == "en"


async def test_nothing_happens_before_consent(app: App) -> None:
    await app.text(DRIVER, "/start")
    sent = await app.text(DRIVER, "📍 附近驿站")
    assert "您同意吗" in texts(sent)[0]  # the notice again, not the feature
    sent = await app.press(DRIVER, "❌ 不同意")
    assert "只保留您的电报 ID 和语言设置" in texts(sent)[0]
    row = await app.user_row(DRIVER.id)
    # As promised: no name, nothing else, before consent.
    assert (row.consent_at, row.occupation, row.display_name) == (None, None, None)


async def test_cancel_takes_the_buttons_off_an_open_question(app: App) -> None:
    await app.text(DRIVER, "/start")
    sent = await app.press(DRIVER, "✅")
    question = next(r for r in sent if "您从事什么工作" in (r["plain_text"] or ""))
    await app.text(DRIVER, "/cancel")
    assert "reply_markup" not in _message(app, DRIVER.id, question["result"]["message_id"])


async def test_typing_instead_of_tapping_moves_the_question_down(app: App) -> None:
    await app.text(DRIVER, "/start")
    sent = await app.press(DRIVER, "✅")
    first = next(r for r in sent if "您从事什么工作" in (r["plain_text"] or ""))
    await app.text(DRIVER, "开货车的")
    with_buttons = [m for m in app.server.chat_messages(TOKEN, DRIVER.id) if m.get("reply_markup")]
    assert len(with_buttons) == 1  # only the newest copy of the question can be answered
    assert with_buttons[0]["message_id"] != first["result"]["message_id"]
    await app.press(DRIVER, "🚚")
    assert (await app.user_row(DRIVER.id)).occupation is Occupation.TRUCK


async def test_cancel_leaves_flow_from_anywhere(app: App) -> None:
    await app.text(DRIVER, "/start")
    await app.press(DRIVER, "✅")
    await app.press(DRIVER, "🚕")
    sent = await app.text(DRIVER, "/cancel")
    assert texts(sent) == ["已取消，已返回菜单。"]
    assert app.reply_keyboard(DRIVER.id) == MENU_ZH
    sent = await app.text(DRIVER, "乐山")  # no longer the profile's city: a place to look at
    assert texts(sent)[0].startswith("📍 乐山附近的驿站")
    assert (await app.user_row(DRIVER.id)).city is None
    sent = await app.text(DRIVER, "/cancel")
    assert texts(sent)[0].startswith("当前没有需要取消的操作")


async def test_bad_input_in_steps_changes_nothing(app: App) -> None:
    await app.text(DRIVER, "/start")
    await app.press(DRIVER, "✅")
    sent = await app.text(DRIVER, "快递")  # typing instead of pressing
    assert "请点选下面" in texts(sent)[0]
    await app.press(DRIVER, "📦")
    sent = await app.feed(specs.photo(DRIVER, b"\x89PNG\r\n\x1a\n" + b"\0" * 64))
    assert "请输入城市名" in texts(sent)[0]
    sent = await app.feed(specs.location(DRIVER, 0.5, -30.0))  # mid-Atlantic
    assert "附近没有找到城市" in texts(sent)[0]
    sent = await app.text(DRIVER, "x")
    assert "没能识别出城市" in texts(sent)[0]
    assert (await app.user_row(DRIVER.id)).city is None
    await app.text(DRIVER, "鹰潭")
    someone = TgUser(4242, "别人")
    sent = await app.feed(specs.contact(DRIVER, "+8613900000000", user_id=someone.id))
    assert "本人的手机号" in texts(sent)[0]
    assert (await app.user_row(DRIVER.id)).phone is None


async def test_forged_and_stale_callbacks(app: App) -> None:
    await app.onboard(DRIVER)
    message_id = app.server.chat_messages("123456:TEST", DRIVER.id)[-1]["message_id"]
    for data in ("occ:spaceship", "prof:format_disk", "erase:confirm:999999", "garbage"):
        sent = await app.feed(specs.callback(DRIVER, message_id, data, check_button=False))
        answers = [r for r in sent if r["method"] == "answerCallbackQuery"]
        assert answers and answers[0]["params"]["text"] == "此按钮已失效。", data
    row = await app.user_row(DRIVER.id)
    assert row.occupation is Occupation.TRUCK and row.erased_at is None


async def test_unknown_input_gets_an_answer(app: App) -> None:
    await app.onboard(DRIVER)
    assert texts(await app.text(DRIVER, "/frobnicate"))[0].startswith("未知命令")
    sticker_like = await app.feed(specs.document(DRIVER, b"abc", file_name="a.bin"))
    assert "不能处理这类消息" in texts(sticker_like)[0]


async def test_profile_edit_city_and_preferences(app: App) -> None:
    await app.onboard(DRIVER)
    sent = await app.text(DRIVER, "/profile")
    assert "城市：未填写" in texts(sent)[0] and "免打扰：22:00–07:00（默认）" in texts(sent)[0]
    await app.press(DRIVER, "✏️ 城市")
    sent = await app.text(DRIVER, "wenzhou")
    assert "城市：温州" in texts(sent)[-1]  # back on the card
    sent = await app.press(DRIVER, "🔕 关闭通知")
    assert "通知：关闭" in sent[-1]["plain_text"] and "每月主题：开启" in sent[-1]["plain_text"]
    await app.press(DRIVER, "🌙")
    sent = await app.press(DRIVER, "22:00–07:00")
    assert "免打扰：22:00–07:00" in sent[-1]["plain_text"]
    await app.press(DRIVER, "🚩")
    await app.press(DRIVER, "是")
    sent = await app.press(DRIVER, "🔕 关闭每月主题")
    assert "每月主题：关闭" in sent[-1]["plain_text"]
    row = await app.user_row(DRIVER.id)
    assert (row.city, row.notifications, row.party_member) == ("温州", False, True)
    assert row.quiet_start is not None and row.quiet_start.hour == 22 and not row.theme_notices
    await app.press(DRIVER, "🌙")
    sent = await app.press(DRIVER, "不设免打扰")
    assert "免打扰：关闭" in sent[-1]["plain_text"]


async def test_language_command_switches_menu(app: App) -> None:
    await app.onboard(DRIVER)
    await app.text(DRIVER, "/language")
    sent = await app.press(DRIVER, "English")
    assert "Language: English" in texts(sent)
    assert app.reply_keyboard(DRIVER.id) == MENU_EN
    sent = await app.text(DRIVER, "/help")
    assert texts(sent)[0].startswith("WarmDrive helps drivers")


async def test_language_follows_the_telegram_app_until_one_is_chosen(app: App) -> None:
    """The sandbox page's EN switch (and a driver who switches their app) changes what the
    language Telegram reports; the bot follows it until the driver picks one with /language."""
    await app.onboard(DRIVER)
    in_english = TgUser(DRIVER.id, DRIVER.first_name, language_code="en")
    sent = await app.text(in_english, "/help")
    assert texts(sent)[0].startswith("WarmDrive helps drivers")
    assert app.reply_keyboard(DRIVER.id) == MENU_ZH  # the old keyboard until the next menu
    sent = await app.text(in_english, "/start")
    assert app.reply_keyboard(DRIVER.id) == MENU_EN
    await app.text(in_english, "/language")
    await app.press(in_english, "中文")
    sent = await app.text(in_english, "/help")  # the pick wins over the app from now on
    assert texts(sent)[0].startswith("暖驶为路上的司机朋友服务")


async def test_occupation_buttons_fit_a_phone_in_both_languages(app: App) -> None:
    from tests.harness.phone import too_wide

    for user in (DRIVER, EN_DRIVER):
        await app.text(user, "/start")
        sent = await app.press(user, "✅")
        question = next(r for r in sent if r["method"] == "sendMessage")
        rows = [[b["text"] for b in row] for row in question["reply_markup"]["inline_keyboard"]]
        assert len(rows) == 3 and not too_wide(rows), rows


async def test_english_onboarding_writes_no_chinese_of_its_own(app: App) -> None:
    """Every word of a first conversation in English is English (the language switch shows
    the other language's name, 中文, on purpose)."""
    from knowledge.names import has_han

    before = app.last_seq()
    await app.text(EN_DRIVER, "/start")
    await app.press(EN_DRIVER, "ℹ️")
    await app.press(EN_DRIVER, "✅ I agree")
    await app.text(EN_DRIVER, "trucks")  # typed instead of tapped
    await app.press(EN_DRIVER, "🛵")
    await app.text(EN_DRIVER, "x")  # not a city
    await app.text(EN_DRIVER, "Wenzhou")
    await app.text(EN_DRIVER, "⏭ Skip")
    await app.text(EN_DRIVER, "/help")
    await app.text(EN_DRIVER, "/profile")
    records = app.server.sent(TOKEN, after=before)
    words: list[str] = [r["plain_text"] or "" for r in records if r["ok"]]
    for record in records:
        markup = record.get("reply_markup") or {}
        rows = markup.get("inline_keyboard", []) + markup.get("keyboard", [])
        words += [button["text"] for row in rows for button in row]
        words.append(markup.get("input_field_placeholder", ""))
    chinese = [w for w in words if has_han(w.replace("中文", ""))]
    assert not chinese, chinese
