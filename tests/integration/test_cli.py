"""The `kgtutor` command line against its own embedded server in a temporary var folder."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import main
from graph.embedded import EmbeddedServer
from tests.unit.test_assistments import SKILL_BUILDER_2009
from tests.unit.test_datashop import export
from tests.unit.test_ednet import STUDENTS
from tests.unit.test_ednet import release as ednet_release
from tests.unit.test_eedi import release as eedi_release
from tests.unit.test_junyi_log import write as junyi_log
from tests.unit.test_kt_sequences import AKT


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    var = tmp_path_factory.mktemp("var")
    yield var
    EmbeddedServer(var / "graph").stop(force=True)


def run(var_dir: Path, *args: str, **env: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"KGTUTOR_VAR": str(var_dir), **env})


def test_lifecycle_and_stats_format(var_dir: Path) -> None:
    assert "stopped" in run(var_dir, "graph", "status").output
    started = run(var_dir, "graph", "start")
    assert started.exit_code == 0 and "running" in started.output
    assert "running" in run(var_dir, "graph", "status").output
    stats = run(var_dir, "graph", "stats", "--json")
    assert stats.exit_code == 0
    assert json.loads(stats.output) == {"nodes": {}, "relationships": {}, "attempts": 0}


def test_seed_twice_gives_the_same_graph(var_dir: Path) -> None:
    assert run(var_dir, "graph", "seed").exit_code == 0
    first = json.loads(run(var_dir, "graph", "stats", "--json").output)
    assert run(var_dir, "graph", "seed").exit_code == 0
    assert json.loads(run(var_dir, "graph", "stats", "--json").output) == first
    assert first["nodes"]["KnowledgePoint"] >= 30 and first["nodes"]["Question"] >= 150
    assert first["attempts"] == first["relationships"]["ATTEMPTED"] > 0


def test_map_of_a_chapter_with_a_student_overlay(var_dir: Path) -> None:
    run(var_dir, "graph", "seed")
    chapters = json.loads(run(var_dir, "graph", "map", "--dataset", "seed", "--json").output)
    chapter = chapters["chapters"][0]["id"]
    out = run(var_dir, "graph", "map", "--chapter", chapter, "--json")
    view = json.loads(out.output)["map"]
    assert view["kps"] and view["edges"]
    assert {e["after"] for e in view["edges"]} <= {k["id"] for k in view["kps"]}


def imports_once(var_dir: Path, command: str, path: Path, name: str, new: int,
                 *shown: str) -> None:
    """``graph import COMMAND PATH --name NAME`` stores ``new`` answers and reports ``shown``
    (bad lines, notes); run again, it stores nothing."""
    out = run(var_dir, "graph", "import", command, str(path), "--name", name)
    assert out.exit_code == 0, out.output
    assert all(text in out.output for text in shown), out.output
    assert f"attempts new: {new}" in out.output, out.output
    again = run(var_dir, "graph", "import", command, str(path), "--name", name)
    assert f"attempts new: 0, already stored: {new}" in again.output


def test_bad_rows_are_reported_by_line_and_the_rest_loads(var_dir: Path, tmp_path: Path,
                                                           shared_data: Path) -> None:
    folder = tmp_path / "mini"
    folder.mkdir()
    shutil.copy(shared_data / "assist2009" / "lpp" / "q_mat.npz", folder / "q_mat.npz")
    (folder / "a.csv").write_text(
        "user_id\titem_id\ttimestamp\tcorrect\tskill_id\n"
        "0\t12661\t0\t0\t143\n"
        "0\t12685\t0\t7\t143\n"  # line 3: correct is not 0/1
        "0\t99999999\t0\t1\t143\n"  # line 4: no such item
        "1\t12685\t0\t1\t143\n")
    imports_once(var_dir, "assist2009", folder, "mini", 2, "line 3", "line 4")


def test_an_assistments_file_as_shipped_imports_once(var_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "skill_builder_data.csv"
    path.write_text(SKILL_BUILDER_2009, encoding="iso-8859-1")
    imports_once(var_dir, "assistments", path, "sb", 4, "line 7", "line 8",  # the bad rows
                 "2009-2010 skill builder")
    names = run(var_dir, "graph", "map", "--chapter", "sb:chapter:skills").output
    assert "Box and Whisker" in names and "Venn Diagram" in names


def test_a_datashop_export_imports_once(var_dir: Path, tmp_path: Path) -> None:
    path = export(tmp_path)
    imports_once(var_dir, "datashop", path, "kdd", 4, "line 5")
    wrong = run(var_dir, "graph", "import", "datashop", str(path), "--kc", "Rules")
    assert wrong.exit_code == 1 and "its KC models: default, subskills" in wrong.output


def test_a_junyi_log_imports_once_with_its_exercise_table(var_dir: Path, tmp_path: Path
                                                           ) -> None:
    imports_once(var_dir, "junyi-log", junyi_log(tmp_path, table=True), "jy", 4,
                 "line 5", "line 6", "2 of 3")  # "maybe", no exercise; 2 exercises known
    topic = run(var_dir, "graph", "map", "--chapter", "jy:topic:fractions").output
    assert "分數加法" in topic and "分數乘法" in topic


def test_an_ednet_folder_imports_once(var_dir: Path, tmp_path: Path) -> None:
    kt1 = ednet_release(tmp_path, STUDENTS)
    imports_once(var_dir, "ednet", kt1, "ed", 4, "u2.csv line 4")
    missing = run(var_dir, "graph", "import", "ednet", str(kt1), "--questions", "/no/such.csv")
    assert missing.exit_code == 1 and missing.output == "Error: /no/such.csv does not exist\n"


def test_eedi_answers_import_once_with_their_subjects(var_dir: Path, tmp_path: Path) -> None:
    imports_once(var_dir, "eedi", eedi_release(tmp_path), "eedi", 3, "line 5")


def test_akt_sequences_import_once_with_their_skill_names(var_dir: Path, tmp_path: Path
                                                          ) -> None:
    folder = tmp_path / "akt"
    folder.mkdir()
    (folder / "toy_pid_test1.csv").write_text(AKT + "4,504\n12\n5\n2\n")  # line 16: 2
    (folder / "skill.json").write_text('{"Fractions": 3, "Decimals": 4, "Ratios": 5}')
    imports_once(var_dir, "sequences", folder, "akt", 7, "line 16",
                 "rows repeating an answer for a further skill, one answer each: 1")
    names = run(var_dir, "graph", "map", "--chapter", "akt:chapter:skills").output
    assert "Fractions" in names and "Ratios" in names


@pytest.mark.parametrize("args", [
    ("graph", "import", "junyi", "/no/such/file.csv"),
    ("graph", "import", "sequences", "/no/such/folder"),
    ("graph", "import", "sequences", str(Path(__file__))),
    ("graph", "import", "eedi", "/no/such/file.csv"),
    ("graph", "import", "eedi", str(Path(__file__))),
    ("graph", "import", "ednet", "/no/such/folder"),
    ("graph", "import", "junyi-log", "/no/such/file.csv"),
    ("graph", "import", "datashop", "/no/such/file.txt"),
    ("graph", "import", "assistments", "/no/such/file.csv"),
    ("graph", "import", "assistments", str(Path(__file__))),
    ("graph", "import", "assist2009", "/no/such/folder"),
    ("graph", "import", "csv", "/no/such/file.csv"),
    ("graph", "map", "--chapter", "no-such-chapter"),
    ("graph", "ancestors", "no-such-kp"),
])
def test_bad_input_is_a_one_line_error(var_dir: Path, args: tuple[str, ...]) -> None:
    out = run(var_dir, *args)
    assert out.exit_code == 1
    assert out.output.startswith("Error: ") and out.output.count("\n") == 1
    assert "Traceback" not in out.output


def test_unknown_graph_uri_is_refused(var_dir: Path) -> None:
    out = run(var_dir, "graph", "stats", KGTUTOR_GRAPH_URI="mysql://x")
    assert out.exit_code == 1 and "KGTUTOR_GRAPH_URI" in out.output


def test_stop_keeps_data_for_the_next_start(var_dir: Path) -> None:
    run(var_dir, "graph", "seed")
    before = run(var_dir, "graph", "stats", "--json").output
    assert "stopped" in run(var_dir, "graph", "stop").output
    assert json.loads(run(var_dir, "graph", "stats", "--json").output) == json.loads(before)
