"""`facexplain models download` against a local HTTP server: a good pack, a wrong checksum, a
truncated download that a second run resumes, a 404, and no server at all (offline)."""

from __future__ import annotations

import hashlib
import io
import json
import socket
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli.main import cli
from tests.fetch.http_server import Files, serving


def zip_of(files: dict[str, bytes], folder: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in files.items():
            zf.writestr(folder + name, data)
    return buffer.getvalue()


def registry(path: Path, base: str, archive: bytes, *, sha256: str | None = None,
             files: dict[str, int | None] | None = None) -> Path:
    entry = {"url": f"{base}/buffalo_s.zip", "filename": "buffalo_s.zip", "archive": "zip",
             "size": len(archive), "sha256": sha256 or hashlib.sha256(archive).hexdigest(),
             "files": files or {}, "licence": "test pack",
             "settings": {"FACEXPLAIN_SCRFD_MODEL": "buffalo_s/det_500m.onnx",
                          "FACEXPLAIN_RECOGNIZER_MODEL": "buffalo_s/w600k_mbf.onnx"}}
    path.write_text(json.dumps({"models": {"buffalo_s": entry}}))
    return path


PACK = {"det_500m.onnx": b"detector bytes " * 1000, "w600k_mbf.onnx": b"recognizer bytes " * 3000}


def download(tmp_path: Path, reg: Path, *extra: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["models", "download", "buffalo_s", "--quiet", "--registry", str(reg),
                                    "--model-dir", str(tmp_path / "models"), *extra])


def test_a_good_pack_is_checked_unpacked_and_its_settings_printed(tmp_path: Path) -> None:
    archive = zip_of(PACK, folder="buffalo_s/")  # a pack that nests its own folder is flattened
    files = Files({"/buffalo_s.zip": archive})
    with serving(files) as base:
        result = download(tmp_path, registry(tmp_path / "r.json", base, archive,
                                             files={"det_500m.onnx": len(PACK["det_500m.onnx"])}))
    assert result.exit_code == 0, result.output
    pack = tmp_path / "models" / "buffalo_s"
    assert (pack / "w600k_mbf.onnx").read_bytes() == PACK["w600k_mbf.onnx"]
    assert "checksum OK" in result.output
    assert "export FACEXPLAIN_RECOGNIZER_MODEL=buffalo_s/w600k_mbf.onnx" in result.output
    record = json.loads((pack / "facexplain-manifest.json").read_text())
    assert record["archive_sha256"] == hashlib.sha256(archive).hexdigest()
    assert record["files"]["det_500m.onnx"]["sha256"] == hashlib.sha256(PACK["det_500m.onnx"]).hexdigest()
    assert not list((tmp_path / "models" / ".downloads").iterdir())  # the archive is not kept


def test_a_wrong_checksum_is_refused_and_nothing_is_unpacked(tmp_path: Path) -> None:
    archive = zip_of(PACK)
    with serving(Files({"/buffalo_s.zip": archive})) as base:
        result = download(tmp_path, registry(tmp_path / "r.json", base, archive, sha256="0" * 64))
    assert result.exit_code == 1
    assert "does not match its published checksum" in result.output and "0" * 64 in result.output
    assert not (tmp_path / "models" / "buffalo_s").exists()
    assert not list((tmp_path / "models" / ".downloads").iterdir())  # a rerun fetches afresh


def test_a_truncated_download_fails_and_the_next_run_resumes_it(tmp_path: Path) -> None:
    archive = zip_of(PACK)
    files = Files({"/buffalo_s.zip": archive}, cut_at={"/buffalo_s.zip": 10_000})
    with serving(files) as base:
        reg = registry(tmp_path / "r.json", base, archive)
        first = download(tmp_path, reg)
        assert first.exit_code == 1
        assert f"stopped after 10000 of {len(archive)} bytes" in first.output
        assert "run the command again to resume" in first.output
        part = tmp_path / "models" / ".downloads" / "buffalo_s.zip.part"
        assert part.stat().st_size == 10_000
        files.cut_at.clear()
        second = download(tmp_path, reg)
    assert second.exit_code == 0, second.output
    assert files.ranges == ["bytes=10000-"]  # only the rest was asked for
    assert (tmp_path / "models" / "buffalo_s" / "det_500m.onnx").read_bytes() == PACK["det_500m.onnx"]


def test_a_missing_file_on_the_server_is_reported_with_its_url(tmp_path: Path) -> None:
    with serving(Files({})) as base:
        result = download(tmp_path, registry(tmp_path / "r.json", base, b"x"))
    assert result.exit_code == 1
    assert "HTTP 404" in result.output and f"{base}/buffalo_s.zip" in result.output


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_offline_it_says_what_it_would_fetch_and_how_to_place_it_by_hand(tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    result = download(tmp_path, registry(tmp_path / "r.json", base, b"x"))
    assert result.exit_code == 1
    out = result.output
    assert "Could not reach 127.0.0.1" in out and f"{base}/buffalo_s.zip" in out
    assert f"unzip buffalo_s.zip -d {tmp_path / 'models' / 'buffalo_s'}" in out


def test_the_shipped_registry_names_insightface_release_archives() -> None:
    from bot.fetch.registry import load_registry

    packs = load_registry().packs
    assert set(packs) == {"buffalo_l", "buffalo_s", "antelopev2"}
    for name, pack in packs.items():
        assert pack.asset.url == f"https://github.com/deepinsight/insightface/releases/download/model-zoo/{name}.zip"
        assert pack.settings["FACEXPLAIN_RECOGNIZER_MODEL"].startswith(f"{name}/")


@pytest.mark.parametrize("pack", ["buffalo_l", "antelopev2"])
def test_dry_run_prints_the_plan_and_fetches_nothing(tmp_path: Path, pack: str) -> None:
    result = CliRunner().invoke(cli, ["models", "download", pack, "--dry-run", "--model-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"releases/download/model-zoo/{pack}.zip" in result.output
    assert "no published checksum" in result.output  # said plainly, never invented
    assert list(tmp_path.iterdir()) == []
