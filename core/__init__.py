"""facexplain core: pure computation on arrays and bytes.

Never imports a chat SDK, SQLAlchemy, or anything from ``bot`` / ``adapters``.
Nothing heavy happens at import time.
"""
