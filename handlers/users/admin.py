"""Admin commands. Everyone else gets a clear refusal, never silence."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import CommandMenus
from bot.db.after_commit import after_commit
from bot.db.users.models import Occupation, Role
from bot.services.users.profiles import ProfileError, ProfileErrorCode, UserService
from handlers.common.filters import IsAdmin
from handlers.common.refusals import refuse
from handlers.common.texts import occupation_label, role_label

ADMIN_COMMANDS = ("stats", "setrole")


async def stats_command(message: Message, users: UserService) -> None:
    stats = await users.stats()
    by_role = stats["by_role"]
    lines = [
        _("{label}: {count}").format(label=occupation_label(Occupation(o) if o else None), count=n)
        for o, n in sorted(stats["by_occupation"].items(), key=lambda kv: -kv[1])
    ]
    await message.answer(
        _(
            "📊 <b>Users</b>\n"
            "Drivers: {drivers}\nVolunteers: {volunteers}\nAdmins: {admins}\n"
            "Agreed to the privacy notice: {consented}\n\n"
            "<b>By occupation</b> (finished onboarding)\n{occupations}"
        ).format(
            drivers=by_role.get(Role.DRIVER.value, 0),
            volunteers=by_role.get(Role.VOLUNTEER.value, 0),
            admins=by_role.get(Role.ADMIN.value, 0),
            consented=stats["consented"],
            occupations="\n".join(lines) or "—",
        )
    )


async def setrole_command(
    message: Message,
    command: CommandObject,
    users: UserService,
    session: AsyncSession,
    bot: Bot,
    command_menus: CommandMenus,
) -> None:
    parts = (command.args or "").split()
    roles = {r.value: r for r in Role}
    if len(parts) != 2 or not parts[0].isdigit() or parts[1].lower() not in roles:
        await message.answer(_("Usage: /setrole TELEGRAM_ID driver|volunteer|admin"))
        return
    telegram_id, role = int(parts[0]), roles[parts[1].lower()]
    try:
        await users.set_role(telegram_id, role)
    except ProfileError as exc:
        if exc.code is ProfileErrorCode.ROLE_PINNED:
            text = _(
                "This user is listed in ADMIN_IDS and stays an admin; "
                "change the configuration instead."
            )
        else:
            text = _("No user with Telegram id {id} has used the bot yet.").format(id=telegram_id)
        await message.answer(text)
        return

    async def update_command_menu() -> None:
        await command_menus.set_admin(bot, telegram_id, admin=role is Role.ADMIN)

    after_commit(session, update_command_menu)
    await message.answer(
        _("User {id} is now: {role}.").format(id=telegram_id, role=role_label(role))
    )


def create_router() -> Router:
    router = Router(name="admin")
    router.message.filter(Command(*ADMIN_COMMANDS))
    router.message.register(stats_command, Command("stats"), IsAdmin())
    router.message.register(setrole_command, Command("setrole"), IsAdmin())
    router.message.register(refuse)
    return router
