"""Pure data and search: no Telegram library, no database session."""

from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")
