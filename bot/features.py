"""The features, in order: their menu buttons, commands and /help lines appear in this order,
and their routers are tried in it within each stage (bot/feature.py). Adding a feature is a
package of its own and one line here (docs/adding-a-feature.md)."""

from __future__ import annotations

from bot.feature import Feature, Job
from handlers.broadcasts.feature import BROADCASTS
from handlers.checkups.feature import CHECKUPS
from handlers.common.feature import COMMON
from handlers.complaints.feature import COMPLAINTS
from handlers.faq.feature import FAQ
from handlers.intents.feature import INTENTS
from handlers.outbox.feature import OUTBOX
from handlers.points.feature import POINTS
from handlers.shop.feature import SHOP
from handlers.snaps.feature import SNAPS
from handlers.stations.feature import STATIONS
from handlers.tasks.feature import TASKS
from handlers.themes.feature import THEMES
from handlers.users.feature import ADMIN, ONBOARDING, PROFILE
from scheduler.jobs.updates import prune_processed_updates

# The update ledger's upkeep (bot/middlewares/ledger.py): no handlers, one job.
UPDATES = Feature(
    name="updates",
    jobs=(
        Job("prune_processed_updates", prune_processed_updates, "cron", {"hour": 4, "minute": 17}),
    ),
)

FEATURES: tuple[Feature, ...] = (
    ONBOARDING,
    ADMIN,
    STATIONS,
    CHECKUPS,
    BROADCASTS,
    COMPLAINTS,
    SNAPS,
    POINTS,
    SHOP,
    TASKS,
    THEMES,
    FAQ,
    INTENTS,
    PROFILE,
    OUTBOX,
    COMMON,
    UPDATES,
)  # fmt: skip
