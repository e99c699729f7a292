"""Batch review as a reviewer runs it: a pairs CSV through `compare --pairs` and
`explain --pairs`, JSON lines out, and the run's HTML report opened in real headless Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.batch.pairs import PairsFileError, read_pairs
from bot.cli.main import cli
from bot.settings import Settings
from tests.batch.chromium import chromium_binary, visit
from tests.conftest import lfw_image


def test_a_pairs_file_reads_labels_and_paths_relative_to_itself(tmp_path: Path) -> None:
    (tmp_path / "pairs.csv").write_text("a,b,label\nx/1.jpg,/abs/2.jpg,same\n3.jpg,4.jpg,0\n5.jpg,6.jpg,\n")
    rows = read_pairs(tmp_path / "pairs.csv")
    assert [(r.number, r.a, r.b, r.label) for r in rows] == [
        (1, tmp_path / "x" / "1.jpg", Path("/abs/2.jpg"), True),
        (2, tmp_path / "3.jpg", tmp_path / "4.jpg", False),
        (3, tmp_path / "5.jpg", tmp_path / "6.jpg", None)]


@pytest.mark.parametrize(("text", "says"), [
    ("left,right\n1.jpg,2.jpg\n", "needs a header with columns a and b"),
    ("a,b,label\n1.jpg,2.jpg,maybe\n", "line 2: label 'maybe'"),
    ("a,b\n1.jpg,\n", "line 2: both a and b"),
    ("a,b\n", "no pairs"),
])
def test_a_bad_pairs_file_is_refused_with_the_line(tmp_path: Path, text: str, says: str) -> None:
    (tmp_path / "pairs.csv").write_text(text)
    with pytest.raises(PairsFileError) as err:
        read_pairs(tmp_path / "pairs.csv")
    assert says in err.value.detail


def pairs_csv(folder: Path, first: bool = True) -> Path:
    rows = [(lfw_image("George_W_Bush", 1), lfw_image("George_W_Bush", 2), "1")] if first else []
    rows += [(lfw_image("Colin_Powell", 1), lfw_image("Serena_Williams", 1), "same"),  # a wrong label
             (folder / "missing.jpg", lfw_image("Colin_Powell", 2), "")]
    path = folder / "pairs.csv"
    path.write_text("a,b,label\n" + "".join(f"{a},{b},{label}\n" for a, b, label in rows))
    return path


def env_for(settings: Settings) -> dict[str, str]:
    return {"FACEXPLAIN_MODEL_DIR": str(settings.model_dir), "FACEXPLAIN_DATA_DIR": str(settings.data_dir)}


def test_compare_pairs_prints_json_lines_and_writes_the_report(calibrated_settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "review"
    result = CliRunner().invoke(cli, ["compare", "--pairs", str(pairs_csv(tmp_path)), "--out", str(out), "--quiet"],
                                env=env_for(calibrated_settings))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [line["pair"] for line in lines] == [1, 2, 3]
    assert lines[0]["decision"] == "same person" and lines[0]["agrees_with_label"] is True
    assert lines[1]["decision"] == "different people" and lines[1]["agrees_with_label"] is False
    assert "photo 1" in lines[2]["error"] and "missing.jpg" in lines[2]["error"]
    assert (out / "results.jsonl").read_text().splitlines() == [json.dumps(x) for x in lines]
    html = (out / "report.html").read_text()
    order = [int(n) for n in re.findall(r'<section class="pair[^"]*" id="pair-(\d+)"', html)]
    assert order == [3, 2, 1]  # the failure, then the disagreement, then the rest
    assert html.count('src="data:image/png;base64,') == 4  # two aligned faces per compared pair


@pytest.fixture(scope="module")
def explained_run(calibrated_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("batch")
    out = folder / "run"
    # two pairs keep it quick: a wrongly labelled one explained in full, and a missing photo
    result = CliRunner().invoke(cli, ["explain", "--pairs", str(pairs_csv(folder, first=False)), "--out",
                                      str(out), "--quiet"], env=env_for(calibrated_settings))
    assert result.exit_code == 0, result.output
    assert "2 pairs, 1 different people, 1 failed, 1 labelled, 1 disagree with label" in result.output
    return out


def test_explain_pairs_writes_each_pairs_artefacts_and_one_report(explained_run: Path) -> None:
    results = [json.loads(line) for line in (explained_run / "results.jsonl").read_text().splitlines()]
    assert [r.get("folder") for r in results] == ["pair-0001", None]
    saved = json.loads((explained_run / "pair-0001" / "comparison.json").read_text())
    assert saved["tables"]["pair"]["nose"]["Mean"] >= 1
    assert (explained_run / "pair-0001" / "collage.png").read_bytes().startswith(b"\x89PNG")
    html = (explained_run / "report.html").read_text()
    assert html.count("Region table, both photos") == 1
    assert html.count('alt="heatmaps of pair') == 1
    assert "disagrees with the label" in html
    assert "Attribute descriptions: not available" in html  # no heads trained in this data folder
    assert not re.search(r'(src|href)="(https?:)?//', html)


@pytest.mark.skipif(chromium_binary() is None, reason="chromium is not installed (apt-get install chromium)")
def test_the_report_renders_in_headless_chromium_with_every_image_and_no_request_out(explained_run: Path) -> None:
    page = visit(explained_run / "report.html")
    assert page.title == "facexplain explain: batch review"
    assert len(page.images) == 3  # the explained pair's collage and its two aligned faces
    assert all(i["complete"] and i["naturalWidth"] > 0 for i in page.images), page.images
    assert page.failed == []
    schemes = {url.split(":", 1)[0] for url in page.requests}
    assert schemes <= {"file", "data"}, page.requests  # nothing leaves the machine
    assert page.screenshot.startswith(b"\x89PNG")
    (explained_run / "report.png").write_bytes(page.screenshot)
