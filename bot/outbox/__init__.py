"""The outbox sender: the one way the bot sends what nobody asked for just now."""
