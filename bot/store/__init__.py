"""The conversation store, the audit log and the privacy operations (SQLAlchemy + Alembic).

Importing this package is cheap and needs no database library: the port (``StorePort``), the
records and ``StoreConfig`` live in light modules. ``bot.store.repository.Store`` is the
SQLAlchemy implementation; build it in the composition root.
"""

from bot.store.config import DEFAULT_RETENTION_DAYS, StoreConfig, default_database_url
from bot.store.port import (
    AlreadyReviewed,
    ConversationRecord,
    ForgetReport,
    ImagesDisabled,
    PurgeReport,
    ReviewRecord,
    StoredComparison,
    StorePort,
    TurnRecord,
    UnknownRecord,
    Verdict,
)

__all__ = [
    "DEFAULT_RETENTION_DAYS",
    "AlreadyReviewed",
    "ConversationRecord",
    "ForgetReport",
    "ImagesDisabled",
    "PurgeReport",
    "ReviewRecord",
    "StoreConfig",
    "StorePort",
    "StoredComparison",
    "TurnRecord",
    "UnknownRecord",
    "Verdict",
    "default_database_url",
]
