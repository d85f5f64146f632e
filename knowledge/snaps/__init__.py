"""Pure logic of snap reports: no Telegram library, no database session."""
