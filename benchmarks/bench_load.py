"""Load benchmark: many Telegram users against the bot and 1, then 2, Celery workers.

    python benchmarks/bench_load.py --users 8 --workers 1,2 --out runs/load.json
    python benchmarks/bench_load.py --users 12 --runner processes   # the default runner

Runs the real processes: the fake Bot API server (tests/adapters/fake_telegram.py) in this
process, ``facexplain serve telegram`` pointed at it, and ``facexplain worker`` processes on
Redis (``--redis``, database 13 by default, flushed first); with ``--runner processes`` the
bot's own worker processes instead (``--workers`` is then their number, 2 by default). Each simulated user agrees to the
privacy note, sends a photo pair from LFW View 2 (genuine and impostor alternate) and asks
``--questions`` questions once the heatmaps arrive. Reports comparisons per minute, p50/p95
time from the second photo to the decision and to the heatmaps, answers per second, the peak
memory (VmHWM) of every worker process, errors, "busy" replies (a user told so sends the photo
again after the wait it was given), and whether any reply was lost or duplicated.
Needs ``facexplain calibrate`` first (the default data directory's calibration is used).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.lfw import view2  # noqa: E402
from tests.adapters.fake_telegram import FakeTelegram, Request  # noqa: E402

QUESTIONS = ("How sure are you?", "Which region mattered most?", "and the nose?",
             "Why did you decide that?")
SUGGESTIONS = "You can ask me, for example:"
BUSY = "I am busy"
RETRY_S = 5.0
FACEXPLAIN = str(Path(sys.executable).with_name("facexplain"))


def plain(request: Request) -> str:
    return html.unescape(re.sub(r"</?(b|pre|i|code)>", "", request.text))


def redis_flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def wait_for_line(log: Path, needle: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.is_file() and needle in log.read_text(errors="replace"):
            return
        time.sleep(0.2)
    raise TimeoutError(f"{log.name}: no '{needle}' within {timeout:.0f} s")


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def peak_memory_mb(pids: list[int]) -> dict[str, float]:
    """VmHWM (peak resident memory) of each worker's main process and its pool processes."""
    peaks = {}
    for i, pid in enumerate(pids):
        for j, each in enumerate([pid, *children(pid)]):
            status = Path(f"/proc/{each}/status").read_text()
            kb = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
            peaks[f"worker{i}" + ("" if j == 0 else f".pool{j}")] = round(kb / 1024, 1)
    return peaks


@dataclass
class User:
    fake: FakeTelegram
    number: int
    photos: tuple[bytes, bytes]
    times: dict[str, float] = field(default_factory=dict)
    answer_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    busy: int = 0

    def __post_init__(self) -> None:
        self.user = self.fake.user(700_000 + self.number, f"User{self.number}")
        self.chat = self.fake.private_chat(self.user)

    def seen(self) -> list[Request]:
        return self.fake.delivered(self.chat["id"])

    async def until(self, test: Any, since: int, timeout: float, what: str) -> Request:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for r in self.seen()[since:]:
                if test(r):
                    return r
            await asyncio.sleep(0.05)
        raise TimeoutError(f"user {self.number}: no {what} within {timeout:.0f} s")

    async def talk(self, questions: int, timeout: float) -> None:
        say = self.fake.push_message
        try:
            n = len(self.seen())
            say(self.chat, self.user, text="/start",
                entities=[{"type": "bot_command", "offset": 0, "length": 6}])
            await self.until(lambda r: "reply_markup" in r.params, n, timeout, "consent button")
            n = len(self.seen())
            self.fake.push_button(self.chat, self.user, "consent|yes")
            await self.until(lambda r: "Thank you" in plain(r), n, timeout, "thanks")
            n = len(self.seen())
            say(self.chat, self.user, photo=self.fake.photo(self.photos[0]))
            await self.until(lambda r: "Got it" in plain(r), n, timeout, "first photo reply")
            n = len(self.seen())
            self.times["sent"] = time.monotonic()
            say(self.chat, self.user, photo=self.fake.photo(self.photos[1]))
            while True:  # a busy reply: send the second photo again after the wait it names
                got = await self.until(lambda r: plain(r).startswith("Decision")
                                       or plain(r).startswith(BUSY), n, timeout, "decision")
                if not plain(got).startswith(BUSY):
                    break
                self.busy += 1
                await asyncio.sleep(RETRY_S)
                n = len(self.seen())
                say(self.chat, self.user, photo=self.fake.photo(self.photos[1]))
            self.times["decision"] = time.monotonic()
            await self.until(lambda r: r.method == "sendPhoto", n, timeout, "heatmaps")
            self.times["heatmaps"] = time.monotonic()
            await self.until(lambda r: plain(r).startswith(SUGGESTIONS), n, timeout, "suggestions")
            for question in QUESTIONS[:questions]:
                n, asked = len(self.seen()), time.monotonic()
                self.times.setdefault("first_question", asked)
                say(self.chat, self.user, text=question)
                await self.until(lambda r: r.method == "sendMessage"
                                 and not plain(r).startswith(SUGGESTIONS), n, timeout, "answer")
                self.answer_s.append(time.monotonic() - asked)
            self.times["done"] = time.monotonic()
        except TimeoutError as exc:
            self.errors.append(str(exc) + " | seen: " + " || ".join(plain(r)[:120] for r in self.seen()))

    def tally(self) -> dict[str, int]:
        """Replies that must come exactly once: the decision, the collage, the table."""
        seen = [r for r in self.seen() if r.method != "editMessageText"]
        return {"decision": sum(plain(r).startswith("Decision") for r in seen),
                "heatmaps": sum(r.method == "sendPhoto" for r in seen),
                "table": sum(plain(r).startswith("Region table") for r in seen)}


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            cwd=ROOT, start_new_session=True)


async def one_run(args: argparse.Namespace, workers: int, pairs: list[tuple[bytes, bytes]],
                  folder: Path) -> dict[str, Any]:
    celery = args.runner == "celery"
    if celery:
        redis_flush(args.redis)
    fake = FakeTelegram()
    fake.start_thread()
    env = {**os.environ, "FACEXPLAIN_JOB_RUNNER": args.runner, "FACEXPLAIN_REDIS_URL": args.redis,
           "FACEXPLAIN_JOB_QUEUE": args.queue, "FACEXPLAIN_JOB_WORKERS": str(workers),
           "FACEXPLAIN_DATABASE_URL": f"sqlite:///{folder}/chat-{workers}.db",
           "FACEXPLAIN_TELEGRAM_TOKEN": fake.token, "FACEXPLAIN_TELEGRAM_POLL_TIMEOUT_S": "0.5",
           "FACEXPLAIN_TELEGRAM_RATE_PER_MINUTE": "600",
           "C_FORCE_ROOT": "1"}  # this sandbox runs as root; the Docker image does not
    nice = ["--nice", "10"] if args.decisions_worker else []
    procs = [start([FACEXPLAIN, "worker", "--concurrency", "1", *nice,
                    "--name", f"bench{i}@%h"], env, folder / f"worker{i}-{workers}.log")
             for i in range(workers if celery else 0)]
    if celery and args.decisions_worker:  # one more, for decisions only
        procs.append(start([FACEXPLAIN, "worker", "--concurrency", "1", "--lanes", "decisions",
                            "--name", "bench-decisions@%h"], env,
                           folder / f"worker{len(procs)}-{workers}.log"))
    bot = start([FACEXPLAIN, "serve", "telegram", "--base-url",
                 fake.base_url], env, folder / f"bot-{workers}.log")
    try:
        for i in range(len(procs)):
            wait_for_line(folder / f"worker{i}-{workers}.log", "ready", 300)
        wait_for_line(folder / f"bot-{workers}.log", "is running on Telegram", 300)
        users = [User(fake, i, pairs[i % len(pairs)]) for i in range(args.users)]
        began = time.monotonic()
        await asyncio.gather(*(u.talk(args.questions, args.timeout) for u in users))
        wall = time.monotonic() - began
        memory = peak_memory_mb([p.pid for p in procs] if celery else children(bot.pid))
        await asyncio.sleep(2)  # late duplicates would arrive now
    finally:
        for p in (bot, *procs):
            p.terminate()
        for p in (bot, *procs):
            try:
                p.wait(60)
            except subprocess.TimeoutExpired:
                p.kill()
        fake.stop_thread()
    return {"runner": args.runner, "decisions_worker": bool(celery and args.decisions_worker),
            **summarise(users, workers, wall, memory)}


def pct(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 2) if values else None


def summarise(users: list[User], workers: int, wall: float,
              memory: dict[str, float]) -> dict[str, Any]:
    done = [u for u in users if "heatmaps" in u.times]
    decision = [u.times["decision"] - u.times["sent"] for u in users if "decision" in u.times]
    heatmaps = [u.times["heatmaps"] - u.times["sent"] for u in done]
    answers = [a for u in users for a in u.answer_s]
    first = min((u.times["sent"] for u in users if "sent" in u.times), default=0.0)
    last = max((u.times["heatmaps"] for u in done), default=first)
    tallies = [u.tally() for u in users]
    asked_start = min((u.times["first_question"] for u in users if "first_question" in u.times),
                      default=0.0)
    asked_end = max((u.times["done"] for u in users if "done" in u.times), default=0.0)
    return {
        "workers": workers, "users": len(users), "wall_s": round(wall, 1),
        "comparisons_per_minute": round(60 * len(done) / (last - first), 2) if last > first else None,
        "decision_s": {"p50": pct(decision, 50), "p95": pct(decision, 95)},
        "heatmaps_s": {"p50": pct(heatmaps, 50), "p95": pct(heatmaps, 95)},
        "answers": len(answers),
        "answer_s": {"p50": pct(answers, 50), "p95": pct(answers, 95)},
        # answers over the span from the first question asked to the last answer received
        "answers_per_second": round(len(answers) / (asked_end - asked_start), 2)
        if answers and asked_end > asked_start else None,
        "peak_memory_mb": memory,
        "errors": [e for u in users for e in u.errors],
        "busy_replies": sum(u.busy for u in users),
        "lost": sum(v == 0 for t in tallies for v in t.values()),
        "duplicated": sum(v > 1 for t in tallies for v in t.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--runner", choices=("celery", "processes"), default="celery")
    parser.add_argument("--workers", default=None,
                        help="worker counts to run, comma-separated (celery: 1,2; processes: 2)")
    parser.add_argument("--queue", default="facexplain-bench", help="the Celery queue's name")
    parser.add_argument("--decisions-worker", action="store_true",
                        help="celery: also run a worker that takes decisions only")
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600.0, help="per step, seconds")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--lfw-dir", type=Path, default=ROOT.parent / "shared" / "data" / "lfw")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--logs", type=Path, default=None,
                        help="keep the bot's and workers' logs (and the store) in this folder")
    args = parser.parse_args()
    args.workers = args.workers or ("1,2" if args.runner == "celery" else "2")
    root = args.lfw_dir / "deepfunneled"
    chosen = view2(args.lfw_dir)[:: 300][: args.users]  # genuine and impostor pairs alike
    pairs = [((root / p.a).read_bytes(), (root / p.b).read_bytes()) for p in chosen]
    results = []
    with tempfile.TemporaryDirectory(prefix="fx-load-") as tmp:
        logs = args.logs or Path(tmp)
        logs.mkdir(parents=True, exist_ok=True)
        for n in (int(x) for x in args.workers.split(",")):
            result = asyncio.run(one_run(args, n, pairs, logs))
            print(json.dumps(result, indent=2), flush=True)
            results.append(result)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
