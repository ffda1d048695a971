"""Issue 17, defect 3: the learner-performance-prediction layout ships preprocessed_data.csv
beside its train and test splits (the same rows). Before the fix every attempt was imported
twice under other event ids, and the evaluations found no test students."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp

from cli.common import store_for
from datasets.assist2009 import read_assist
from graph.embedded import EmbeddedServer
from models.sources import load_responses
from services.settings import Settings
from tests.integration.conftest import run

HEADER = "user_id\titem_id\ttimestamp\tcorrect\tskill_id\n"


def lpp_folder(root: Path) -> tuple[Path, int]:
    """Students 0-7 in train, 8-9 in test, 6 answers each, and the full file of all rows."""
    rng = np.random.default_rng(0)
    rows = {u: [f"{u}\t{rng.integers(3)}\t0\t{rng.integers(2)}\t1" for _ in range(6)]
            for u in range(10)}
    folder = root / "lppfull"
    folder.mkdir()
    text = {name: HEADER + "".join(f"{r}\n" for u in users for r in rows[u])
            for name, users in (("preprocessed_data_train.csv", range(8)),
                                ("preprocessed_data_test.csv", range(8, 10)),
                                ("preprocessed_data.csv", range(10)))}
    for name, body in text.items():
        (folder / name).write_text(body)
    sp.save_npz(folder / "q_mat.npz", sp.csr_matrix(np.eye(3)))
    return folder, 60


def test_the_full_file_beside_its_splits_is_read_once(tmp_path: Path) -> None:
    folder, n = lpp_folder(tmp_path)
    ds = read_assist(folder)
    assert len(ds.attempts) == n and len({a.event_id for a in ds.attempts}) == n
    assert any("preprocessed_data.csv left out" in note for note in ds.report.notes)
    kt = load_responses(folder)  # the split comes from the split files
    assert len(kt.train.students) == 8 and len(kt.test.students) == 2


def test_importing_the_layout_stores_each_attempt_once(tmp_path: Path) -> None:
    folder, n = lpp_folder(tmp_path)
    var = tmp_path / "var"
    try:
        for _ in range(2):  # and re-running changes nothing
            out = run(var, "graph", "import", "assist2009", str(folder))
            assert out.exit_code == 0, out.output
        with store_for(Settings(var_dir=var)) as store:
            edges = {r["type"]: r["n"] for r in store.read("graph_stats_relationships")}
        assert edges["ATTEMPTED"] == n
    finally:
        EmbeddedServer(var / "graph").stop(force=True)


def test_a_folder_as_lpp_prepare_data_writes_it_splits_by_a_hash(tmp_path: Path) -> None:
    """lpp's prepare_data.py writes one ``preprocessed_data.csv`` of four columns and no split:
    the students are split by a hash of their ids, the same on every read."""
    rng = np.random.default_rng(1)
    folder = tmp_path / "assistments12"
    folder.mkdir()
    rows = "".join(f"{u}\t{rng.integers(3)}\t{100 * u + t}\t{rng.integers(2)}\n"
                   for u in range(40) for t in range(5))
    (folder / "preprocessed_data.csv").write_text("user_id\titem_id\ttimestamp\tcorrect\n" + rows)
    sp.save_npz(folder / "q_mat.npz", sp.csr_matrix(np.array([[1, 0], [0, 1], [1, 1]])))
    kt = load_responses(folder)
    test = set(kt.test.students)
    assert 0 < len(test) < 20 and len(test) + len(kt.train.students) == 40
    assert set(load_responses(folder).test.students) == test
    assert kt.item_skills.shape == (3, 2)
