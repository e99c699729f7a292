"""`facexplain health`: a JSON report of settings, model files, database and Redis, exit 0
when all pass and 1 otherwise, naming what is missing without leaking passwords."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli.main import cli


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "models"
    (folder / "buffalo_s").mkdir(parents=True)
    (folder / "buffalo_s" / "det_500m.onnx").write_bytes(b"onnx")
    (folder / "mobilefacenet_128d.onnx").write_bytes(b"onnx")
    return folder


def health(monkeypatch: pytest.MonkeyPatch, **env: str) -> tuple[int, dict[str, Any]]:
    for name, value in env.items():
        monkeypatch.setenv(f"FACEXPLAIN_{name.upper()}", value)
    result = CliRunner().invoke(cli, ["health"])
    report = json.loads(result.output)
    return result.exit_code, {c["name"]: c for c in report["checks"]} | {"ok": report["ok"]}


def test_a_complete_installation_is_healthy(monkeypatch: pytest.MonkeyPatch, model_dir: Path,
                                            tmp_path: Path) -> None:
    code, checks = health(monkeypatch, model_dir=str(model_dir),
                          database_url=f"sqlite:///{tmp_path / 'store.db'}")
    assert code == 0 and checks["ok"] is True
    assert "buffalo_s/det_500m.onnx" in checks["models"]["detail"]
    assert checks["database"]["detail"].endswith("answers")
    assert checks["redis"]["detail"] == "skipped: jobs run in-process (processes)"


def test_a_missing_model_names_the_file_and_fails(monkeypatch: pytest.MonkeyPatch,
                                                  model_dir: Path) -> None:
    (model_dir / "mobilefacenet_128d.onnx").unlink()
    code, checks = health(monkeypatch, model_dir=str(model_dir))
    assert code == 1 and checks["ok"] is False
    assert checks["models"]["ok"] is False
    assert "mobilefacenet_128d.onnx was not found in" in checks["models"]["detail"]
    assert checks["database"]["detail"].startswith("skipped")


def test_bad_settings_are_the_only_check_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    code, checks = health(monkeypatch, job_runner="carrier-pigeon")
    assert code == 1
    assert set(checks) == {"settings", "ok"}
    assert "job_runner" in checks["settings"]["detail"]


def test_unreachable_services_fail_without_showing_passwords(monkeypatch: pytest.MonkeyPatch,
                                                            model_dir: Path) -> None:
    code, checks = health(
        monkeypatch, model_dir=str(model_dir), job_runner="celery",
        database_url="postgresql+psycopg://bot:hunter2@127.0.0.1:1/facexplain",
        redis_url="redis://:hunter2@127.0.0.1:1/0")
    assert code == 1
    assert checks["database"]["ok"] is False and checks["redis"]["ok"] is False
    assert checks["redis"]["detail"].startswith("redis://127.0.0.1:1/0 is not reachable")
    assert "hunter2" not in json.dumps(checks)


@pytest.mark.redis
@pytest.mark.postgres
def test_the_compose_services_answer(monkeypatch: pytest.MonkeyPatch, model_dir: Path) -> None:
    code, checks = health(monkeypatch, model_dir=str(model_dir), job_runner="celery",
                          database_url="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                          redis_url="redis://127.0.0.1:6379/0")
    assert checks["redis"]["detail"] == "redis://127.0.0.1:6379/0 answers"
    assert checks["database"]["detail"] == "postgresql+psycopg://postgres@127.0.0.1:5432/test answers"
    assert code == 0
