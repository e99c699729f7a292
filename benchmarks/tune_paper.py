"""Tune the paper mode's threshold, sub-context size k and order on the bank's DEV split (never
the test split): every reader call is remembered, so each setting costs only what it adds.

    python benchmarks/tune_paper.py --reader ~/.local/share/facexplain/qa-reader \
        --comparison data/qa/lfw/false-match.json

Prints, per setting, the share right on the first try (as ``facexplain eval qa`` counts it),
then the families of the best setting and the share of questions that needed a second read.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from core.comparison import Comparison  # noqa: E402
from core.qa.encoder import SentenceTransformerEncoder  # noqa: E402
from core.qa.engine import QAConfig, QAEngine  # noqa: E402
from core.qa.evaluate import load_bank, run, summarize  # noqa: E402
from core.qa.index import IndexCache  # noqa: E402
from core.qa.reader import HFReader, Span  # noqa: E402


class Remembered:
    """A reader that answers each (question, context) once."""

    def __init__(self, reader: HFReader) -> None:
        self.reader, self.seen = reader, dict[tuple[str, str], Span]()

    def read(self, question: str, context: str) -> Span:
        key = (question, context)
        if key not in self.seen:
            self.seen[key] = self.reader.read(question, context)
        return self.seen[key]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reader", type=Path, required=True)
    parser.add_argument("--comparison", type=Path, default=ROOT / "data/qa/lfw/false-match.json")
    parser.add_argument("--split", default="dev")
    parser.add_argument("--thresholds", default="0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.01")
    parser.add_argument("--ks", default="1,2,3,4,5")
    parser.add_argument("--orders", default="sub,whole")
    args = parser.parse_args()
    if args.split == "test":
        parser.error("tune on train or dev only")
    items = load_bank([args.split])
    comparison = {args.comparison.stem: Comparison.load(args.comparison)}
    cache = IndexCache(SentenceTransformerEncoder(threads=1))
    reader = Remembered(HFReader(args.reader))
    results = []
    settings = itertools.product(args.orders.split(","), (int(k) for k in args.ks.split(",")),
                                 (float(t) for t in args.thresholds.split(",")))
    for first, k, threshold in settings:
        config = QAConfig(mode="paper", paper_threshold=threshold, paper_sentences=k,
                          paper_first=first)
        engine = QAEngine(cache, reader, config)
        summary = summarize(run({"paper": (engine, "paper")}, items, comparison))["paper"]
        results.append((summary["overall"]["accuracy"], first, k, threshold, summary))
        print(f"first={first:5s} k={k} threshold={threshold:.2f}: "
              f"{summary['overall']['correct']}/{summary['overall']['n']} "
              f"({summary['overall']['accuracy']:.1%})", flush=True)
    best = max(results, key=lambda r: r[0])
    print(f"\nbest on {args.split}: first={best[1]} k={best[2]} threshold={best[3]}")
    for family, rate in best[4]["families"].items():
        print(f"  {family:18s} {rate['correct']:3d}/{rate['n']:3d} {rate['accuracy']:.1%}")


if __name__ == "__main__":
    main()
