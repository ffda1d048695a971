"""`kgtutor evaluate learning --domain demo`: a small simulated classroom study, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import main
from tests.unit.test_junyi import row, write_csv

ARMS = {"kgtutor", "fixed", "mastery", "random", "markov", "usercf", "oracle"}


def run(tmp: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["evaluate", "learning", *args],
                              env={"KGTUTOR_VAR": str(tmp / "var"),
                                   "KGTUTOR_DATA": str(tmp / "data")})


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    tmp = tmp_path_factory.mktemp("study")
    out = tmp / "study.json"
    # 30 learners per arm: with fewer, the no-learning control's randomised blocks are too
    # coarse for |d| < 0.1 (measured: 0.24 at 7 per arm, 0.09 at 30, 0.013 at 100)
    result = run(tmp, "--domain", "demo", "--students-per-arm", "30", "--seeds", "1",
                 "--history-students", "30", "--no-bilstm", "--soft-frontier", "0.25",
                 "--out", str(out))
    assert result.exit_code == 0, result.output
    return out, json.loads(out.read_text())


def test_the_report_has_the_issues_shape(study: tuple[Path, dict]) -> None:
    _, report = study
    assert report["domain"] == "demo" and report["map"] == "true"
    assert report["students_per_arm"] == 30 and report["seeds"] == 1
    assert set(report["arms"]) == ARMS | {"kgtutor_ready_0.25"}  # a tuning arm, asked for
    for arm in report["arms"].values():
        for outcome in ("post_test", "gain", "completion", "overpractice"):
            assert isinstance(arm[outcome]["mean"], float)
        assert 0 <= arm["post_test"]["mean"] <= 100 and arm["n"] == 30
    assert set(report["comparisons"]) == {f"kgtutor_vs_{a}" for a in ARMS - {"kgtutor"}}
    assert set(report["ablations"]) == {"kgtutor_vs_ready_0.25"}
    for c in report["comparisons"].values():
        assert {"rel_gain", "t", "p", "p_holm", "d", "d_ci95"} <= set(c)
        assert c["p"] <= c["p_holm"] <= 1 and len(c["d_ci95"]) == 2
        learnt = c["learnt"]  # the change scores: post - pre, its own Holm family
        assert learnt["p"] <= learnt["p_holm"] <= 1 and len(learnt["d_ci95"]) == 2
    arms = report["arms"]
    for name, c in report["comparisons"].items():
        them = arms[name.removeprefix("kgtutor_vs_")]
        expected = (arms["kgtutor"]["post_test"]["mean"] - arms["kgtutor"]["pre_test"]["mean"]
                    - them["post_test"]["mean"] + them["pre_test"]["mean"])
        assert c["learnt"]["diff"] == pytest.approx(expected)
    assert isinstance(report["oracle_gap_closed"], float)
    fidelity = report["controls"]["fidelity"]
    assert fidelity["auc_sim"] is None and fidelity["auc_real"] is None and fidelity["note"]
    assert len(report["per_seed"]) == 1


def test_no_arm_differs_when_learning_is_off_and_the_oracle_bounds_them(
        study: tuple[Path, dict]) -> None:
    _, report = study
    control = report["controls"]["no_learning"]
    assert control["post_equals_pre"] is True
    assert control["max_abs_d"] < 0.1
    assert report["controls"]["oracle_bounds"] is True


def test_a_table_and_a_figure_lie_beside_the_json(study: tuple[Path, dict]) -> None:
    out, _ = study
    table = out.with_suffix(".md").read_text()
    assert "| kgtutor |" in table and "kgtutor_vs_fixed" in table
    assert out.with_suffix(".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(("args", "message"), [
    ((), "give exactly one of --data PATH or --domain"),
    (("--domain", "junyi"), "no Junyi exercise table there (set KGTUTOR_DATA"),
    (("--data", "nowhere"), "nowhere: no such folder"),
])
def test_bad_domains_are_one_line_errors(tmp_path: Path, args: tuple[str, ...],
                                         message: str) -> None:
    result = run(tmp_path, *args, "--out", str(tmp_path / "x.json"))
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(("value", "message"), [
    ("complete", "is not NAME=V with V a number"),
    ("speed=1", "'speed' is neither a stage-1 signal"),
    ("n=2.5", "n takes a whole number, not 2.5"),
    ("n=0", "n and kp_count must be at least 1"),
])
def test_a_bad_config_arm_is_a_usage_error(tmp_path: Path, value: str, message: str) -> None:
    result = run(tmp_path, "--domain", "demo", "--config-arm", value, "--out",
                 str(tmp_path / "x.json"))
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_the_junyi_domain_runs_on_the_exercise_table_under_the_data_folder(
        tmp_path: Path) -> None:
    folder = tmp_path / "data" / "junyi"
    folder.mkdir(parents=True)
    rows = [row(f"ex_{i}", f"ex_{i - 1}" if i % 4 else "", topic=f"topic-{i // 4}")
            for i in range(12)]
    write_csv(folder, *rows).rename(folder / "junyi_Exercise_table.csv")
    out = tmp_path / "junyi.json"
    result = run(tmp_path, "--domain", "junyi", "--students-per-arm", "4", "--seeds", "1",
                 "--history-students", "20", "--no-bilstm", "--workers", "1", "--out",
                 str(out))
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["domain"] == "junyi" and report["kps"] == 12 and report["items"] == 48
    assert report["chapters"]["count"] == 3 and "topics" in report["chapters"]["rule"]
    assert set(report["arms"]) == ARMS


def test_the_paired_tuning_design_gives_every_arm_the_same_learners(tmp_path: Path) -> None:
    out = tmp_path / "paired.json"
    result = run(tmp_path, "--domain", "demo", "--students-per-arm", "6", "--seeds", "1",
                 "--history-students", "20", "--no-bilstm", "--workers", "1", "--paired",
                 "--weight-arm", "complete=1", "--config-arm", "mastery_threshold=0.9",
                 "--told-arm", "state", "--out", str(out))
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["design"] == "paired"
    tuning = {"kgtutor_complete_1", "kgtutor_mastery_threshold_0.9",  # tuning arms, asked for
              "kgtutor_true_state"}
    assert set(report["arms"]) == ARMS | tuning
    assert set(report["ablations"]) == {f"kgtutor_vs_{a.removeprefix('kgtutor_')}" for a in tuning}
    pre = {arm: round(s["pre_test"]["mean"], 9) for arm, s in report["arms"].items()}
    assert len(set(pre.values())) == 1  # the same learners before practice
    for name, c in report["comparisons"].items():
        arm = name.removeprefix("kgtutor_vs_")
        diff = report["arms"]["kgtutor"]["post_test"]["mean"] - report["arms"][arm][
            "post_test"]["mean"]
        assert c["paired"]["diff"] == pytest.approx(diff) and c["paired"]["se"] >= 0
        done = report["arms"]["kgtutor"]["completion"]["mean"] - report["arms"][arm][
            "completion"]["mean"]
        assert c["paired_completion"]["diff"] == pytest.approx(done)
    control = report["controls"]["no_learning"]  # same learners, no learning: identical
    assert control["post_equals_pre"] is True and control["max_abs_d"] == 0
    assert "paired diff" in out.with_suffix(".md").read_text()
