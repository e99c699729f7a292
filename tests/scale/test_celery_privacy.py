"""Less in Redis: a delivered job's result is dropped (a small record stays so a redelivery
does not run it again), notes name the user by pseudonym with the platform ids sealed, and
/forget's ``forget_notes`` deletes that user's notes and results (the keys are scanned)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.dialogue.recovery import Awaited, open_note, sealed_note
from bot.jobs.celery_outcomes import Outcomes
from bot.messages import ConversationKey
from bot.store.config import StoreConfig
from bot.store.repository import Store
from tests.databases import TEST_KEY
from tests.scale.cluster import Cluster
from tests.scale.jobs import Nap, nap_job

pytest.importorskip("celery")


def keys_of(runner: Any, job_id: str) -> list[str]:
    redis = runner.client._outcomes.redis()
    return sorted(k.decode() for k in redis.scan_iter(match=f"*{job_id}*"))


async def test_results_are_dropped_once_delivered_and_forget_deletes_notes_and_results(
        cluster: Cluster, runner: Any, markers: Path) -> None:
    cluster.start("privacy").wait_ready()
    await runner.start()
    outcomes: Outcomes = runner.client._outcomes

    value, _ = await runner.run(nap_job, Nap(str(markers), 0.0, 3), job_id="plainjob")
    assert value == 6
    kind, _ = outcomes.get("plainjob") or ("missing", None)
    assert kind == "error"  # the result (templates, in real jobs) is gone; a tombstone stays

    await runner.remember("annjob", {"who": "pseudo-ann", "sealed": "x"})
    await runner.remember("bojob", {"who": "pseudo-bo", "sealed": "y"})
    for job_id in ("annjob", "bojob"):
        await runner.run(nap_job, Nap(str(markers), 0.0, 1), job_id=job_id)
    assert outcomes.get("annjob") is not None and outcomes.get("annjob")[0] == "ok"  # type: ignore[index]

    assert await runner.forget_notes("pseudo-ann") == 1
    assert keys_of(runner, "annjob") == []  # no note, no outcome, no task state
    assert [k for k in keys_of(runner, "bojob") if "awaited" in k]  # Bo's note stays
    assert await runner.claim("bojob")
    assert outcomes.get("bojob")[0] == "error"  # type: ignore[index]  # dropped once claimed


def test_a_note_names_the_user_by_pseudonym_and_seals_the_platform_ids(tmp_path: Path) -> None:
    with Store(StoreConfig(f"sqlite:///{tmp_path / 's.db'}", TEST_KEY)) as store:
        key = ConversationKey("telegram", "-100123456", "424242", "77", shared=True)
        note = sealed_note(Awaited(key, "explain", 5, 2), store)
        blob = json.dumps(note)
        assert "424242" not in blob and "-100123456" not in blob
        assert note["who"] == store.user_ref("telegram", "424242")
        assert Awaited.from_note(open_note(note, store)) == Awaited(key, "explain", 5, 2)
