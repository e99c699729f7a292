"""What the store needs to know, as one frozen value (``bot.composition.store_config`` maps
``Settings`` onto it; the defaults below are the settings' defaults too)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_RETENTION_DAYS = 30
DEFAULT_IMAGE_TTL_HOURS = 72.0
DEFAULT_BUSY_TIMEOUT_MS = 30_000
DEFAULT_RETRY_S = 10.0
DATABASE_FILE = "facexplain.db"


def default_database_url(data_dir: Path) -> str:
    """SQLite in the user's data directory: the embedded default."""
    return f"sqlite:///{(data_dir / DATABASE_FILE).expanduser()}"


@dataclass(frozen=True)
class StoreConfig:
    """``pseudonym_key`` keys the HMAC that turns platform user ids into pseudonyms.

    Kept images are off by default; when ``keep_images`` is on, ``image_key`` (a Fernet key)
    encrypts them at rest and they expire after ``image_ttl_hours``. ``audit_key`` keys the
    audit chain's MACs (the service always passes one: ``bot.composition.audit_key``; without
    it, tests and tools get one derived from the pseudonym key).
    """

    url: str
    pseudonym_key: bytes = field(repr=False)
    keep_images: bool = False
    image_key: bytes | None = field(default=None, repr=False)
    image_ttl_hours: float = DEFAULT_IMAGE_TTL_HOURS
    retention_days: int = DEFAULT_RETENTION_DAYS
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
    retry_s: float = DEFAULT_RETRY_S  # how long a call waits for a database that is away (bot.store.retry)
    audit_key: bytes | None = field(default=None, repr=False)

    @property
    def audit_chain_key(self) -> bytes:
        if self.audit_key is not None:
            return self.audit_key
        return hmac.new(self.pseudonym_key, b"facexplain audit chain", hashlib.sha256).digest()

    def __post_init__(self) -> None:
        if len(self.pseudonym_key) < 16:
            raise ValueError("the pseudonym key must be at least 16 bytes of secret")
        if self.audit_key is not None and len(self.audit_key) < 16:
            raise ValueError("the audit key must be at least 16 bytes of secret")
        if self.keep_images and not self.image_key:
            raise ValueError("keep_images needs an image_key (a Fernet key) to encrypt them")
        if self.image_ttl_hours <= 0 or self.retention_days <= 0:
            raise ValueError("image_ttl_hours and retention_days must be positive")
