"""The caption grammar: "A photo of an old white man's face with gray hair and eyeglasses."

Words before "face" (traits of the person, the person noun as a possessive, adjectives of
the face) and after it ("with ...", "without ...", "that is not ..."), with the right
article, adjective order, merged modifiers ("wavy gray hair") and lists joined with commas
and "and" (or "or" after a negation).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from core.attributes.vocabulary import ATTRIBUTES, Wording, attribute, group_noun

_A_BEFORE_VOWEL_LETTER = ("one", "uni", "use", "usu", "eu", "ewe")
_AN_BEFORE_H = ("hour", "honest", "honour", "honor", "heir")


def article(word: str) -> str:
    """"a" or "an" for the word that follows (by sound for the usual exceptions)."""
    w = word.lower()
    if w.startswith(_A_BEFORE_VOWEL_LETTER):
        return "a"
    if w.startswith(_AN_BEFORE_H) or w[:1] in tuple("aeiou"):
        return "an"
    return "a"


def join_list(items: Sequence[str], conjunction: str = "and") -> str:
    """"a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


def _adjectives(wordings: Sequence[Wording]) -> str:
    """Adjectives in their order; several of the same order are joined with "and"."""
    by_order: dict[int, list[str]] = {}
    for w in sorted(wordings, key=lambda w: w.order):
        by_order.setdefault(w.order, []).append(w.phrase)
    return " ".join(join_list(words) for words in by_order.values())


def _noun_phrases(wordings: Sequence[Wording]) -> list[str]:
    """Phrases after "with"/"without", modifiers of one group merged into one phrase."""
    items: list[str] = []
    groups: dict[str, list[Wording]] = {}
    for w in wordings:
        if w.group:
            if w.group not in groups:
                groups[w.group] = []
                items.append("\0" + w.group)
            groups[w.group].append(w)
        else:
            items.append(w.phrase)
    return [_group_phrase(item[1:], groups[item[1:]]) if item.startswith("\0") else item
            for item in items]


def _group_phrase(group: str, modifiers: list[Wording]) -> str:
    art, noun = group_noun(group)
    by_kind: dict[str, list[str]] = {}
    for w in modifiers:
        by_kind.setdefault(w.kind, []).append(w.phrase)
    words = " ".join(join_list(v) for v in by_kind.values())
    return f"{article(words) + ' ' if art else ''}{words} {noun}"


def face_phrase(wordings: Iterable[Wording]) -> str:
    """"an old white man's face with gray hair and eyeglasses" (no leading "A photo of")."""
    ws = list(wordings)
    slot = {s: [w for w in ws if w.slot == s] for s in ("person", "trait", "face", "with",
                                                         "without", "not")}
    traits = _adjectives(slot["trait"])
    person = slot["person"][0].phrase if slot["person"] else ("person" if traits else "")
    before = " ".join(p for p in (traits, f"{person}'s" if person else "",
                                  _adjectives(slot["face"])) if p)
    head = f"{before} face" if before else "face"
    text = f"{article(head)} {head}"
    tails = []
    if slot["with"]:
        tails.append("with " + join_list(_noun_phrases(slot["with"])))
    if slot["without"]:
        tails.append("without " + join_list(_noun_phrases(slot["without"]), "or"))
    if slot["not"]:
        tails.append("that is not " + join_list([w.phrase for w in slot["not"]], "or"))
    return " ".join([text, ", ".join(tails)]) if tails else text


def caption(wordings: Iterable[Wording]) -> str:
    """"A photo of an old white man's face with gray hair and eyeglasses.\""""
    return f"A photo of {face_phrase(wordings)}."


def caption_for(present: Iterable[str], absent: Iterable[str] = ()) -> str:
    """The caption of a face with the ``present`` attributes (MAAD-Face keys).

    Absent attributes are named only where the vocabulary names their absence in lists
    (Male absent: "woman"); everything else absent is simply not mentioned, as in the paper's
    captions. Attributes are worded in vocabulary order whatever order they come in.
    """
    on, off = set(present), set(absent)
    words = [a.present for a in ATTRIBUTES if a.key in on]
    words += [a.absent for a in ATTRIBUTES if a.key in off and a.absent_label and a.key not in on]
    return caption(words)


def prompts(key: str) -> tuple[str, str]:
    """The positive and negative prompt for one attribute (a zero-shot / template score)."""
    a = attribute(key)
    return caption([a.present]), caption([a.absent])
