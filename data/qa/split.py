"""Freeze the question bank's train / dev / test split (run once, before any tuning).

    python data/qa/split.py            # writes data/qa/split.json (seed 12, 60/20/20 per intent)
    python data/qa/split.py --new-to train   # wordings added after tuning began: train only

Items already in split.json keep their split; only new items are assigned (with the same
seeded shuffle over the new ones), so the test split never changes after it is committed.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter

from core.qa.bank import SPLIT_FILE, make_split, read_bank

SEED = 12


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--new-to", choices=("train", "dev", "test"),
                        help="put every new item in this split instead of shuffling it in")
    args = parser.parse_args()
    old = json.loads(SPLIT_FILE.read_text(encoding="utf-8"))["items"] if SPLIT_FILE.is_file() else {}
    items = [i for i in read_bank(split_file=None) if i.id not in old]
    new = {i.id: args.new_to for i in items} if args.new_to else make_split(items, SEED)
    splits = {**old, **new}
    SPLIT_FILE.write_text(json.dumps({"seed": SEED, "items": dict(sorted(splits.items()))},
                                     indent=0) + "\n", encoding="utf-8")
    print(Counter(splits.values()))


if __name__ == "__main__":
    main()
