"""MAAD-Face's 47 binary attributes, their human wording, and how captions use them.

Each attribute has a short ``label`` for lists ("eyeglasses", "middle aged") and two
``Wording``s: what a caption says when it is present and when it is absent (the negative
prompt). A wording names a ``slot`` in the caption "A photo of [a] [traits] [person]'s
[face adjectives] face with [...], without [...], that is not [...]" (see captions.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Slot = Literal["person", "trait", "face", "with", "without", "not"]


@dataclass(frozen=True)
class Wording:
    """Words for a caption. ``group`` merges modifiers of one noun ("wavy gray hair")."""

    phrase: str
    slot: Slot
    order: int = 0  # adjective order within the slot (opinion, size, age, origin...)
    group: str = ""  # "hair", "eyebrows", "nose", "lips": ``phrase`` is then a modifier
    kind: str = ""  # modifiers of one kind in a group are joined with "and" (hair colours)


@dataclass(frozen=True)
class Attribute:
    key: str  # MAAD-Face column name
    label: str  # short human wording for lists
    present: Wording
    absent: Wording
    absent_label: str = ""  # named in lists and captions when absent ("woman" for Male)


def _w(phrase: str, slot: Slot, order: int = 0, group: str = "", kind: str = "") -> Wording:
    return Wording(phrase, slot, order, group, kind)


def _with(key: str, label: str, phrase: str, group: str = "", kind: str = "") -> Attribute:
    """An attribute the face has ("with a mustache"); its absence is "without a mustache"."""
    return Attribute(key, label, _w(phrase, "with", group=group, kind=kind),
                     _w(f"{_GROUP_NOUNS[group][0]}{phrase} {_GROUP_NOUNS[group][1]}".strip()
                        if group else phrase, "without"))


def _trait(key: str, label: str, phrase: str, order: int, slot: Slot = "trait") -> Attribute:
    """An adjective of the person or face ("an old man's face"); absent: "that is not old"."""
    return Attribute(key, label, _w(phrase, slot, order), _w(phrase, "not"))


# group -> (article before the modifiers, noun)
_GROUP_NOUNS: dict[str, tuple[str, str]] = {
    "": ("", ""),
    "hair": ("", "hair"),
    "eyebrows": ("", "eyebrows"),
    "nose": ("a ", "nose"),
    "lips": ("", "lips"),
}


def group_noun(group: str) -> tuple[str, str]:
    """The article (possibly empty) and the noun of a wording group."""
    return _GROUP_NOUNS[group]


ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("Male", "man", _w("man", "person"), _w("woman", "person"), absent_label="woman"),
    _trait("Young", "young", "young", 3),
    _trait("Middle_Aged", "middle aged", "middle-aged", 3),
    _trait("Senior", "old", "old", 3),
    _trait("Asian", "Asian", "Asian", 4),
    _trait("White", "white", "white", 4),
    _trait("Black", "Black", "Black", 4),
    _with("Rosy_Cheeks", "rosy cheeks", "rosy cheeks"),
    _with("Shiny_Skin", "shiny skin", "shiny skin"),
    _trait("Bald", "bald", "bald", 2),
    _with("Wavy_Hair", "wavy hair", "wavy", group="hair", kind="texture"),
    _with("Receding_Hairline", "receding hairline", "a receding hairline"),
    _with("Bangs", "bangs", "bangs"),
    _with("Sideburns", "sideburns", "sideburns"),
    _with("Black_Hair", "black hair", "black", group="hair", kind="colour"),
    _with("Blond_Hair", "blond hair", "blond", group="hair", kind="colour"),
    _with("Brown_Hair", "brown hair", "brown", group="hair", kind="colour"),
    _with("Gray_Hair", "gray hair", "gray", group="hair", kind="colour"),
    Attribute("No_Beard", "no beard", _w("a beard", "without"), _w("a beard", "with")),
    _with("Mustache", "mustache", "a mustache"),
    _with("5_o_Clock_Shadow", "five o'clock shadow", "a five o'clock shadow"),
    _with("Goatee", "goatee", "a goatee"),
    _trait("Oval_Face", "oval face", "oval", 1, slot="face"),
    _trait("Square_Face", "square face", "square", 1, slot="face"),
    _trait("Round_Face", "round face", "round", 1, slot="face"),
    _with("Double_Chin", "double chin", "a double chin"),
    _with("High_Cheekbones", "high cheekbones", "high cheekbones"),
    _trait("Chubby", "chubby", "chubby", 1),
    Attribute("Obstructed_Forehead", "obstructed forehead", _w("an obstructed forehead", "with"),
              _w("a fully visible forehead", "with")),
    Attribute("Fully_Visible_Forehead", "fully visible forehead",
              _w("a fully visible forehead", "with"), _w("a covered forehead", "with")),
    _with("Brown_Eyes", "brown eyes", "brown eyes"),
    _with("Bags_Under_Eyes", "bags under the eyes", "bags under the eyes"),
    _with("Bushy_Eyebrows", "bushy eyebrows", "bushy", group="eyebrows"),
    _with("Arched_Eyebrows", "arched eyebrows", "arched", group="eyebrows"),
    Attribute("Mouth_Closed", "mouth closed", _w("a closed mouth", "with"),
              _w("an open mouth", "with")),
    _trait("Smiling", "smiling", "smiling", 0, slot="face"),
    _with("Big_Lips", "big lips", "big", group="lips"),
    _with("Big_Nose", "big nose", "big", group="nose", kind="size"),
    _with("Pointy_Nose", "pointy nose", "pointy", group="nose", kind="shape"),
    _with("Heavy_Makeup", "heavy makeup", "heavy makeup"),
    _with("Wearing_Hat", "hat", "a hat"),
    _with("Wearing_Earrings", "earrings", "earrings"),
    _with("Wearing_Necktie", "necktie", "a necktie"),
    _with("Wearing_Lipstick", "lipstick", "lipstick"),
    Attribute("No_Eyewear", "no eyewear", _w("glasses", "without"), _w("glasses", "with")),
    _with("Eyeglasses", "eyeglasses", "eyeglasses"),
    _trait("Attractive", "attractive", "attractive", 0),
)

KEYS: tuple[str, ...] = tuple(a.key for a in ATTRIBUTES)
_BY_KEY = {a.key: a for a in ATTRIBUTES}


def attribute(key: str) -> Attribute:
    """The attribute with MAAD-Face name ``key`` (KeyError names the unknown key)."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown attribute {key!r}; known: {', '.join(KEYS)}") from None
