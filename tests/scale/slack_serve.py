"""``facexplain serve slack --http`` as a process of its own against the fake Slack (see
``tests.scale.serve_process``)."""

from __future__ import annotations

from pathlib import Path

from tests.adapters.fake_slack import BOT_TOKEN, FakeSlack
from tests.adapters.slack_world import SECRET
from tests.scale.serve_process import ServeProcess, free_port, serve_env

__all__ = ["ServeSlack", "free_port"]
READY = "facexplain listens for Slack on"


class ServeSlack(ServeProcess):
    def __init__(self, fake: FakeSlack, data_dir: Path, database_url: str, port: int) -> None:
        env = serve_env(data_dir, database_url, job_runner="threads", job_workers="1",
                        shutdown_grace_s="10", slack_bot_token=BOT_TOKEN,
                        slack_signing_secret=SECRET)
        super().__init__(["slack", "--http", "--port", str(port), "--api-url", fake.api_url],
                         env, READY)
        self.fake, self.port = fake, port

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"
