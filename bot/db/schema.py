"""Every feature's tables, found by name: bot/db/<feature>/models.py, imported here.

Whatever needs the whole schema (Alembic, the tests' clean-up, the personal-data check) asks
for `metadata()`: a new feature's tables are found without a list to keep.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil

from sqlalchemy import MetaData

import bot.db
from bot.db.base import Base


def metadata() -> MetaData:
    for info in pkgutil.iter_modules(bot.db.__path__):
        if info.ispkg and importlib.util.find_spec(f"bot.db.{info.name}.models") is not None:
            importlib.import_module(f"bot.db.{info.name}.models")
    return Base.metadata
