"""The grounded mode on the question sets it may be tuned with, the intent classifier fitted on
the bank's TRAIN split only (``facexplain eval qa`` fits it on train + dev): the bank's dev
split, ``data/qa/questions.jsonl`` and the probe sets. It refuses the test split.

    python benchmarks/qa_dev.py                       # dev + questions.jsonl + probes
    python benchmarks/qa_dev.py --sets dev --wrong    # and every wrong answer

Prints the share right on the first try per set and family, as ``facexplain eval qa`` counts it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from core.comparison import Comparison  # noqa: E402
from core.qa.encoder import SentenceTransformerEncoder  # noqa: E402
from core.qa.engine import QAConfig, QAEngine  # noqa: E402
from core.qa.evaluate import Item, load_bank, load_questions, run, summarize  # noqa: E402

QA = ROOT / "data" / "qa"


def question_sets(names: list[str]) -> dict[str, list[Item]]:
    sets: dict[str, list[Item]] = {}
    for name in names:
        if name == "test":
            raise SystemExit("tune on train or dev only")
        if name in ("train", "dev"):
            sets[name] = load_bank([name])
        else:
            path = Path(name) if Path(name).is_file() else QA / name
            sets[path.stem] = load_questions(path)
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = ["dev", "questions.jsonl", *sorted(p.name for p in QA.glob("probe-*.jsonl"))]
    parser.add_argument("--sets", nargs="+", default=default)
    parser.add_argument("--comparison", type=Path, nargs="+",
                        default=sorted((QA / "lfw").glob("*.json")))
    parser.add_argument("--wrong", action="store_true", help="print every wrong answer")
    args = parser.parse_args()
    sets = question_sets(args.sets)
    comparisons = {p.stem: Comparison.load(p) for p in args.comparison}
    engine = QAEngine(SentenceTransformerEncoder(threads=1), config=QAConfig(intent_splits=("train",)))
    engine.warm_up()
    for name, items in sets.items():
        summary = summarize(run({"grounded": (engine, "grounded")}, items, comparisons))["grounded"]
        total = summary["overall"]
        print(f"{name}: {total['accuracy']:.1%} ({total['correct']}/{total['n']})")
        for family, rate in sorted(summary["families"].items()):
            print(f"    {family:18} {rate['accuracy']:.1%} ({rate['correct']}/{rate['n']})")
        if args.wrong:
            seen = set()
            for wrong in summary["wrong"]:
                bad = next(t for t in wrong["turns"] if not t["ok"])
                key = (wrong["id"], tuple(bad["got"]))
                if key not in seen:
                    seen.add(key)
                    print(f"  x {wrong['comparison']:16} {bad['q']!r} want {bad['expected']} "
                          f"got {bad['got']} {bad['kind']} (resolved {bad['resolved']!r})")


if __name__ == "__main__":
    main()
