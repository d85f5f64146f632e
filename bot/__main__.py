"""Command line: `python -m bot [--sandbox] [run|migrate|...]` (also installed as `warmdrive`)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.config import ConfigError, load_settings

if TYPE_CHECKING:
    from bot.feature import CliCommand


def _parser(cli: Sequence[CliCommand]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="warmdrive", description="WarmDrive (暖驶) bot")
    sandbox_help = (
        "run offline: the local Bot API server and a web chat (the default without BOT_TOKEN)"
    )
    parser.add_argument("--sandbox", action="store_true", help=sandbox_help)
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser(
        "run", help="run the bot (default): long polling, or webhook if WEBHOOK_URL"
    )
    # SUPPRESS: `--sandbox run` must not be reset to False by the subcommand's default.
    run.add_argument("--sandbox", action="store_true", default=argparse.SUPPRESS, help=sandbox_help)
    sub.add_parser("migrate", help="upgrade the database to the latest schema")
    sub.add_parser("sender", help="run only the outbox sender (the bot runs one itself)")
    for command in cli:  # the features' own commands (stations import|export, ...)
        command.add(sub.add_parser(command.name, help=command.help))
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:  # Ctrl-C during start-up (the imports take seconds): no traceback
        return 0


def _main(argv: list[str] | None) -> int:
    from bot.features import FEATURES  # every feature's handlers: seconds, mostly aiogram

    cli = {command.name: command for feature in FEATURES for command in feature.cli}
    args = _parser(list(cli.values())).parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"warmdrive: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if args.command in cli:
        return cli[args.command].run(settings, args)
    if args.command in (None, "run") and (args.sandbox or settings.bot_token is None):
        from bot import sandbox_app

        return sandbox_app.main(settings, forced=args.sandbox)
    from bot import runner  # after the checks: importing aiogram is the slow part of start-up

    if args.command == "migrate":
        asyncio.run(runner.migrate(settings))
        print("database is up to date")
        return 0
    if args.command == "sender":
        if settings.bot_token is None:
            print("warmdrive: the sender needs BOT_TOKEN", file=sys.stderr)
            return 2
        asyncio.run(runner.send_only(settings))
        return 0
    try:
        asyncio.run(runner.run(settings))
    except runner.StartupError as exc:
        print(f"warmdrive: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
