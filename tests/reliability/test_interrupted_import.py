"""Issue 17, defect 2: an import killed midway (a real kill -9 of the `kgtutor graph import`
process), then run again, ends with the same derived state as a clean import. Before the fix
the attempts came out exact but mastery and theta stayed missing for the students whose
attempts the first run had written: the re-run refreshed only students it gave new attempts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from cli.common import store_for
from graph.embedded import EmbeddedServer
from services.settings import Settings
from tests.integration.conftest import run

HEADER = "user_id\titem_id\ttimestamp\tcorrect\tskill_id\n"
STUDENTS, ANSWERS, ITEMS = 400, 60, 40


def big_lpp(root: Path) -> Path:
    rng = np.random.default_rng(7)
    folder = root / "crashy"
    folder.mkdir()
    lines = []
    for u in range(STUDENTS):
        for t in range(ANSWERS):
            lines.append(f"{u}\t{rng.integers(ITEMS)}\t{t}\t{int(rng.random() < 0.6)}\t1\n")
    cut = ANSWERS * STUDENTS * 3 // 4
    (folder / "preprocessed_data_train.csv").write_text(HEADER + "".join(lines[:cut]))
    (folder / "preprocessed_data_test.csv").write_text(HEADER + "".join(lines[cut:]))
    sp.save_npz(folder / "q_mat.npz", sp.csr_matrix(np.eye(ITEMS)[:, :8] + np.eye(ITEMS, 8, -8)))
    return folder


def derived(var: Path) -> tuple[int, dict[tuple[str, str], float], dict[str, float]]:
    with store_for(Settings(var_dir=var)) as store:
        edges = {r["type"]: r["n"] for r in store.read("graph_stats_relationships")}
        students = sorted(r["id"] for r in store.read("all_students"))
        mastery = {}
        for sid in students:
            for r in store.read("student_mastery", {"student_id": sid}):
                mastery[(sid, r["kp_id"])] = round(r["p"], 9)
        theta = {r["id"]: round(r["theta"], 6) for r in store.read(
            "student_abilities", {"student_ids": students}) if r["theta"] is not None}
    return edges.get("ATTEMPTED", 0), mastery, theta


def test_a_killed_import_run_again_matches_a_clean_import(tmp_path: Path) -> None:
    folder = big_lpp(tmp_path)
    crashed, clean = tmp_path / "crashed", tmp_path / "clean"
    try:
        assert run(crashed, "graph", "start").exit_code == 0
        env = {**os.environ, "KGTUTOR_VAR": str(crashed), "KGTUTOR_BATCH_SIZE": "500"}
        proc = subprocess.Popen([str(Path(sys.executable).with_name("kgtutor")), "graph",
                                 "import", "assist2009", str(folder)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        total = STUDENTS * ANSWERS
        with store_for(Settings(var_dir=crashed)) as store:
            deadline = time.monotonic() + 120
            while True:
                stats = {r["type"]: r["n"] for r in store.read("graph_stats_relationships")}
                if 0 < stats.get("ATTEMPTED", 0) < total * 0.8:
                    break
                assert proc.poll() is None, "the import ended before it could be killed"
                assert time.monotonic() < deadline
                time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)  # midway: some attempts written, nothing derived
        proc.wait()
        midway, mastery_midway, _ = derived(crashed)
        assert 0 < midway < total
        for _ in range(2):  # the re-run repairs; a third run changes nothing
            out = run(crashed, "graph", "import", "assist2009", str(folder))
            assert out.exit_code == 0, out.output
        assert run(clean, "graph", "import", "assist2009", str(folder)).exit_code == 0
        got, want = derived(crashed), derived(clean)
        assert got[0] == want[0] == total
        assert len(got[1]) == len(want[1]) > len(mastery_midway)
        assert got[1] == want[1]
        assert got[2] == pytest.approx(want[2])
    finally:
        for var in (crashed, clean):
            EmbeddedServer(var / "graph").stop(force=True)
