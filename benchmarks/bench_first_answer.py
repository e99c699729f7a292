"""The first answer after a decision, through Telegram (the fake Bot API server, the real bot,
the real dialogue, models and QA engine), and the later answers, per comparison.

    FACEXPLAIN_DATA_DIR=... FACEXPLAIN_MODEL_DIR=../shared/models \
        python benchmarks/bench_first_answer.py --pairs 12

Each of ``--pairs`` LFW View 2 pairs (genuine and impostor alternate) is sent as two photos;
once the decision and the heatmaps are in, three questions are asked. Reports p50/p95 of the
time from pushing a question to its answer being delivered, for the first question about each
comparison and for the others, with the load average. Needs ``facexplain calibrate`` first.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.telegram.service import TelegramBot  # noqa: E402
from bot.composition import build_answerer, build_runner, build_store  # noqa: E402
from bot.dialogue import Dialogue, DialogueConfig  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from core.lfw import view2  # noqa: E402
from tests.adapters.fake_telegram import FakeTelegram  # noqa: E402
from tests.adapters.telegram_person import QUICK_SALIENCY, Person, config_for  # noqa: E402

QUESTIONS = ("How sure are you?", "Which region mattered most?", "and the nose?")


async def main(pairs: int, lfw: Path) -> dict[str, object]:
    tmp = Path(tempfile.mkdtemp(prefix="first-answer-"))
    settings = load_settings(database_url=f"sqlite:///{tmp / 'chat.db'}")
    runner = build_runner(settings, saliency=QUICK_SALIENCY, kind="threads")
    store = build_store(settings)
    dialogue = Dialogue(runner, store, build_answerer(settings), DialogueConfig(consent="on_first_photo"))
    await dialogue.warm_up()
    chosen = view2(lfw)
    chosen = [p for p in chosen if p.same][: pairs // 2 + 1] + [p for p in chosen if not p.same][: pairs // 2]
    first, later = [], []
    async with FakeTelegram() as fake, TelegramBot(config_for(fake), dialogue) as bot:
        for n, pair in enumerate(chosen[:pairs]):
            person = Person(fake, bot, dialogue, 5000 + n)
            await person.say("/start")
            album = [fake.photo((lfw / "deepfunneled" / p).read_bytes()) for p in (pair.a, pair.b)]
            await person.settle(*(fake.push_message(person.chat, person.user, photo=ph,
                                                    media_group_id=f"g{n}") for ph in album))
            for k, question in enumerate(QUESTIONS):
                start = time.perf_counter()
                replies = await person.say(question)
                ms = (time.perf_counter() - start) * 1000.0
                assert replies, question
                (first if k == 0 else later).append(ms)
    await dialogue.close()
    await runner.close()
    store.close()

    def pct(values: list[float]) -> dict[str, float]:
        return {"n": len(values), "p50": round(float(np.percentile(values, 50)), 1),
                "p95": round(float(np.percentile(values, 95)), 1)}

    return {"first_answer_ms": pct(first), "later_answers_ms": pct(later),
            "load_average": list(os.getloadavg())}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=12)
    parser.add_argument("--lfw-dir", type=Path, default=ROOT.parent / "shared" / "data" / "lfw")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.pairs, args.lfw_dir)), indent=2))
