"""The question bank (data/qa/bank/): wordings per intent, two-turn follow-ups, and the frozen
train / dev / test split (data/qa/split.json) made once by a seeded shuffle.

A wording file ``<intent>.txt`` holds one question a line, optionally followed by ``|| key=value;
...`` slots (``region=nose``, ``side=A``, ``method=S1+``, ``fact=threshold``). ``followups.txt``
holds ``question => facts | follow-up => facts`` lines (``kind:out_of_scope`` instead of facts
expects a kind of reply). Items are named by a hash of their text, so adding wordings never
moves an old one to another split.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from core.resources import qa_data

QA_DATA = qa_data()
BANK_DIR = QA_DATA / "bank"
SPLIT_FILE = QA_DATA / "split.json"
SPLITS = ("train", "dev", "test")

# intent -> the evaluation family (the paper's Table 2 families, then ours)
FAMILIES = {
    "decision": "decision", "reasoning": "reasoning", "confidence_value": "confidence",
    "confidence_method": "pic_method", "region_importance": "region_importance",
    "most_important": "most_least", "least_important": "most_least",
    "output_images": "output_images", "xai": "xai", "method_definition": "methods",
    "technical": "technical", "glossary": "glossary", "attributes": "attributes",
    "oos_identity": "out_of_scope", "oos_emotion": "out_of_scope",
    "oos_age_gender": "out_of_scope", "oos_advice": "out_of_scope", "chitchat": "out_of_scope",
    "hostile": "hostile", "unsupported": "unsupported", "followup": "follow_up",
}
OUT_OF_SCOPE = ("oos_identity", "oos_emotion", "oos_age_gender", "oos_advice", "chitchat")
KIND_OF = {**{i: "out_of_scope" for i in OUT_OF_SCOPE}, "hostile": "refusal", "unsupported": "unknown"}
# wording files that are not intents of the classifier (other parts of the engine answer them)
NOT_INTENTS = ("hostile", "unsupported", "followups")


@dataclass(frozen=True)
class Turn:
    q: str
    expect: tuple[str, ...] = ()
    expect_kind: tuple[str, ...] = ()


@dataclass(frozen=True)
class BankItem:
    id: str
    intent: str  # "followup" for dialogues
    family: str
    turns: tuple[Turn, ...]
    slots: dict[str, str] = field(default_factory=dict)
    split: str = ""


def expected_facts(intent: str, slots: dict[str, str]) -> tuple[str, ...]:
    """The facts that answer a single question of ``intent`` with ``slots``."""
    side = slots.get("side", "pair")
    if "fact" in slots:
        return (slots["fact"],)
    if intent == "region_importance":
        return tuple(f"region.{side}.{r.strip()}" for r in slots["region"].split(","))
    if intent in ("most_important", "least_important"):
        return (f"ranking.{side}.{intent.split('_')[0]}",)
    if intent == "method_definition":
        method = slots.get("method", "MinPlus")
        return ("method.minplus",) if method == "MinPlus" else (f"method.{method}",)
    if intent == "attributes":
        return (f"description.{slots['side']}",) if "side" in slots else (
            "description.A", "description.B", "description.none")
    return {
        "decision": ("decision",), "reasoning": ("decision.reason",),
        "confidence_value": ("confidence", "pic"), "confidence_method": ("confidence.method",),
        "output_images": ("outputs.images",), "xai": ("glossary.xai",),
    }.get(intent, ())


def _id(prefix: str, text: str) -> str:
    return f"{prefix}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:8]}"


def _lines(path: Path) -> list[str]:
    return [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.lstrip().startswith("#")]


def _slots(text: str) -> tuple[str, dict[str, str]]:
    q, _, rest = text.partition("||")
    pairs = (p.split("=", 1) for p in rest.split(";") if "=" in p)
    return q.strip(), {k.strip(): v.strip() for k, v in pairs}


def _turn(text: str) -> Turn:
    q, _, want = (p.strip() for p in text.partition("=>"))
    if want.startswith("kind:"):
        return Turn(q, expect_kind=(want[5:],))
    return Turn(q, tuple(w.strip() for w in want.split(",")))


def read_bank(folder: Path = BANK_DIR, split_file: Path | None = SPLIT_FILE) -> list[BankItem]:
    """Every item of the bank, with its split from ``split_file`` when there is one."""
    items: list[BankItem] = []
    for path in sorted(folder.glob("*.txt")):
        intent = path.stem
        for line in _lines(path):
            if intent == "followups":
                turns = tuple(_turn(part) for part in line.split("|"))
                items.append(BankItem(_id("followup", line), "followup", "follow_up", turns))
                continue
            q, slots = _slots(line)
            kind = KIND_OF.get(intent)
            turn = Turn(q, expect_kind=(kind,)) if kind else Turn(q, expected_facts(intent, slots))
            items.append(BankItem(_id(intent, q), intent, FAMILIES[intent], (turn,), slots))
    if split_file is not None and split_file.is_file():
        splits = json.loads(split_file.read_text(encoding="utf-8"))["items"]
        items = [BankItem(i.id, i.intent, i.family, i.turns, i.slots, splits.get(i.id, "new"))
                 for i in items]
    return items


def make_split(items: list[BankItem], seed: int = 12, shares: tuple[float, float] = (0.6, 0.2)
               ) -> dict[str, str]:
    """A seeded shuffle inside each intent: 60% train, 20% dev, 20% test."""
    import numpy as np

    rng = np.random.default_rng(seed)
    out: dict[str, str] = {}
    for intent in sorted({i.intent for i in items}):
        ids = sorted(i.id for i in items if i.intent == intent)
        order = [ids[k] for k in rng.permutation(len(ids))]
        n_train = round(len(ids) * shares[0])
        n_dev = round(len(ids) * shares[1])
        for k, item_id in enumerate(order):
            out[item_id] = "train" if k < n_train else "dev" if k < n_train + n_dev else "test"
    return out
