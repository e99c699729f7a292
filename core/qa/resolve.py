"""Follow-up questions, resolved against the previous turn.

"and the nose?", "what about the other photo?", "and under S1+?", "and the least?" keep the
previous question's subject and change one of its slots (region, photo, method, most/least);
"why?" asks for the fact that explains the previous answer; "really?" asks how sure it is.
A question that stands on its own is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from core.qa.answer import History
from core.qa.facts import Fact, join_words, photo_name
from core.qa.lexicon import Slots, find_slots

_I = re.IGNORECASE
_LEAD = re.compile(
    r"^\s*(?:(?:and|but|so|ok(?:ay)?|also|then|now)\b[\s,]*)*"
    r"(?:(?:what|how)\s+about|what\s+of|same\s+(?:for|with)|and\s+for|as\s+for|regarding)?\b",
    _I,
)
_WHY = re.compile(
    r"^\s*(?:(?:and|but|so|ok(?:ay)?)\s+)?(?:why|how\s+come|for\s+what\s+reason|on\s+what\s+basis|"
    r"based\s+on\s+what|what\s+(?:is|was|'s)\s+the\s+reason|explain(?:\s+(?:that|this|it|why))?|"
    r"what\s+does\s+(?:that|this|it)\s+mean|how\s+do\s+you\s+know|tell\s+me\s+more|elaborate|"
    r"(?:any\s+|some\s+)?more\s+details?|go\s+on|expand(?:\s+on\s+(?:that|this|it))?|"
    r"how\s+(?:did|do|was|is|were|are)\s+(?:you|it|that|this|they|these)\s+(?:\w+\s+)?"
    r"(?:comput|calculat|get|got|work|estimat|deriv|obtain|found|determin|measur|made|make)\w*)\b",
    _I,
)
# "and for these two photos?", "what is it for this pair?": after a definition, the same thing
# for this comparison
_INSTANCE = re.compile(
    r"\b(?:this|these|those|my|mine|here|ours?)\b(?:\s+(?:pair|comparison|case|one|two|photos?|"
    r"pictures?|images?|faces?|result|people))?", _I)
INSTANCE_OF = {
    "glossary.pic": "pic", "glossary.threshold": "threshold", "glossary.template": "score",
    "glossary.heatmap": "outputs.images", "glossary.verification": "decision",
    "glossary.genuine": "decision", "glossary.fmr": "decision", "glossary.table": "ranking.pair.order",
    "glossary.xai": "outputs.images", "method.minplus": "outputs.images",
    "saliency.levels": "ranking.pair.order", "saliency.colours": "outputs.images",
}
# "what does S1+ do?" asks what a method is, whatever the previous turn was about
_METHOD_ITSELF = re.compile(r"\b(?:do|does|work|works|mean|means|stand\s+for|defin\w*|explain)\b", _I)
_LATERAL = re.compile(
    r"\b(left|right)\b(?!(?:\s*-?\s*hand)?\s+(?:photo|image|picture|pic|face|shot))"
    r"(?:\s+(?:one|side))?|\b(other)\b", _I)
_DOUBT = re.compile(r"^\s*(?:really|are\s+you\s+sure|sure|seriously|you\s+sure)\s*[?!.]*\s*$", _I)
_FILLER = frozenset(re.findall(r"\S+", (
    "and but so ok okay also then now what how about of for same with as regarding the a an in "
    "on under by is are was were it its that this one ones other there please too again case "
    "thing do does did you s only just together overall combined both"
)))
# a follow-up that only names a photo by its place: "and in the first?", "the latter?", "both?"
# ("the left one" is a lateral region's other side: see _lateral)
_BARE_SIDE = re.compile(
    r"^\s*(?:(?:and|but|so|ok(?:ay)?|now|then)\b[\s,]*)*(?:(?:what|how)\s+about\s+)?"
    r"(?:(?:in|on|for|with|of)\s+)?(?:the\s+)?(?:(first|former|1st)|(second|latter|2nd)|"
    r"(both|each|overall|all|combined|together))(?:\s+(?:one|photo|image|picture|pic|face))?"
    r"(?:\s+(?:together|combined|overall))?\s*[?.!]*\s*$", _I)
# "and the plus version?" after S1-: the same method with the other sign (or the other search)
_VARIANT = re.compile(
    r"\b(?:(plus|positive|\+|insertion|aggregation)|(minus|negative|-|removal|deletion)|"
    r"(greedy|iterative)|(single|one-shot))\s*(?:version|variant|one|map|method|counterpart|kind)\b",
    _I)


@dataclass(frozen=True)
class Resolved:
    """The question to answer. ``target`` is a fact id the question points at directly."""

    text: str
    slots: Slots
    follow_up: bool = False
    target: str | None = None


def resolve(
    question: str, history: History | None, facts: Mapping[str, Fact], vocabulary: frozenset[str]
) -> Resolved:
    slots = find_slots(question, vocabulary)
    prev = history.last() if history else None
    prev_facts = [facts[i] for i in (prev.fact_ids if prev else []) if i in facts]
    if _DOUBT.match(question) and "confidence" in facts and not prev_facts:
        return Resolved("How sure are you?", slots, False, "confidence")
    if prev is None or not prev_facts:
        return Resolved(question, _standalone(slots))
    prev_text = prev.resolved_question or prev.question
    content = _content_words(question, slots)
    if _DOUBT.match(question):
        return Resolved(f"How sure are you? ({prev_text})", slots, True, "confidence")
    why_asked = _WHY.match(question)
    if why_asked and slots.empty and len(_content_words(question[why_asked.end():], slots)) <= 2:
        why = prev_facts[0].because
        if why in facts:
            return Resolved(f"Why? ({prev_text})", slots, True, why)
    instance = INSTANCE_OF.get(prev_facts[0].id)
    if instance in facts and _INSTANCE.search(question) and len(content) <= 3 and not (
            slots.regions or slots.method or slots.polarity):
        return Resolved(f"{question} ({prev_text})", slots, True, instance)
    slots = _variant(question, _bare_side(question, slots), prev_facts)
    content = _content_words(question, slots)
    lateral = _lateral(question, slots, prev_facts)
    if lateral is not None:
        slots = replace(slots, regions=(lateral,), side=None if slots.side == "other" else slots.side)
        content = [w for w in content if w not in ("left", "right", "other", "side")]
    if slots.empty or content or (slots.method and not (slots.regions or slots.polarity)
                                   and _METHOD_ITSELF.search(question)):
        return Resolved(question, _standalone(slots))
    merged = _merge(slots, _slots_of(prev_facts, find_slots(prev_text, vocabulary)))
    return Resolved(_rewrite(merged, prev_text, prev_facts[0]), merged, True)


def _lateral(question: str, slots: Slots, prev_facts: list[Fact]) -> str | None:
    """"the other one", "the right one", "the other eyebrow" after a question on one lateral
    region (the left eye): that region's other side."""
    regions = [f.region for f in prev_facts if f.region]
    if len(regions) != 1 or not regions[0].startswith(("left ", "right ")):
        return None
    if prev_facts[0].side not in (None, "pair") and slots.side == "other":
        return None  # "the other one" after a question on one photo: the other photo
    found = _LATERAL.search(question)
    if found is None or re.search(r"\bother\s+(?:photo|image|picture|pic|face|shot)", question, _I):
        return None
    part = regions[0].split(" ", 1)[1]
    if slots.regions and not all(r.endswith(part) for r in slots.regions):
        return None
    if found.group(1):
        return f"{found.group(1).lower()} {part}"
    return f"{'right' if regions[0].startswith('left') else 'left'} {part}"


def _bare_side(question: str, slots: Slots) -> Slots:
    found = _BARE_SIDE.match(question)
    if found is None or slots.side:
        return slots
    side = "A" if found.group(1) else "B" if found.group(2) else "pair"
    return replace(slots, side=side, spans=(*slots.spans, (found.start(), found.end(), "side")))


def _variant(question: str, slots: Slots, prev_facts: list[Fact]) -> Slots:
    method = next((f.method for f in prev_facts if f.method and f.method[0] == "S"), None)
    found = _VARIANT.search(question)
    if found is None or slots.method or method is None:
        return slots
    order, sign = method[1], method[2]
    if found.group(1) or found.group(2):
        sign = "+" if found.group(1) else "-"
    else:
        order = "1" if found.group(3) else "0"
    return replace(slots, method=f"S{order}{sign}",
                   spans=(*slots.spans, (found.start(), found.end(), "method")))


def _content_words(question: str, slots: Slots) -> list[str]:
    text = question
    for start, end, _ in sorted(slots.spans, reverse=True):
        text = text[:start] + " " + text[end:]
    text = _LEAD.sub(" ", text, count=1)
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _FILLER]


def _standalone(slots: Slots) -> Slots:
    return replace(slots, side="B") if slots.side == "other" else slots


def _slots_of(prev_facts: list[Fact], asked: Slots) -> Slots:
    """The previous turn's subject: what its question named, completed by its facts' tags."""
    top = prev_facts[0]
    regions = asked.regions or tuple(dict.fromkeys(f.region for f in prev_facts if f.region))
    return Slots(regions, asked.side or top.side, asked.method or top.method,
                 asked.polarity or top.polarity, topic=top.topic)


def _merge(new: Slots, prev: Slots) -> Slots:
    side = new.side
    if side == "other":
        side = "A" if prev.side == "B" else "B"
    if new.regions:
        return Slots(new.regions, side or prev.side, new.method or prev.method, None, topic="region")
    if new.polarity:
        return Slots((), side or prev.side, None, new.polarity, topic="ranking")
    return Slots(prev.regions, side or prev.side, new.method or prev.method, prev.polarity,
                 topic=prev.topic)


def _rewrite(s: Slots, prev_text: str, prev_fact: Fact) -> str:
    where = "" if s.side in (None, "pair") else f" in {photo_name(s.side)}"
    how = f" under {s.method}" if s.method else ""
    if s.regions:
        return f"What is the importance of the {join_words(list(s.regions))}{where}{how}?"
    if s.polarity:
        return f"Which is the {s.polarity} important face region{where}?"
    if s.method and s.topic == "method":
        return f"What does {s.method} do?"
    extra = [p.strip() for p in (where, how) if p]
    return f"{prev_text.rstrip(' ?')} ({', '.join(extra)})?" if extra else prev_text
