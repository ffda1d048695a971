"""`kgtutor evaluate resources`: the resource ranking's offline study, small and seeded."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from cli.main import main
from evaluation.resource_study import ARMS, ResourceStudy, _paired, _world, run_study

SMALL = ResourceStudy(learners=12, history=12, questions=40, seed=3)


def test_the_study_runs_every_arm_on_the_same_learners_and_is_seeded() -> None:
    report = run_study(SMALL)
    assert list(report["arms"]) == list(ARMS)
    assert report["uses"] > 0 and report["kps_with_choice"] > 10
    for arm in ARMS:
        r = report["arms"][arm]
        assert 0 < r["answered_after"] <= r["moments"]
        assert 0 <= r["next_answer_success"] <= 1 and 0 <= r["learned"] <= 1
        assert 0 <= r["unmastered_before"] <= r["moments"]
    assert set(report["comparisons"]) == set(ARMS) - {"basic_first"}
    assert report == run_study(SMALL)  # one seed, one result


def test_the_usefulness_model_is_hidden_from_the_ranking_and_seeded() -> None:
    """Qualities are drawn per seed, and only the study's truth reads them."""
    a, b = _world(0), _world(1)
    assert a.quality.keys() == b.quality.keys()
    assert a.quality != b.quality
    assert all(0 < q < 1 for q in a.quality.values())
    assert sum(len(r) > 1 for r in a.resources.values()) == sum(
        len(r) > 1 for r in b.resources.values())


def test_paired_differences_with_their_interval() -> None:
    a = np.array([0.6, 0.7, np.nan, 0.8, 0.5])
    b = np.array([0.5, 0.6, 0.4, 0.6, np.nan])
    result = _paired(a, b)
    assert result["learners"] == 3
    assert result["diff"] == np.mean([0.1, 0.1, 0.2])
    low, high = result["ci95"]
    assert low < result["diff"] < high and 0 < result["p"] < 1
    assert _paired(a[:1], b[:1])["diff"] is None


def test_the_command_writes_the_report_and_its_table(tmp_path: Path) -> None:
    out = tmp_path / "resources.json"
    result = CliRunner().invoke(main, ["evaluate", "resources", "--learners", "4",
                                       "--history", "4", "--questions", "30", "--out",
                                       str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["study"]["learners"] == 4
    table = out.with_suffix(".md").read_text()
    assert "| ranked |" in table and "| basic_first |" in table
    bad = CliRunner().invoke(main, ["evaluate", "resources", "--learners", "1",
                                    "--out", str(out)])
    assert bad.exit_code == 2 and "--learners" in bad.output
