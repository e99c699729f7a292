"""Tune the paper mode's threshold, sub-context size k, order and answer (span or its
sentences) on the bank's DEV split (never the test split): every reader call is remembered,
so each setting costs only what it adds.

    python benchmarks/tune_paper.py --reader ~/.local/share/facexplain/qa-reader
    python benchmarks/tune_paper.py --reader DIR --orders sub --ks 1 --thresholds 0 --why

Prints, per setting, the share right on the first try (as ``facexplain eval qa`` counts it, on
the four LFW comparisons by default), then the families of the best setting and, with
``--why``, what went wrong in each of its wrong turns: the sentence ranking left the answer's
sentence out of the sub-context ("retrieval"), the reader picked another sentence ("sentence"),
the right sentence but a span without the answer ("span"), or another kind of reply ("kind").
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from core.comparison import Comparison  # noqa: E402
from core.qa.encoder import SentenceTransformerEncoder  # noqa: E402
from core.qa.engine import QAConfig, QAEngine  # noqa: E402
from core.qa.evaluate import Outcome, load_bank, run, summarize  # noqa: E402
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


def why(outcomes: list[Outcome], engine: QAEngine, comparisons: dict[str, Comparison],
        k: int) -> Counter[tuple[str, str]]:
    """(family, cause) of every wrong turn, with the cause as the module docstring names it."""
    from core.qa.paper import nearest

    causes: Counter[tuple[str, str]] = Counter()
    for o in outcomes:
        if o.correct:
            continue
        index = engine.index(comparisons[o.comparison])
        for turn, answer, ok in zip(o.item.turns, o.answers, o.turn_ok, strict=False):
            if ok:
                continue
            if not turn.expect or answer.kind != "answer":
                causes[(o.item.family, f"kind ({answer.kind})")] += 1
                break
            query = engine.encoder.encode([answer.resolved_question])[0]
            vectors = engine._cache.vectors([f.text for f in index.facts])
            near = {f.id for f in nearest(index, query, k, vectors, engine._typical_questions())}
            if not near & set(turn.expect):
                cause = "retrieval"
            elif not set(answer.fact_ids) & set(turn.expect):
                cause = "sentence"
            else:
                cause = "span"
            causes[(o.item.family, cause)] += 1
            break
    return causes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reader", type=Path, required=True)
    parser.add_argument("--comparison", type=Path, action="append",
                        help="repeatable [default: the four in data/qa/lfw]")
    parser.add_argument("--split", default="dev")
    parser.add_argument("--thresholds", default="0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.01")
    parser.add_argument("--ks", default="1,2,3,4,5")
    parser.add_argument("--orders", default="sub,whole")
    parser.add_argument("--answers", default="sentence", help="sentence, span or both")
    parser.add_argument("--why", action="store_true", help="the causes of the best's wrong turns")
    parser.add_argument("--no-scope", action="store_true",
                        help="no out-of-scope check before the reader (the paper's pipeline)")
    parser.add_argument("--no-typical", action="store_true",
                        help="rank sentences without the bank's wordings as typical questions")
    args = parser.parse_args()
    if args.split == "test":
        parser.error("tune on train or dev only")
    items = load_bank([args.split])
    paths = args.comparison or sorted((ROOT / "data/qa/lfw").glob("*.json"))
    comparisons = {p.stem: Comparison.load(p) for p in paths}
    encoder = SentenceTransformerEncoder(threads=1)
    reader = Remembered(HFReader(args.reader))
    # the scope check's intent model learns from the train split only here, so that the dev
    # figures of out-of-scope questions are not of wordings it learnt (the product: train + dev)
    base = QAEngine(encoder, reader, QAConfig(intent_splits=("train",)))
    base.warm_up()
    results: list[tuple[float, QAConfig, dict[str, Any], list[Outcome]]] = []
    settings = itertools.product(args.answers.split(","), args.orders.split(","),
                                 (int(k) for k in args.ks.split(",")),
                                 (float(t) for t in args.thresholds.split(",")))
    for answer, first, k, threshold in settings:
        config = replace(base.config, mode="paper", paper_threshold=threshold,
                         paper_sentences=k, paper_first=first, paper_answer=answer,
                         paper_scope=not args.no_scope, paper_typical=not args.no_typical)
        engine = base.using(reader)
        engine.config = config
        outcomes = run({"paper": (engine, "paper")}, items, comparisons)
        summary = summarize(outcomes)["paper"]
        results.append((summary["overall"]["accuracy"], config, summary, outcomes))
        print(f"answer={answer:8s} first={first:5s} k={k} threshold={threshold:.2f}: "
              f"{summary['overall']['correct']}/{summary['overall']['n']} "
              f"({summary['overall']['accuracy']:.1%})", flush=True)
    best = max(results, key=lambda r: r[0])
    config = best[1]
    print(f"\nbest on {args.split}: answer={config.paper_answer} first={config.paper_first} "
          f"k={config.paper_sentences} threshold={config.paper_threshold}")
    for family, rate in best[2]["families"].items():
        print(f"  {family:18s} {rate['correct']:3d}/{rate['n']:3d} {rate['accuracy']:.1%}")
    if args.why:
        engine = base.using(reader)
        engine.config = config
        print("\nwrong turns by cause:")
        for (family, cause), n in sorted(why(best[3], engine, comparisons,
                                             config.paper_sentences).items()):
            print(f"  {family:18s} {cause:16s} {n}")


if __name__ == "__main__":
    main()
