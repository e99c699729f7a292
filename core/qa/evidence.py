"""Where an answer comes from, in a few words: "from: the region table (nose, both photos)".
Every answer carries the ids of the facts it used; this names their sources for people."""

from __future__ import annotations

from collections.abc import Iterable

from core.qa.facts import join_words

_WHERE = {"A": "photo 1", "B": "photo 2", "pair": "both photos"}
_SOURCES = {
    "decision": "the decision", "decision.reason": "the score and the threshold",
    "score": "the similarity score", "threshold": "the threshold and its calibration",
    "confidence": "the PIC-score", "pic": "the PIC-score",
    "confidence.method": "the PIC-score method", "outputs.images": "the output images",
    "faces": "the face detections", "timings": "the timings", "saliency.params": "the heatmap settings",
    "saliency.levels": "the importance method", "saliency.colours": "the colour map",
    "table.regions": "the region table", "regions.none": "the region table (none computed)",
}


def source(fact_id: str) -> str:
    """A short name for the source of one fact."""
    if fact_id in _SOURCES:
        return _SOURCES[fact_id]
    head, _, rest = fact_id.partition(".")
    if head == "region":
        side, _, region = rest.partition(".")
        return f"the region table ({region}, {_WHERE.get(side, side)})"
    if head == "ranking":
        side, _, end = rest.partition(".")
        return f"the region ranking ({end}, {_WHERE.get(side, side)})"
    if head == "method":
        return "the MinPlus method" if rest == "minplus" else f"the {rest} method"
    if head == "models":
        return f"the model record ({rest})"
    if head == "description":
        return "the attribute descriptions" + (f" ({_WHERE[rest]})" if rest in _WHERE else "")
    if head in ("glossary", "attribute"):
        return "the glossary"
    return fact_id


def evidence_line(fact_ids: Iterable[str]) -> str:
    """"from: the region table (nose, both photos)"; empty when nothing was used."""
    names = list(dict.fromkeys(source(f) for f in fact_ids))
    return f"from: {join_words(names)}" if names else ""
