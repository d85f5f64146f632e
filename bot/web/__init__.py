"""Public HTTP endpoints beside the bot (no Telegram): Open311."""
