"""The fitted intent classifier kept in the data folder: a hit gives the same readings without
a fit, a changed bank refits, a corrupt or unsafe file is refitted and replaced, never a crash."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

import core.qa.intents as intents_module
from core.qa.engine import QAEngine
from core.qa.intent_cache import cache_file, cache_key, load, load_or_fit
from core.qa.intents import IntentModel, fit_intents

PAIRS = [("Is it a match?", "decision"), ("Why was this decided?", "reasoning"),
         ("How sure are you?", "confidence_value"), ("Which region mattered most?", "most_important"),
         ("What is the threshold?", "technical/threshold")]
QUESTIONS = ["is it the same person", "why", "how certain", "top region", "threshold value?"]


class HashEncoder:
    """Deterministic 32-d vectors from the words (no model to load)."""

    name = "hash-32"

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 32), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % 32] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-6)


def readings(model: IntentModel) -> list[list[tuple[str, float]]]:
    enc = HashEncoder()
    return [model.ranked(q, enc.encode([q])[0]) for q in QUESTIONS]


def counting_fit(pairs: list[tuple[str, str]], calls: list[int]):  # type: ignore[no-untyped-def]
    def fit() -> IntentModel:
        calls.append(1)
        return fit_intents(HashEncoder(), pairs)
    return fit


def test_a_hit_gives_the_same_readings_without_fitting(tmp_path: Path) -> None:
    calls: list[int] = []
    key = cache_key(PAIRS, "hash-32")
    first = load_or_fit(tmp_path, key, counting_fit(PAIRS, calls))
    second = load_or_fit(tmp_path, key, counting_fit(PAIRS, calls))
    assert calls == [1]
    assert readings(second) == readings(first)
    assert second.labels == first.labels and second.speller.correct("thershold") == (
        first.speller.correct("thershold"))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def test_a_changed_bank_or_encoder_refits(tmp_path: Path) -> None:
    calls: list[int] = []
    load_or_fit(tmp_path, cache_key(PAIRS, "hash-32"), counting_fit(PAIRS, calls))
    more = [*PAIRS, ("Which detector found the faces?", "technical/models.detector")]
    assert cache_key(more, "hash-32") != cache_key(PAIRS, "hash-32")
    assert cache_key(PAIRS, "another-encoder") != cache_key(PAIRS, "hash-32")
    refit = load_or_fit(tmp_path, cache_key(more, "hash-32"), counting_fit(more, calls))
    assert calls == [1, 1]
    assert "technical/models.detector" in refit.labels


@pytest.mark.parametrize("damage", [b"", b"not a pickle at all", b"\x80\x04K\x01."])
def test_a_corrupt_file_is_refitted_and_replaced(tmp_path: Path, damage: bytes) -> None:
    key = cache_key(PAIRS, "hash-32")
    path = cache_file(tmp_path, key)
    path.write_bytes(damage)  # empty, garbage, and a valid pickle of something else (the int 1)
    calls: list[int] = []
    model = load_or_fit(tmp_path, key, counting_fit(PAIRS, calls))
    assert calls == [1] and isinstance(model, IntentModel)
    assert isinstance(load(path), IntentModel)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_file_others_may_write_is_not_loaded(tmp_path: Path) -> None:
    key = cache_key(PAIRS, "hash-32")
    calls: list[int] = []
    load_or_fit(tmp_path, key, counting_fit(PAIRS, calls))
    cache_file(tmp_path, key).chmod(0o666)
    assert load(cache_file(tmp_path, key)) is None
    load_or_fit(tmp_path, key, counting_fit(PAIRS, calls))
    assert calls == [1, 1]


def test_the_engine_loads_its_classifier_from_the_cache_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = QAEngine(HashEncoder(), cache_dir=tmp_path)
    first.warm_up()
    assert len(list(tmp_path.glob("qa-intents-*.joblib"))) == 1

    def no_fit(*args: object, **kwargs: object) -> IntentModel:
        raise AssertionError("fitted again although the cache holds this bank's fit")

    monkeypatch.setattr(intents_module, "fit_intents", no_fit)
    second = QAEngine(HashEncoder(), cache_dir=tmp_path)
    assert readings(second.intents) == readings(first.intents)
