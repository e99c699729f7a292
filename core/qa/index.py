"""The facts of one comparison with their sentence embeddings, computed once and reused for
every question about that comparison."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from core.qa.encoder import FloatArray, TextEncoder
from core.qa.facts import Fact
from core.qa.unknown import tokens


class FactIndex:
    """A comparison's facts, their vocabulary, and (computed on first use, then kept) the
    embeddings of each fact's text and keys. The keys are fixed questions shared by every
    comparison, so only the sentences with this comparison's numbers are new to the encoder."""

    def __init__(self, facts: Sequence[Fact], embed: Callable[[list[str]], FloatArray],
                 texts: bool = True) -> None:
        self.facts = tuple(facts)
        self.vocabulary = frozenset(t for f in self.facts for t in tokens(f.text))
        self.by_id = {f.id: f for f in self.facts}
        self._embed = embed
        self._vectors: FloatArray | None = None
        self._lock = threading.Lock()
        # with texts=False only the facts' keys (fixed questions, embedded once per process)
        # are compared with a question: nothing new to embed for a new comparison
        strings = [(i, s) for i, f in enumerate(self.facts)
                   for s in ((f.text, *f.keys) if texts or not f.keys else f.keys)]
        self._strings = [s for _, s in strings]
        self.owner = np.array([i for i, _ in strings], dtype=np.int64)

    @property
    def vectors(self) -> FloatArray:
        """One row per embedded string: each fact's text, then its keys."""
        with self._lock:
            if self._vectors is None:
                self._vectors = self._embed(self._strings)
            return self._vectors

    def warm(self) -> FactIndex:
        """Embed now (the chats call this when a decision is made, before any question)."""
        _ = self.vectors
        return self

    def similarity(self, query: FloatArray) -> NDArray[np.float32]:
        """Per fact, the best cosine similarity of ``query`` (D,) with its text or keys."""
        sims = self.vectors @ query.astype(np.float32)
        starts = np.flatnonzero(np.r_[True, self.owner[1:] != self.owner[:-1]])
        return np.maximum.reduceat(sims, starts).astype(np.float32)


def fingerprint(facts: Sequence[Fact]) -> str:
    h = hashlib.sha1()
    for f in facts:
        h.update("\x1f".join((f.id, f.text, *f.keys)).encode("utf-8") + b"\x1e")
    return h.hexdigest()


class IndexCache:
    """Builds FactIndexes, remembering the last ``size`` of them and every sentence embedding
    already computed (the general-knowledge facts are shared by all comparisons)."""

    def __init__(self, encoder: TextEncoder, size: int = 32, max_sentences: int = 50_000,
                 texts: bool = True) -> None:
        self.encoder, self.texts = encoder, texts
        self.size, self.max_sentences = size, max_sentences
        self._indexes: OrderedDict[str, FactIndex] = OrderedDict()
        self._vectors: dict[str, FloatArray] = {}
        self._lock = threading.Lock()

    def index(self, facts: Sequence[Fact]) -> FactIndex:
        key = fingerprint(facts)
        with self._lock:
            if key in self._indexes:
                self._indexes.move_to_end(key)
                return self._indexes[key]
            built = FactIndex(facts, self.vectors, self.texts)
            self._indexes[key] = built
            while len(self._indexes) > self.size:
                self._indexes.popitem(last=False)
            return built

    def encode(self, texts: Sequence[str]) -> FloatArray:
        """The cache as a TextEncoder: every sentence is embedded once per process."""
        return self.vectors(texts)

    def vectors(self, texts: Sequence[str]) -> FloatArray:
        """Embeddings of ``texts`` (computed once, then remembered)."""
        with self._lock:
            return self._embed(list(texts))

    def _embed(self, texts: list[str]) -> FloatArray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            if len(self._vectors) + len(missing) > self.max_sentences:
                self._vectors.clear()
            for text, vector in zip(missing, self.encoder.encode(missing), strict=True):
                self._vectors[text] = vector
        return np.stack([self._vectors[t] for t in texts]).astype(np.float32)
