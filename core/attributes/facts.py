"""Descriptions as facts for the QA engine.

The summary sentence ("The template of photo 1 (A) encodes: man, eyeglasses (reliable);
smiling (unreliable for this model).") comes from the engine's own builder once
``Description.to_dict()`` is stored in ``Comparison.descriptions[side]``; the facts here add
one sentence per attribute (its score and how reliable it is) and one about the method, and
are passed to the engine as ``extra`` facts.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.attributes.describe import RELIABLE_AUC, Description
from core.attributes.model import METHOD_NAMES
from core.qa.facts import Fact, fmt_number, photo_name


def attribute_facts(description: Description, side: str) -> list[Fact]:
    """Per-attribute facts of one photo's description (ids ``attributes.<side>.<key>``)."""
    name = photo_name(side)
    facts = []
    for r in description.readings:
        auc = f" (AUC {fmt_number(r.auc)} on held-out people)" if r.auc is not None else ""
        text = (f"For {name}, the attribute {r.label} scores {fmt_number(r.score)}; "
                f"for this recognizer {r.label} is {r.reliability}{auc}.")
        facts.append(Fact(f"attributes.{side}.{r.key}", "description", text, r.label,
                          keys=(f"the score of {r.label}", f"how reliable {r.label} is"),
                          side=side))
    method = METHOD_NAMES.get(description.method, description.method)
    facts.append(Fact(
        f"attributes.{side}.method", "description",
        f"The attributes of {name} were read from its face template by the {method}, trained "
        f"for this recognizer; an attribute counts as reliable when its AUC on people not seen "
        f"in training is at least {fmt_number(RELIABLE_AUC)}.", method,
        keys=("how the attribute descriptions were computed", "what reliable means"), side=side))
    return facts


def facts_for(descriptions: dict[str, Description]) -> list[Fact]:
    """Facts for several photos ({"A": ..., "B": ...})."""
    out: Iterable[Fact] = (f for side, d in descriptions.items() for f in attribute_facts(d, side))
    return list(out)
