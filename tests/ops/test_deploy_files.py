"""The deployment files say what docs/deploy.md promises: a slim multi-stage image that runs
as a non-root user with a health check, and a compose file with the bot, scalable workers,
a persistent Redis queue and PostgreSQL, wired together through the environment."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[2]


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    found = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            found.append((keyword.upper(), " ".join(rest.split())))
    return found


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_the_image_builds_in_two_stages_and_runs_as_an_unprivileged_user() -> None:
    steps = instructions()
    stages = [args for keyword, args in steps if keyword == "FROM"]
    assert stages == ["python:3.11-slim AS builder", "python:3.11-slim AS runtime"]
    runtime = steps[[k for k, _ in steps].index("FROM", 1):]
    assert ("COPY", "--from=builder /opt/venv /opt/venv") in runtime
    users = [args for keyword, args in runtime if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert [a for k, a in runtime if k == "HEALTHCHECK"][0].endswith('CMD ["facexplain", "health"]')
    assert [a for k, a in runtime if k == "CMD"] == ['["facexplain", "serve", "telegram"]']
    env = " ".join(a for k, a in runtime if k == "ENV")
    assert "FACEXPLAIN_MODEL_DIR=/models" in env and "FACEXPLAIN_DATA_DIR=/data" in env


def test_torch_comes_pinned_from_the_cpu_index_before_the_package() -> None:
    runs = [args for keyword, args in instructions() if keyword == "RUN"]
    torch = next(i for i, r in enumerate(runs) if "torch==2.13.0" in r)
    assert '--index-url "$TORCH_INDEX_URL"' in runs[torch]
    args = [a for keyword, a in instructions() if keyword == "ARG"]
    assert "TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu" in args
    package = next(i for i, r in enumerate(runs) if re.search(r'pip install "?\.\[', r))
    assert torch < package


def test_the_image_installs_only_extras_that_pyproject_defines() -> None:
    extras = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
                 ["optional-dependencies"])
    runs = [args for keyword, args in instructions() if keyword == "RUN"]
    named = [re.fullmatch(r"\.\[([\w,-]+)\]", word) for run in runs for word in shlex.split(run)]
    wanted = {extra for match in named if match for extra in match.group(1).split(",")}
    assert wanted == {"all", "cpu"}  # the parts scripts/setup installs, with the CPU runtime
    assert wanted <= extras


def test_compose_runs_the_bot_scalable_workers_redis_and_postgres() -> None:
    services = compose()["services"]
    assert set(services) == {"bot", "worker", "redis", "postgres"}
    assert services["bot"]["command"] == ["facexplain", "serve", "telegram"]
    assert services["worker"]["command"][:2] == ["facexplain", "worker"]
    # --scale worker=N needs a worker without a fixed name or published host port
    assert "container_name" not in services["worker"] and "ports" not in services["worker"]
    for app in ("bot", "worker"):
        env = services[app]["environment"]
        assert env["FACEXPLAIN_JOB_RUNNER"] == "celery"
        assert env["FACEXPLAIN_REDIS_URL"] == "redis://redis:6379/0"
        assert env["FACEXPLAIN_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert env["FACEXPLAIN_DATABASE_URL"].endswith("@postgres:5432/facexplain")
        assert env["FACEXPLAIN_MODEL_DIR"] == "/models"
        assert any(v.endswith(":/models:ro") for v in services[app]["volumes"])
        assert services[app]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "env_file" not in services["worker"]  # the bot's secrets stay with the bot


def test_redis_keeps_queued_jobs_across_a_restart_and_postgres_its_data() -> None:
    services, volumes = compose()["services"], compose()["volumes"]
    redis = services["redis"]
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--maxmemory-policy") + 1] == "noeviction"
    assert "redis-data:/data" in redis["volumes"] and "redis-data" in volumes
    postgres = services["postgres"]
    assert "postgres-data:/var/lib/postgresql/data" in postgres["volumes"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert "postgres-data" in volumes


def test_dockerignore_keeps_the_virtualenv_secrets_and_tests_out_of_the_context() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".env", "tests", "models"} <= ignored
