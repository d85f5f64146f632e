"""政策与法律问答 in the database: the knowledge base imported whole (bot/services/faq/library.py),
browsing it, counting answers shown, 👍/👎 votes and the admins' report (service.py), and its
part of /mydata and /deleteme. No Telegram here."""
