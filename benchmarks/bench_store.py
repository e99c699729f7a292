"""The conversation store: answered questions per second (each one a turn plus its audit
event, committed together) with several writers at once, and the time to verify the chain.

    python benchmarks/bench_store.py --backend sqlite --writers 4 --turns 100
    python benchmarks/bench_store.py --backend postgresql --writers 4 --turns 100

SQLite: a fresh file in a temporary folder. PostgreSQL: a fresh schema in a throw-away
database on the server at $FACEXPLAIN_TEST_POSTGRES_URL (default 127.0.0.1:5432), dropped after.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the test helpers (tests/databases.py) are not installed

from bot.store.config import StoreConfig  # noqa: E402
from bot.store.migrate import upgrade_to_head  # noqa: E402
from bot.store.repository import Store  # noqa: E402
from tests.databases import TEST_KEY, database_url  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--turns", type=int, default=100, help="turns per writer")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = database_url(args.backend, Path(folder))
        upgrade_to_head(url)
        with Store(StoreConfig(url, TEST_KEY)) as store:
            chats = [store.start_conversation(store.ensure_user("bench", f"u{n}"), "c")
                     for n in range(args.writers)]

            def write(chat: int) -> None:
                for n in range(args.turns):
                    store.add_turn(chat, f"question {n}", f"answer {n}", fact_ids=["decision"],
                                   confidence=0.9, latency_ms=12.0, mode="extractive")

            threads = [threading.Thread(target=write, args=(chat,)) for chat in chats]
            start = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - start
            start = time.perf_counter()
            result = store.verify_audit()
            verify_s = time.perf_counter() - start
    total = args.writers * args.turns
    print(f"{args.backend}: {total} turns by {args.writers} writers in {elapsed:.2f} s "
          f"= {total / elapsed:.0f} turns/s ({1000 * elapsed / total:.1f} ms each)")
    print(f"verify: {result.events} events in {verify_s:.3f} s, chain ok = {result.ok}")


if __name__ == "__main__":
    main()
