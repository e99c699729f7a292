"""`facexplain data download lfw` into the data folder (official layout), and `models list` /
`models verify` on real model files."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
import zipfile
from pathlib import Path

from click.testing import CliRunner

from bot.cli.main import cli
from core.lfw import view2
from tests.conftest import MODELS, needs_shared
from tests.fetch.http_server import Files, serving

PAIRS = "1\t1\nAaron_Eckhart\t1\t2\nAaron_Eckhart\t1\tAbel_Pacheco\t1\n"


def lfw_tgz() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        for name in ("Aaron_Eckhart/Aaron_Eckhart_0001.jpg", "Aaron_Eckhart/Aaron_Eckhart_0002.jpg",
                     "Abel_Pacheco/Abel_Pacheco_0001.jpg"):
            data = f"jpeg of {name}".encode()
            info = tarfile.TarInfo(f"lfw-deepfunneled/{name}")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_lfw_arrives_in_the_data_folder_in_the_layout_calibrate_reads(tmp_path: Path) -> None:
    tgz, pairs = lfw_tgz(), PAIRS.encode()
    files = Files({"/lfw-deepfunneled.tgz": tgz, "/pairs.txt": pairs})
    with serving(files) as base:
        entries = [
            {"url": f"{base}/lfw-deepfunneled.tgz", "filename": "lfw-deepfunneled.tgz", "archive": "tgz",
             "into": "deepfunneled", "md5": hashlib.md5(tgz).hexdigest()},
            {"url": f"{base}/pairs.txt", "filename": "pairs.txt", "sha256": hashlib.sha256(pairs).hexdigest()},
        ]
        (tmp_path / "r.json").write_text(json.dumps({"data": {"lfw": entries}}))
        result = CliRunner().invoke(cli, ["data", "download", "lfw", "--quiet", "--registry",
                                          str(tmp_path / "r.json"), "--data-dir", str(tmp_path / "fx")])
    assert result.exit_code == 0, result.output
    lfw = tmp_path / "fx" / "lfw"
    assert (lfw / "deepfunneled" / "Abel_Pacheco" / "Abel_Pacheco_0001.jpg").is_file()
    pair_list = view2(lfw)
    assert [(p.a, p.same) for p in pair_list] == [("Aaron_Eckhart/Aaron_Eckhart_0001.jpg", True),
                                                  ("Aaron_Eckhart/Aaron_Eckhart_0001.jpg", False)]
    assert result.output.count("checksum OK") == 2
    assert f"export FACEXPLAIN_LFW_DIR={lfw}" in result.output


def test_lfw_offline_names_every_file_and_where_it_goes(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["data", "download", "lfw", "--dry-run", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "lfw-deepfunneled.tgz" in out and "md5 68331da3eb755a505a502b5aacb3c201" in out
    assert f"save it as {tmp_path / 'lfw' / 'pairs.txt'}" in out
    assert f"tar -xzf lfw-deepfunneled.tgz -C {tmp_path / 'lfw' / 'deepfunneled'} --strip-components=1" in out


@needs_shared
def test_the_registry_pairs_checksums_are_those_of_the_real_lfw_files() -> None:
    """The developers' copies lack the final newline of the published files; with it they match."""
    from bot.fetch.registry import load_registry

    lfw = MODELS.parent / "data" / "lfw"
    for asset in load_registry().datasets["lfw"][1:]:
        data = (lfw / asset.filename).read_bytes()
        data = data if data.endswith(b"\n") else data + b"\n"
        assert hashlib.sha256(data).hexdigest() == asset.sha256
        assert asset.md5 is None or hashlib.md5(data).hexdigest() == asset.md5


@needs_shared
def test_models_list_shows_file_size_sha256_licence_and_providers() -> None:
    result = CliRunner().invoke(cli, ["models", "list", "--json", "--model-dir", str(MODELS)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    detector, recognizer = report["models"]
    path = MODELS / "mobilefacenet" / "mobilefacenet_128d.onnx"
    assert recognizer["path"] == str(path) and recognizer["size"] == path.stat().st_size
    assert recognizer["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert "non-commercial" in detector["licence"]
    assert report["providers"]["used"] == ["CPUExecutionProvider"]


@needs_shared
def test_models_verify_passes_then_catches_a_changed_file(tmp_path: Path) -> None:
    """A pack fetched from the local server with real ONNX files: verify loads the configured
    models and re-hashes the pack; a file changed afterwards is named."""
    pack = {"det_500m.onnx": (MODELS / "scrfd" / "det_500m.onnx").read_bytes(),
            "w600k_mbf.onnx": (MODELS / "mobilefacenet" / "mobilefacenet_128d.onnx").read_bytes()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in pack.items():
            zf.writestr(name, data)
    archive = buffer.getvalue()
    with serving(Files({"/buffalo_s.zip": archive})) as base:
        registry = {"models": {"buffalo_s": {"url": f"{base}/buffalo_s.zip", "filename": "buffalo_s.zip",
                                             "archive": "zip", "sha256": hashlib.sha256(archive).hexdigest()}}}
        (tmp_path / "r.json").write_text(json.dumps(registry))
        models = tmp_path / "models"
        fetched = CliRunner().invoke(cli, ["models", "download", "buffalo_s", "--quiet", "--registry",
                                           str(tmp_path / "r.json"), "--model-dir", str(models)])
    assert fetched.exit_code == 0, fetched.output
    env = {"FACEXPLAIN_MODEL_DIR": str(models), "FACEXPLAIN_SCRFD_MODEL": "buffalo_s/det_500m.onnx",
           "FACEXPLAIN_RECOGNIZER_MODEL": "buffalo_s/w600k_mbf.onnx"}
    good = CliRunner().invoke(cli, ["models", "verify"], env=env)
    assert good.exit_code == 0, good.output
    assert "configured models: load" in good.output
    assert "buffalo_s: files match the download record" in good.output
    shutil.copy(MODELS / "scrfd" / "det_2.5g.onnx", models / "buffalo_s" / "det_500m.onnx")
    bad = CliRunner().invoke(cli, ["models", "verify"], env=env)
    assert bad.exit_code == 1
    assert "det_500m.onnx" in bad.output and "PROBLEM" in bad.output
