"""Misspelt words put right against the words the engine knows ("thershold" -> "threshold",
"leest importent" -> "least important") before a question is read, so that the slot patterns
and the classifier see the word that was meant.

A word is put right only when it is unknown (in no training wording and no fact) and exactly
one known word is one edit away (a letter added, dropped, changed, or two neighbours swapped),
found through an index of single deletions (the symmetric-delete method, as SymSpell does).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_WORD = re.compile(r"[A-Za-z]+")
MIN_LENGTH = 4  # shorter words have too many neighbours to guess from


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one insertion, deletion, substitution or swap of
    neighbours (the symmetric-delete index also pairs some words two edits apart)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


class Speller:
    """Corrections towards ``common`` words (those seen in two or more training wordings or in
    the facts' fixed questions); ``known`` words (every word seen once) are left as they are."""

    def __init__(self, common: Iterable[str], known: Iterable[str] = ()) -> None:
        self.common = frozenset(w for w in common if len(w) >= MIN_LENGTH - 1)
        self.known = frozenset(known) | self.common
        self._index: dict[str, set[str]] = {}
        for word in self.common:
            for key in (word, *_deletes(word)):
                self._index.setdefault(key, set()).add(word)

    def suggest(self, word: str) -> str | None:
        """The one common word one edit from ``word``, or None."""
        found = {w for key in (word, *_deletes(word)) for w in self._index.get(key, ())
                 if _one_edit(word, w)}
        return found.pop() if len(found) == 1 else None

    def correct(self, text: str, also_known: frozenset[str] = frozenset()) -> str:
        """``text`` with its unknown words put right where one fix is clear."""
        def fix(m: re.Match[str]) -> str:
            word = m.group(0)
            low = word.lower()
            if len(low) < MIN_LENGTH or low in self.known or low in also_known:
                return word
            return self.suggest(low) or word

        return _WORD.sub(fix, text)


def word_counts(texts: Iterable[str]) -> Counter[str]:
    """In how many of ``texts`` each lower-case word occurs."""
    return Counter(w for t in texts for w in set(_WORD.findall(t.lower())))
