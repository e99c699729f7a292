"""The common ground of the store's parts: engine, sessions, clock, pseudonyms, the vault."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from types import TracebackType
from typing import Self, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.store import images
from bot.store.audit import AUDIT_KEY
from bot.store.config import StoreConfig
from bot.store.engine import make_engine, reader
from bot.store.models import ComparisonRow, Conversation, User, utcnow
from bot.store.port import UnknownRecord
from bot.store.pseudonym import pseudonym


class StoreBase:
    """Connection, clock, pseudonyms and the image vault that every part of the store uses."""

    def __init__(self, config: StoreConfig, engine: Engine | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.config = config
        self._now = clock  # when rows are created; injectable for retention tests
        self.engine = engine or make_engine(config.url, busy_timeout_ms=config.busy_timeout_ms)
        keyed = {AUDIT_KEY: config.audit_chain_key}  # append_event and verify_chain read it
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, info=keyed)
        self._read_sessions = sessionmaker(reader(self.engine), expire_on_commit=False,
                                           info=keyed)
        self._vault: images.ImageVault | None = None
        if config.keep_images and config.image_key:
            ttl = timedelta(hours=config.image_ttl_hours)
            self._vault = images.ImageVault(config.image_key, ttl)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        """A write transaction (serialised with other writers on SQLite)."""
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def _read(self) -> Iterator[Session]:
        """A read-only transaction: a consistent snapshot that does not block writers."""
        with self._read_sessions.begin() as session:
            yield session

    def _ref(self, platform: str, identifier: str, purpose: str) -> str:
        return pseudonym(self.config.pseudonym_key, platform, identifier, purpose=purpose)


RowT = TypeVar("RowT", User, Conversation, ComparisonRow)


def get_row(session: Session, model: type[RowT], key: int) -> RowT:
    row = session.get(model, key)
    if row is None:
        raise UnknownRecord(detail=f"{model.__tablename__} #{key}")
    return row
