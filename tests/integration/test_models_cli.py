"""`kgtutor train ...` and `kgtutor evaluate kt` on a slice of the real ASSISTments 2009 data."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import torch
from click.testing import CliRunner, Result

from cli.common import store_for
from cli.main import main
from evaluation.recommend import markdown_table
from models import registry, training
from models.kt_batches import build_chunks
from models.sources import load_responses
from models.transitions import QuestionTransitions
from services.settings import Settings

TRAIN, TEST = "preprocessed_data_train.csv", "preprocessed_data_test.csv"


def _head(source: Path, target: Path, students: int) -> None:
    """The first ``students`` students of an lpp file (rows are grouped by user)."""
    lines = source.read_text().splitlines(keepends=True)
    keep, users = [lines[0]], []
    for line in lines[1:]:
        user = line.split("\t", 1)[0]
        if user not in users:
            if len(users) == students:
                break
            users.append(user)
        keep.append(line)
    target.write_text("".join(keep))


@pytest.fixture(scope="module")
def lpp(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("slice") / "lpp"
    folder.mkdir()
    source = shared_data / "assist2009" / "lpp"
    shutil.copy(source / "q_mat.npz", folder / "q_mat.npz")
    _head(source / TRAIN, folder / TRAIN, 80)
    _head(source / TEST, folder / TEST, 20)
    return folder


@pytest.fixture(scope="module")
def var_dir(empty_var: Path) -> Path:
    return empty_var


@pytest.fixture(autouse=True)
def _threads() -> Iterator[None]:
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def run(var_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"KGTUTOR_VAR": str(var_dir)})


def test_irt_is_saved_and_written_onto_the_graph(var_dir: Path, lpp: Path) -> None:
    assert run(var_dir, "graph", "import", "assist2009", str(lpp)).exit_code == 0
    out = run(var_dir, "train", "irt", "--data", str(lpp), "--write-graph")
    assert out.exit_code == 0, out.output
    model = registry.load_irt(var_dir / "models")
    assert len(model.student_ids) == 100
    assert "to 100 students" in out.output
    with store_for(Settings(var_dir=var_dir)) as store:
        got = store.read("student_abilities", {"student_ids": list(model.student_ids)})
    saved = dict(zip(model.student_ids, model.params.theta, strict=True))
    assert len(got) == 100
    for row in got:
        assert row["theta"] == pytest.approx(saved[row["id"]]) and 0 < row["var"] < 1


def test_bilstm_checkpoint_rebuilds_the_same_model(var_dir: Path, lpp: Path) -> None:
    out = run(var_dir, "train", "bilstm", "--data", str(lpp), "--epochs", "2")
    assert out.exit_code == 0, out.output
    assert "best validation AUC" in out.output
    model, extra = registry.load_bilstm(var_dir / "models")
    kt = load_responses(lpp)
    assert tuple(extra["item_ids"]) == kt.item_ids
    chunks = build_chunks(kt.test, kt.item_skills, 200, 50, 1)
    probs = training.score_bilstm(model, kt, kt.test).probs
    assert probs.shape == (chunks.n_targets,) and ((probs > 0) & (probs < 1)).all()
    again, _ = registry.load_bilstm(var_dir / "models")
    np.testing.assert_allclose(training.score_bilstm(again, kt, kt.test).probs, probs)
    # the transition table saved with it is the train students' one
    predictor = registry.bilstm_predictor(var_dir / "models")
    want = QuestionTransitions.fit(kt.train.items, kt.n_items)
    first = int(kt.train.items[0][0])
    np.testing.assert_allclose(predictor.transitions.after(first), want.after(first), rtol=1e-6)


def test_graph_embeddings_initialise_the_bilstm(var_dir: Path, lpp: Path) -> None:
    assert run(var_dir, "train", "embed", "--data", str(lpp), "--epochs", "5").exit_code == 0
    vectors = registry.load_item_vectors(var_dir / "models", load_responses(lpp).item_ids)
    assert vectors.shape == (17708, 64) and np.isfinite(vectors).all()
    _, extra = registry.load_embed(var_dir / "models")
    assert extra["n_skills"] == 123
    out = run(var_dir, "train", "bilstm", "--data", str(lpp), "--epochs", "1", "--graph-init")
    assert out.exit_code == 0, out.output


def test_progress_model_is_trained_and_saved(var_dir: Path, lpp: Path) -> None:
    out = run(var_dir, "train", "progress", "--data", str(lpp), "--epochs", "2")
    assert out.exit_code == 0, out.output
    assert "weakest KP top-1" in out.output
    model, data_config, vectorizer, skills = registry.load_progress(var_dir / "models")
    assert len(skills) == 123 and data_config.window == 30
    assert vectorizer.transform(["Skill column 17"]).nnz > 0  # a slice has no skill names
    assert model.config.hidden == 64


def test_evaluate_kt_writes_the_report(var_dir: Path, lpp: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "kt.json"
    out = run(var_dir, "evaluate", "kt", "--data", str(lpp), "--epochs", "2",
              "--out", str(out_file))
    assert out.exit_code == 0, out.output
    report = json.loads(out_file.read_text())
    assert set(report["models"]) == {"irt", "bilstm", "bilstm_gnn", "shuffled"}
    for metrics in report["models"].values():
        assert set(metrics) >= {"auc", "accuracy", "logloss"}
        assert 0 <= metrics["auc"] <= 1 and metrics["logloss"] > 0
    n = sum(len(x) - 1 for x in load_responses(lpp).test.items)
    assert report["models"]["irt"]["n"] == report["models"]["bilstm"]["n"] == n
    assert "shuffled" in out.output and "AUC" in out.output


def _bad(folder: Path, train_text: str) -> Path:
    folder.mkdir()
    (folder / TRAIN).write_text(train_text)
    (folder / TEST).write_text("user_id\titem_id\ttimestamp\tcorrect\tskill_id\n"
                               "7\t12661\t0\t1\t143\n")
    return folder


@pytest.mark.parametrize(("content", "expected"), [
    ("user_id\titem_id\ttimestamp\tcorrect\tskill_id\n0\t12661\t0\tnan\t143\n",
     f"{TRAIN} line 2"),
    ("user_id\titem_id\ttimestamp\tcorrect\tskill_id\n0\t12661\t0\t1\t143\n1\t5\n",
     f"{TRAIN} line 3"),
    ("student,question,right\n0,1,1\n", TRAIN),
    ("user_id\titem_id\ttimestamp\tcorrect\tskill_id\n", "empty"),
])
def test_bad_data_is_a_one_line_error_naming_file_and_line(
        var_dir: Path, lpp: Path, tmp_path: Path, content: str, expected: str) -> None:
    folder = _bad(tmp_path / "bad", content)
    shutil.copy(lpp / "q_mat.npz", folder / "q_mat.npz")
    before = sorted(p.name for p in (var_dir / "models").glob("*"))
    out = run(var_dir, "train", "bilstm", "--data", str(folder))
    assert out.exit_code == 1
    assert out.output.startswith("Error: ") and out.output.count("\n") == 1, out.output
    assert expected in out.output
    assert sorted(p.name for p in (var_dir / "models").glob("*")) == before


@pytest.mark.parametrize("args", [
    ("train", "irt", "--data", "/no/such/folder"),
    ("evaluate", "kt", "--data", "/no/such/folder"),
    ("train", "bilstm", "--device", "cuda:7"),
    ("train", "bilstm", "--device", "no-such-device"),
])
def test_bad_arguments_are_one_line_errors(var_dir: Path, args: tuple[str, ...]) -> None:
    out = run(var_dir, *args)
    assert out.exit_code == 1, out.output
    assert out.output.startswith("Error: ") and out.output.count("\n") == 1, out.output


def test_graph_init_without_embeddings_says_what_to_run(tmp_path: Path, lpp: Path) -> None:
    out = run(tmp_path, "train", "bilstm", "--data", str(lpp), "--graph-init")
    assert out.exit_code == 1 and "kgtutor train embed" in out.output


def test_evaluate_rec_reports_every_method_and_draws_the_figure(
        var_dir: Path, lpp: Path, tmp_path: Path) -> None:
    out_file, figure = tmp_path / "rec.json", tmp_path / "rec.png"
    out = run(var_dir, "evaluate", "rec", "--data", str(lpp), "--epochs", "1",
              "--splits", "0.5,0.8", "--out", str(out_file), "--figure", str(figure))
    assert out.exit_code == 0, out.output
    report = json.loads(out_file.read_text())
    assert set(report["splits"]) == {"0.5", "0.8"}
    for methods in report["splits"].values():
        assert set(methods) == {"ours", "popularity", "usercf", "markov", "sequence_only"}
        for m in methods.values():
            assert {"precision@10", "recall@10", "ndcg@10", "coverage",
                    "avg_difficulty"} <= set(m)
            assert 0 <= m["precision@10"] <= 1 and m["coverage"] >= 1
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert markdown_table(report) in out.output  # the table shown is the report written
    assert all(f"| {s} | ours |" in out.output for s in ("0.5", "0.8"))


@pytest.mark.parametrize("splits", ["0.5,x", "0,0.5", "1.2"])
def test_evaluate_rec_refuses_bad_splits(var_dir: Path, lpp: Path, splits: str) -> None:
    out = run(var_dir, "evaluate", "rec", "--data", str(lpp), "--splits", splits)
    assert out.exit_code == 1 and out.output.startswith("Error: ") and "--splits" in out.output


def test_inferred_prerequisites_are_stored_once_and_acyclic(var_dir: Path, lpp: Path) -> None:
    assert run(var_dir, "graph", "import", "assist2009", str(lpp)).exit_code == 0  # idempotent
    args = ("graph", "infer-prerequisites", str(lpp), "--min-confidence", "0.0")
    first = run(var_dir, *args)
    assert first.exit_code == 0, first.output
    assert "stored" in first.output
    with store_for(Settings(var_dir=var_dir)) as store:
        rows = store.read("rec_kps", {"dataset": "lpp"})
        edges = {(p, r["id"]) for r in rows for p in r["prerequisites"]}
        assert run(var_dir, *args).exit_code == 0
        again = {(p, r["id"]) for r in store.read("rec_kps", {"dataset": "lpp"})
                 for p in r["prerequisites"]}
    assert again == edges
    assert nx.is_directed_acyclic_graph(nx.DiGraph(list(edges)))
