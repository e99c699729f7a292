"""Names a question mentions that the comparison's facts never do: a face part that is not one
of the table's regions, an explanation method or a face model that was not used, or any other
CamelCase, ALL-CAPS or letter-and-digit name. The engine says it does not know about them."""

from __future__ import annotations

import re

_I = re.IGNORECASE
# Things people may ask about that a comparison never covers unless its facts mention them.
_FOREIGN: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(rf"\b(?:{words})\b", _I))
    for kind, words in (
        ("part", r"forehead|ears?|hair(?:line)?|neck|teeth|tooth|temples?|jaw(?:line)?|beard|"
                 r"mo?ustache|eyelash(?:es)?|lashes|pupils?|iris(?:es)?|skin|scalp|throat|tongue|"
                 r"freckles|wrinkles|scars?|tattoos?|(?:eye|sun)?glasses|hat|background|shoulders?"),
        ("method", r"lime|shap|grad[\s-]?cam(?:\+\+)?|lrp|deeplift|integrated gradients|"
                   r"smoothgrad|xrai|occlusion sensitivity"),
        ("model", r"facenet|arcface|cosface|sphereface|vgg[\s-]?face2?|deepface|openface|adaface|"
                  r"magface|elasticface|dlib|insightface|retinaface|mtcnn|scrfd|mobilefacenet|"
                  r"resnet\d*|iresnet\d*|buffalo(?:_[sml])?|antelopev2|yolo\w*|clip|bert|"
                  r"gpt[\w-]*|chatgpt"),
    )
)
_SHAPED = re.compile(r"(?<![\w-])([A-Za-z][A-Za-z0-9]*(?:[+-][A-Za-z0-9]+)*[+-]?)(?![\w])")
_ALLOWED = frozenset({"ai", "xai", "ok", "id", "ml", "faq", "vs", "eg", "ie", "usa", "uk", "q"})


def unknown_terms(text: str, vocabulary: frozenset[str]) -> tuple[str, ...]:
    """Names in ``text`` that the facts never mention: listed face parts, explanation methods
    and models, and any CamelCase, ALL-CAPS or letter-and-digit name."""
    found: list[str] = []
    for _, pattern in _FOREIGN:
        for m in pattern.finditer(text):
            if not all(w in vocabulary for w in tokens(m.group(0))):
                found.append(m.group(0))
    letters = [w for w in re.findall(r"[A-Za-z]+", text) if len(w) > 1]
    shouting = letters and sum(w.isupper() for w in letters) > len(letters) / 2
    for m in _SHAPED.finditer(text):
        word = m.group(1)
        core = word.strip("+-")
        shaped = (
            re.search(r"[a-z][A-Z]", core) is not None
            or (not shouting and sum(ch.isupper() for ch in core) >= 2)
            or (re.search(r"\d", core) is not None and re.search(r"[A-Za-z]", core) is not None)
        )
        known = core.lower() in _ALLOWED or all(t in vocabulary for t in tokens(core))
        repeated = any(word.lower() in f.lower() for f in found)
        if shaped and not known and not repeated:
            found.append(word)
    return tuple(found)


def term_kind(term: str) -> str:
    """"part" (a face part), "method" (an explanation method), "model", or "name"."""
    for kind, pattern in _FOREIGN:
        if pattern.fullmatch(term):
            return kind
    return "name"


def tokens(text: str) -> list[str]:
    """Lower-case alphanumeric tokens (the unit of the facts' vocabulary)."""
    return re.findall(r"[a-z0-9]+", text.lower())
