"""Operations: metrics, health checks, the ops HTTP endpoint and structured logs.

Nothing here imports prometheus-client or aiohttp at import time: both are optional.
"""
