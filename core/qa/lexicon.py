"""Light keyword features of a question: which face regions, photo, method and most/least it
names, and which things it names that the engine knows nothing about (a region that is not in
the table, an explanation method or a model that was not used).

These are cues for ranking facts, not answers: the same features apply to every question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.qa.unknown import tokens, unknown_terms

_I = re.IGNORECASE
_PHOTO = r"(?:photo(?:graph)?|image|picture|pic|face|shot)"

# (pattern, regions); more specific patterns first, each span is used once.
_REGIONS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (re.compile(p, _I), r)
    for p, r in (
        (r"\bleft[\s-]+(?:eye[\s-]?)?brows?\b", ("left eyebrow",)),
        (r"\bright[\s-]+(?:eye[\s-]?)?brows?\b", ("right eyebrow",)),
        (r"\bleft[\s-]+eyes?\b", ("left eye",)),
        (r"\bright[\s-]+eyes?\b", ("right eye",)),
        (r"\bleft[\s-]+cheek(?:s|bones?)?\b", ("left cheek",)),
        (r"\bright[\s-]+cheek(?:s|bones?)?\b", ("right cheek",)),
        (r"\b(?:eye[\s-]?)?brows?\b", ("left eyebrow", "right eyebrow")),
        (r"\beyes?\b", ("left eye", "right eye")),
        (r"\bcheek(?:s|bones?)?\b", ("left cheek", "right cheek")),
        (r"\b(?:nose|nostrils?|nasal)\b", ("nose",)),
        (r"\bchin\b", ("chin",)),
        (r"\b(?:lips?|mouth)\b", ("lips",)),
    )
)
_SIDES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"\b{_PHOTO}\s*(?:#\s*)?(?:a|1|one)\b|\b(?:first|1st)\s+(?:{_PHOTO}|one)\b|\bleft(?:-hand)?\s+{_PHOTO}", _I), "A"),
    (re.compile(rf"\b{_PHOTO}\s*(?:#\s*)?(?:b|2|two)\b|\b(?:second|2nd)\s+(?:{_PHOTO}|one)\b|\bright(?:-hand)?\s+{_PHOTO}", _I), "B"),
    (re.compile(r"\b(?:in|for|of|on|about|and|to|with)\s+([AB])\b(?!['’])|^\s*([AB])\s*[?.!]*\s*$"), "AB"),
    (re.compile(rf"\b(?:the\s+)?other\s+(?:{_PHOTO}|one)\b", _I), "other"),
    (re.compile(rf"\bboth\s+(?:{_PHOTO}s?|of them)\b|\b(?:overall|combined|together|the pair)\b", _I), "pair"),
)
# a method's name: "S0-", "s 0 minus", "S_1+", "S-zero plus"; or what it does: single (one blob
# at a time) or greedy (step after step) removal or aggregation
_S = r"(?<![\w'’])s[\s_-]?"
_ZERO, _ONE = r"(?:0|zero)", r"(?:1|one)"
_MINUS = r"[\s_]?(?:-|−|–|minus\b)"
_PLUS = r"[\s_]?(?:\+|plus\b)"
_SINGLE = r"\b(?:single|one[\s-]+(?:at[\s-]+a[\s-]+time|shot|step)|individual)"
_GREEDY = r"\b(?:greedy|iterative|step[\s-]*(?:by[\s-]*step|wise)|sequential|cumulative)"
_REMOVAL = r"[\s-]+(?:removals?|deletions?|occlusions?|masking|subtraction|minus)\b"
_ADDITION = r"[\s-]+(?:aggregations?|additions?|insertions?|adding|plus)\b"
_METHODS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, _I), m)
    for p, m in (
        (rf"{_S}{_ZERO}{_MINUS}|{_SINGLE}{_REMOVAL}", "S0-"),
        (rf"{_S}{_ONE}{_MINUS}|{_GREEDY}{_REMOVAL}", "S1-"),
        (rf"{_S}{_ZERO}{_PLUS}|{_SINGLE}{_ADDITION}", "S0+"),
        (rf"{_S}{_ONE}{_PLUS}|{_GREEDY}{_ADDITION}", "S1+"),
        (r"\bavg\b|\baverag\w*[\s-]+(?:of\s+the\s+(?:four\s+)?)?(?:saliency\s+)?"
         r"(?:map|method|heat\s?map|variant|version)s?\b|\bmean[\s-]+(?:map|heat\s?map)s?\b", "AVG"),
    )
)
# "the second most important", "third least", "runner-up": a place in the ranking that is not
# one of its ends; the whole order answers it
_ORDINAL = re.compile(
    r"\b(?:second|third|fourth|fifth|sixth|seventh|eighth|2nd|3rd|[4-8]th|next)[\s-]+"
    r"(?:(?:most|least|highest|lowest|biggest|smallest|strongest|weakest|greatest|best|worst)\b"
    r"|(?:place|rank(?:ed)?|position)\b)"
    r"|\brunner[\s-]?up\b|\bnext\s+(?:after|behind)\b|\b(?:ranks?|ranked|came|comes|placed?)\s+"
    r"(?:second|third|fourth|fifth|2nd|3rd|[4-8]th)\b",
    _I,
)
# Importance levels run from 1 (most important) to 5: a high level is a low importance.
_LEVEL = re.compile(
    r"\b(?:(highest|largest|biggest|greatest|maximum|max|worst)|(lowest|smallest|minimum|min|best))"
    r"\s+(?:mean\s+|average\s+)?(?:importance\s+)?(?:level|rank(?:ing)?\s+number|level\s+number)s?\b"
    r"|\blevels?\s+(?:of\s+)?(5|five)\b|\blevels?\s+(?:of\s+)?(1|one)\b",
    _I,
)
_LEAST = re.compile(
    r"(?<!\bat )\bleast\b|\blowest\b|\bsmallest\b|\bweakest\b|\bminimal\b|\bminimum\b"
    r"|\bbottom\b|\bunimportant\b|\birrelevant\b|\binsignificant\b|\bnegligible\b"
    r"|\bless\s+(?:important|relevant|influential|useful|weight)"
    r"|\bnot\s+(?:very\s+|that\s+|really\s+)?(?:important|relevant|useful|matter)"
    r"|\b(?:no|little|hardly any)\s+(?:influence|effect|role|impact|weight)",
    _I,
)
_MOST = re.compile(
    r"\bmost\b|\bhighest\b|\bbiggest\b|\blargest\b|\bgreatest\b|\bstrongest\b|\bmain\b"
    r"|\bkey\b|\btop\b|\bprimar(?:y|ily)\b|\bmainly\b|\bcrucial\b|\bdecisive\b|\bdominant\b"
    r"|\bmaximum\b|\bchief(?:ly)?\b|\bleading\b|\bcentral\b|\bmore\s+than\s+any"
    r"|\b(?:ranks?|ranked|comes?|came|placed?)\s+first\b|\bnumber\s+one\b|\bfirst\s+place\b",
    _I,
)
# Question types: asking how/why something came about (a process), naming face parts in
# general, pointing at this comparison's own results, or asking what a term means.
_EXPLAIN = re.compile(
    r"\bwhy\b|\bhow\s+come\b|\breason(?:s|ing)?\b|\bgrounds\b|\bbasis\b|\bbased\s+on\b"
    r"|\bprocess\b|\bjustif\w+|\bwalk\s+me\s+through\b|\bby\s+what\s+(?:means|method)\b"
    r"|\bwhat\s+(?:led|leads)\s+to\b|\bhow\s+(?:do|did|can|could)\s+(?:you|they|we|it)\s+(?:know|tell)\b|\bhow\b(?:\s+[\w'-]+){0,6}?\s+(?:decid|reach|came|come\s+to|"
    r"arriv|comput|calculat|determin|obtain|deriv|estimat|assign|produc|generat|figur|"
    r"work(?:ed)?\s+out|got|get|made|make|done|lead|led)\w*",
    _I,
)
# Asking for the grounds of a result (beyond _EXPLAIN's how/why): what a verdict rests on
_GROUNDS = re.compile(
    r"\brational\w*|\bevidence\b|\bcriteri\w+|\blogic\b|\btip(?:s|ped)?\b|\bdeciding\b"
    r"|\bconvinc\w+|\bbehind\b|\bexplanation\b|\bexplain\w*|\bwhat\s+made\b|\bcaus\w+"
    r"|\b(?:what|which)\s+(?:\w+\s+)?(?:led|leads|lead)\b|\bdrawn\b|\brule\b|\bfollow\w*\s+from\b"
    r"|\bsupports?\b|\bbecause\b|\bmotivat\w+|\bhow\s+so\b|\bsteps?\b",
    _I,
)
# Asking how a value is computed (the method), not for the value
_COMPUTED = re.compile(
    r"formula|calculat|comput|deriv|calibrat|obtain|work(?:s|ed)?\s+out|\bturn\w*\b.*\binto\b"
    r"|convert|\bmap\w*\b.*\bto\b|method|procedure|algorithm|p_gen|p_imp|densit|distribution|\bkde\b"
    r"|kernel|bayes|comes?\s+from|based\s+on|produc|generat|\bget\b.*\bfrom\b|\bgo\s+from\b"
    r"|\bhow\b.*\b(?:get|got|made|make|work|determin|arriv|found|assign|set|quantif|measur|estimat)"
    r"|\bestimat\w*\s+(?:by|from|with|using)\b|\bwhere\b.*\bfrom\b|\bwhat\s+goes\s+into\b|\bbehind\b"
    r"|\bmath|equation|statistic|transform|translat|recipe|\bexplain\w*|\bhow\s+do\s+you\s+know\b"
    r"|\brather\s+than\b|techni|\bestimates\b|\bestimating\b",
    _I,
)
_PARTWORDS = re.compile(r"\b(?:features?|regions?|parts?\s+of\s+the\s+face|areas?|zones?|facial)\b", _I)
_INSTANCE = re.compile(r"\b(?:this|these|those|my|here|result|outcome|verdict|comparison)\b", _I)
_DEFINE = re.compile(
    r"\bmean(?:s|t|ing)?\b|\bstand\s+for\b|\bdefin\w+|\bdescrib\w*|\brefer\s+to\b"
    r"|\bthe\s+(?:term|concept|idea|purpose)\b|^\s*what\s*(?:is|are|'s|’s)\b"
    r"|\bwhat\s+(?:\w+\s+){1,5}(?:is|are)\s*[?.!]*\s*$",
    _I,
)
@dataclass(frozen=True)
class Slots:
    """What a question names. ``side`` is "A", "B", "pair", "other" or None."""

    regions: tuple[str, ...] = ()
    side: str | None = None
    method: str | None = None
    polarity: str | None = None
    unknown: tuple[str, ...] = ()
    spans: tuple[tuple[int, int, str], ...] = field(default=(), compare=False)
    topic: str | None = None  # set on resolved follow-ups: the previous answer's topic
    explain: bool = False  # asks how or why (a process), not for a value
    grounds: bool = False  # asks what a result rests on (explain, or "rationale", "evidence")
    computed: bool = False  # asks how a value is computed ("formula", "where does it come from")
    partwords: bool = False  # speaks of features, regions or parts of the face
    instance: bool = False  # points at this comparison ("this result") ...
    define: bool = False  # ... or asks what a term means
    words: tuple[str, ...] = ()  # the question's lower-case words
    ordinal: bool = False  # asks for a place in the ranking between its ends ("second most")

    @property
    def empty(self) -> bool:
        return not (self.regions or self.side or self.method or self.polarity)


def find_slots(text: str, vocabulary: frozenset[str] = frozenset()) -> Slots:
    """The slots of ``text``; ``vocabulary`` (lower-case tokens of the facts) marks what is known."""
    spans: list[tuple[int, int, str]] = []
    regions: list[str] = []
    taken = [False] * len(text)
    for pattern, names in _REGIONS:
        for m in pattern.finditer(text):
            if not any(taken[m.start():m.end()]):
                taken[m.start():m.end()] = [True] * (m.end() - m.start())
                regions += [n for n in names if n not in regions]
                spans.append((m.start(), m.end(), "region"))
    side = None
    for pattern, value in _SIDES:
        found = pattern.search(text)
        if found and side is None:
            side = (found.group(1) or found.group(2)) if value == "AB" else value
            spans.append((found.start(), found.end(), "side"))
    method = None
    for pattern, name in _METHODS:
        found = pattern.search(text)
        if found and method is None:
            method = name
            spans.append((found.start(), found.end(), "method"))
    polarity = None
    level = _LEVEL.search(text)
    if level:
        spans.append((level.start(), level.end(), "polarity"))
        polarity = "least" if level.group(1) or level.group(3) else "most"
    for pattern, value in (() if level else ((_LEAST, "least"), (_MOST, "most"))):
        found = pattern.search(text)
        if found:
            spans.append((found.start(), found.end(), "polarity"))
            # "from most to least important" asks for the whole order, not one end of it
            polarity = value if polarity is None else None
    explain = bool(_EXPLAIN.search(text))
    ordinal = bool(_ORDINAL.search(text))
    if ordinal:
        polarity = None
    return Slots(
        tuple(regions), side, method, polarity, unknown_terms(text, vocabulary), tuple(spans),
        explain=explain, partwords=bool(_PARTWORDS.search(text)),
        grounds=explain or bool(_GROUNDS.search(text)),
        computed=explain or bool(_COMPUTED.search(text)),
        instance=bool(_INSTANCE.search(text)), define=bool(_DEFINE.search(text)),
        words=tuple(tokens(text)), ordinal=ordinal,
    )
