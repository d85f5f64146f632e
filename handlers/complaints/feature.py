"""诉求: complaints filed by drivers and worked by handling offices through the chain
受理 → 分办 → 办理 → 办结 → 回访 → 归档 (复盘 for the cases that need it).

What has landed: the tables, the chain's rules and deadlines (bot/services/complaints), the
offices file and its CLI, and the driver's part of /mydata and /deleteme. The screens (filing,
the group card, /mycases) are not open yet: the menu button still says "coming soon".
"""

from __future__ import annotations

from bot.feature import Feature, MenuButton
from bot.i18n import N_
from bot.services.complaints.personal_data import PART

COMPLAINTS = Feature(
    name="complaints",
    menu=(
        MenuButton(
            N_("📝 File a complaint"), N_("📝 File a complaint: we follow it up until it is solved")
        ),
    ),
    personal_data=(PART,),
)
