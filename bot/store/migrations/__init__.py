"""Alembic scripts for the store. Run them with ``facexplain db upgrade`` or
``bot.store.migrate.upgrade_to_head(url)``; no alembic.ini is needed."""
