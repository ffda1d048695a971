"""`kgtutor train bkt --write-graph`: per-KP BKT on the KPs, mastery retraced with it, and the
served catalogue carrying it (a generated lpp folder: runs with no data set beside the clone)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from cli.common import store_for
from graph.recommend import load_catalogue
from services.settings import Settings
from tests.integration.conftest import run
from tutor.mastery import BktParams, bkt_trace

TRUTH = [BktParams(0.3, 0.05, 0.15, 0.1), BktParams(0.3, 0.5, 0.15, 0.1)]  # slow, fast KP


def write_lpp(folder: Path, students: int = 160, per_kp: int = 6, seed: int = 0) -> Path:
    """Students answer ``per_kp`` questions on each of two KPs (item k tests KP k)."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(students):
        t = 0
        for k, b in enumerate(TRUTH):
            known = rng.random() < b.prior
            for _ in range(per_kp):
                right = rng.random() < ((1 - b.slip) if known else b.guess)
                rows.append(f"{s}\t{k}\t{t}\t{int(right)}\t{k}")
                known, t = known or rng.random() < b.learn, t + 60
    folder.mkdir(parents=True)
    header = "user_id\titem_id\ttimestamp\tcorrect\tskill_id\n"
    cut = sum(1 for r in rows if int(r.split("\t")[0]) < students * 3 // 4)
    (folder / "preprocessed_data_train.csv").write_text(header + "\n".join(rows[:cut]) + "\n")
    (folder / "preprocessed_data_test.csv").write_text(header + "\n".join(rows[cut:]) + "\n")
    sp.save_npz(folder / "q_mat.npz", sp.csr_matrix(np.eye(2)))
    return folder


@pytest.fixture(scope="module")
def var_dir(empty_var: Path) -> Path:
    return empty_var


def test_fitted_bkt_reaches_the_kps_the_mastery_and_the_catalogue(
        var_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    lpp = write_lpp(tmp_path_factory.mktemp("data") / "bktmini")
    assert run(var_dir, "graph", "import", "assist2009", str(lpp)).exit_code == 0
    out = run(var_dir, "train", "bkt", "--data", str(lpp), "--write-graph")
    assert out.exit_code == 0, out.output
    assert "2 of 2 KPs fitted" in out.output and "retraced 320 mastery edges" in out.output
    with store_for(Settings(var_dir=var_dir)) as store:
        learner = {"student_id": "bktmini:student:0", "limit": 1, "kept": False}
        dataset = store.read("rec_learner", learner)[0]["dataset"]
        catalogue = load_catalogue(store, dataset)
        mastery = {r["kp_id"]: r["p"] for r in store.read(
            "student_mastery", {"student_id": "bktmini:student:0"})}
    fitted = [catalogue.bkt(k) for k in sorted(catalogue.kp_names)]
    slow, fast = sorted(fitted, key=lambda b: b.learn)
    assert slow.learn < 0.15 < 0.3 < fast.learn  # the fast KP is told apart from the slow
    # student 0's mastery is the trace of their answers with each KP's own parameters
    rows = [line.split("\t") for line in
            (lpp / "preprocessed_data_train.csv").read_text().splitlines()[1:]]
    assert len(mastery) == 2
    for kp, p in mastery.items():
        answers = [r[3] == "1" for r in rows if r[0] == "0" and kp == f"bktmini:kp:{r[4]}"]
        assert len(answers) == 6
        assert p == pytest.approx(bkt_trace(answers, catalogue.bkt(kp)), abs=1e-9)
        assert p != pytest.approx(bkt_trace(answers), abs=1e-3)  # not the defaults
