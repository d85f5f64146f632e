"""志愿任务 volunteer tasks: admins publish (派单), volunteers take a place (接单) and report
done (解单), the publisher confirms and the points follow."""

from __future__ import annotations

from bot.feature import Feature

TASKS = Feature(name="tasks")
