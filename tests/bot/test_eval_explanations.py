"""`facexplain eval explanations` as a user runs it, on two LFW pairs with a tiny saliency grid."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

from click.testing import CliRunner

from bot.cli.eval.explanations import sample
from bot.cli.main import cli
from bot.settings import Settings
from core.comparison import METHODS, REGIONS
from core.lfw import Pair


def env_for(settings: Settings) -> dict[str, str]:
    return {"FACEXPLAIN_MODEL_DIR": str(settings.model_dir), "FACEXPLAIN_DATA_DIR": str(settings.data_dir),
            "FACEXPLAIN_LFW_DIR": str(settings.lfw_dir)}


def test_two_pairs_with_a_tiny_grid_write_the_report_and_figures(calibrated_settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "eval"
    args = ["eval", "explanations", "--pairs", "2", "--grid-step", "28", "--tmax", "2", "--step", "0.25",
            "--random-orders", "1", "--quiet", "--out", str(out)]
    result = CliRunner().invoke(cli, args, env=env_for(calibrated_settings))
    assert result.exit_code == 0, result.output
    assert "Explaining 2 LFW View 2 pairs (custom profile, d=28, tmax=2)" in result.output
    assert "genuine normalised (2 faces)" in result.output and "impostor anchored (2 faces)" in result.output
    assert "Same top region" in result.output and "left eyebrow" in result.output

    report = json.loads((out / "report.json").read_text())
    assert report["pairs"] == {"genuine": 1, "impostor": 1} and report["skipped"] == []
    assert report["saliency"]["d"] == 28 and report["faithfulness_params"]["step"] == 0.25
    genuine = report["faithfulness"]["genuine_normalised"]
    assert genuine["fractions"] == [0.0, 0.25, 0.5, 0.75, 1.0]
    for direction in ("deletion", "insertion"):
        assert set(genuine[direction]) == {*METHODS, "random"}
        assert genuine[direction]["S1-"]["auc"]["pairs"] == 1
        assert 0.0 <= genuine[direction]["AVG"]["beats_random_share"] <= 1.0
    assert genuine["deletion"]["random"]["mean_curve"][0] == 1.0  # normalised by the unperturbed score
    assert set(report["regions_per_face"]) == set(REGIONS)
    assert len(report["agreement"]["same_top_region"]) == len(METHODS)

    lines = (out / "pairs.jsonl").read_text().splitlines()
    assert [json.loads(line)["same"] for line in lines] == [True, False]
    for name in ("curves.png", "levels.png", "agreement.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # An interrupted run goes on where it stopped, with the same results; other options are refused.
    (out / "pairs.jsonl").write_text(lines[0] + "\n")
    again = CliRunner().invoke(cli, [*args, "--resume"], env=env_for(calibrated_settings))
    assert again.exit_code == 0, again.output
    assert "1 done before" in again.output
    assert (out / "pairs.jsonl").read_text().splitlines() == lines
    assert json.loads((out / "report.json").read_text())["faithfulness"] == report["faithfulness"]
    other = CliRunner().invoke(cli, [*args, "--resume", "--baseline", "blur"], env=env_for(calibrated_settings))
    assert other.exit_code != 0 and "drop --resume" in other.output


def test_the_sample_is_balanced_reproducible_and_depends_on_the_seed() -> None:
    pairs = [Pair(f"a{i}", f"b{i}", i % 3 == 0, 0) for i in range(30)]

    def first(seed: int, kinds: tuple[bool, ...] = (True, False)) -> list[int]:
        return [index for index, _ in islice(sample(pairs, seed, kinds), 10)]

    assert first(1) == first(1) and first(1) != first(2)
    assert [pairs[i].same for i in first(1)] == [True, False] * 5
    assert len(set(first(1))) == 10
    assert sorted(index for index, _ in sample(pairs, 1, (False,))) == [i for i in range(30) if i % 3]


def test_genuine_only_and_impostor_only_exclude_each_other() -> None:
    result = CliRunner().invoke(cli, ["eval", "explanations", "--genuine-only", "--impostor-only"])
    assert result.exit_code != 0 and "exclude each other" in result.output
