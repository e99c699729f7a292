"""What the bot-restart tests (Telegram, Slack) share: a worker (the real face models, a
made-up calibration) that holds the comparison or its heatmaps while the bot is restarted, a
SQLite store, and the check that the comparison was stored once, with its tables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from bot.store.config import StoreConfig
from bot.store.repository import Store, open_store
from tests.conftest import MODELS
from tests.databases import TEST_KEY
from tests.scale.cluster import Cluster
from tests.scale.made_up_calibration import calibrate_with_made_up_scores


@dataclass(frozen=True)
class HeldJob:
    """``hold``: while the file exists the job in flight waits on the worker; ``started``: the
    marker glob the worker writes when that job starts; ``workers`` (none started yet) and
    ``store`` are the test's to stop and close."""

    hold: Path
    started: str
    workers: Cluster
    store: Store


def held_job(in_flight: str, redis_url: str, queue: str, markers: Path,
             tmp_path: Path) -> HeldJob:
    """``in_flight``: "comparison" (the second photo's job is held) or "heatmaps"."""
    calibrate_with_made_up_scores(tmp_path / "data")
    hold = tmp_path / "hold"
    comparison = in_flight == "comparison"
    workers = Cluster(redis_url, queue, markers, MODEL_DIR=str(MODELS),
                      DATA_DIR=str(tmp_path / "data"),
                      **{"TEST_HOLD" if comparison else "TEST_HOLD_EXPLAIN": str(hold)})
    store = open_store(StoreConfig(url=f"sqlite:///{tmp_path / 'store.db'}",
                                   pseudonym_key=TEST_KEY))
    return HeldJob(hold, "held-*" if comparison else "explaining-*", workers, store)


def assert_stored_once_with_tables(store: Store) -> None:
    """One comparison in the store, and its tables (stored by whichever bot delivered them)."""
    with store.engine.connect() as db:
        stored = db.execute(text("SELECT count(*) FROM comparisons")).scalar_one()
        explained = db.execute(text(
            "SELECT count(*) FROM comparisons WHERE tables IS NOT NULL")).scalar_one()
    assert (stored, explained) == (1, 1)
