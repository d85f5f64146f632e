"""Telegram-facing code, one package per feature (handlers/<feature>/), shared pieces in
handlers/common/."""
