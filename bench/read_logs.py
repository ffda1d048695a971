"""Reading answer logs as their systems ship them: ASSIST2009's answers written out in each format
the readers take, then read back, timed and counted.

    .venv/bin/python bench/read_logs.py [--data ../shared/data]

The lpp folder's 278,336 answers are written as: the lpp folder itself; one four-column
``preprocessed_data.csv`` as lpp's own ``prepare_data.py`` writes it (comma-separated here);
the ASSISTments 2009 skill-builder CSV (one row per skill of an answer, rows shuffled, skill
names with commas, ISO-8859-1); a DataShop student-step export (tab-separated, the
skills as ``KC(Default)`` joined by ``~~``, a clock one minute apart); and Junyi's problem log
(the exercise being the item's first skill, since Junyi's exercise is both item and KP; the
clock in microseconds, ``true``/``false``); an EdNet KT1 folder (one file per student,
the answers ``a`` when right, against a ``questions.csv`` whose tags are the skills); and
Eedi's NeurIPS 2020 answers with their metadata (dates a minute apart, each question's
subjects its skills under one root); and knowledge-tracing sequences: AKT's four lines per
student (an answer written once per skill, the students in five folds, fold 1 read), pyKT's
``data.txt`` (six lines, skills joined by ``_``), pyKT's ``train_valid.csv`` and ``test.csv``
(an answer repeated per further skill, ids re-indexed through ``keyid2idx.json``) and DKT's
three lines (the answer's first skill as its item). Every format but Junyi's and DKT's must
give back the same answers, questions with skills and TESTS edges, Junyi's and DKT's the same
answers and students; the table prints the read time (file to domain objects, best of 3) and
what was read.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from datasets.assist2009 import read_assist
from datasets.assistments import read_assistments
from datasets.datashop import read_datashop
from datasets.ednet import read_ednet
from datasets.eedi import read_eedi
from datasets.junyi_log import read_junyi_log
from datasets.kt_sequences import read_sequences
from datasets.logs import LogDataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path,
                        default=Path(os.environ.get("KGTUTOR_DATA", "../shared/data")))
    args = parser.parse_args()
    lpp = args.data / "assist2009" / "lpp"
    with tempfile.TemporaryDirectory(prefix="kgt-logs-") as tmp:
        files = write_formats(lpp, Path(tmp))
        readers: list[tuple[str, Path, Callable[[Path], LogDataset]]] = [
            ("lpp folder (train + test, q_mat.npz)", lpp, read_assist),
            ("lpp, one 4-column file, commas", files["lpp1"], read_assist),
            ("ASSISTments 2009 skill builder CSV", files["assistments"], read_assistments),
            ("DataShop student-step export", files["datashop"], read_datashop),
            ("Junyi problem log (exercise = first skill)", files["junyi"], read_junyi_log),
            ("EdNet KT1 folder, questions.csv beside", files["ednet"], read_ednet),
            ("Eedi answers, metadata beside", files["eedi"], read_eedi),
            ("AKT sequences, 4 lines, fold 1 of 5", files["akt"], read_sequences),
            ("pyKT data.txt, 6 lines", files["pykt_txt"], read_sequences),
            ("pyKT train_valid.csv + test.csv", files["pykt_csv"], read_sequences),
            ("DKT sequences, 3 lines (item = first skill)", files["dkt"], read_sequences),
        ]
        print("| format | rows in file | answers | students | questions | TESTS | KPs | "
              "read s (best of 3) |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for label, path, read in readers:
            best, ds = float("inf"), None
            for _ in range(3):
                t = time.perf_counter()
                ds = read(path)
                best = min(best, time.perf_counter() - t)
            assert ds is not None
            c = ds.report.counts
            print(f"| {label} | {c['rows_read']:,} | {len(ds.attempts):,} | "
                  f"{len(ds.students):,} | {len(ds.questions):,} | {len(ds.tests):,} | "
                  f"{len(ds.kps)} | {best:.2f} |")


def write_formats(lpp: Path, out: Path) -> dict[str, Path]:
    """The lpp folder's answers in the other formats, under ``out``."""
    q = sp.load_npz(lpp / "q_mat.npz").tocsr()
    rows = pd.concat([pd.read_csv(lpp / f, sep="\t") for f in
                      ("preprocessed_data_train.csv", "preprocessed_data_test.csv")],
                     ignore_index=True)
    one = out / "lpp1"
    one.mkdir()
    rows[["user_id", "item_id", "timestamp", "correct"]].to_csv(
        one / "preprocessed_data.csv", index=False)
    shutil.copy(lpp / "q_mat.npz", one / "q_mat.npz")
    per_item = np.diff(q.indptr)
    skills = [q.indices[q.indptr[i]:q.indptr[i + 1]].tolist() for i in range(q.shape[0])]
    repeat = np.maximum(per_item[rows["item_id"]], 1)
    sb = rows.loc[rows.index.repeat(repeat)].copy()
    sb["order_id"] = 1000 + 3 * sb.index
    sb["skill_id"] = [str(s[j]) if s else "" for s, j in zip(
        (skills[i] for i in sb["item_id"]), sb.groupby(level=0).cumcount(), strict=True)]
    sb["skill_name"] = [f"Skill {s}, written out" if s else "" for s in sb["skill_id"]]
    sb = sb.rename(columns={"item_id": "problem_id"}).sample(frac=1.0, random_state=0)
    sb[["order_id", "user_id", "problem_id", "correct", "skill_id", "skill_name"]].to_csv(
        out / "skill_builder_data.csv", index=False, encoding="iso-8859-1")
    clock = pd.Timestamp("2010-01-01") + pd.to_timedelta(np.arange(len(rows)), unit="min")
    ds = pd.DataFrame({
        "Row": np.arange(1, len(rows) + 1), "Anon Student Id": "s" + rows["user_id"].astype(str),
        "Problem Name": "P" + rows["item_id"].astype(str), "Step Name": "answer",
        "First Transaction Time": clock.strftime("%Y-%m-%d %H:%M:%S.0"),
        "Correct First Attempt": rows["correct"],
        "KC(Default)": ["~~".join(f"Skill {k}" for k in skills[i]) for i in rows["item_id"]]})
    ds.to_csv(out / "datashop.txt", sep="\t", index=False)
    junyi = out / "junyi"
    junyi.mkdir()
    pd.DataFrame({
        "user_id": rows["user_id"],
        "exercise": [f"skill_{skills[i][0]}" if skills[i] else "no_skill"
                     for i in rows["item_id"]],
        "problem_type": "", "problem_number": rows.groupby("user_id").cumcount() + 1,
        "time_done": 1_262_304_000_000_000 + 60_000_000 * np.arange(len(rows)),
        "correct": rows["correct"].map({1: "true", 0: "false"}),
    }).to_csv(junyi / "junyi_ProblemLog_original.csv", index=False)
    kt1 = out / "KT1"
    kt1.mkdir()
    pd.DataFrame({"question_id": [f"q{i}" for i in range(q.shape[0])], "bundle_id": "b",
                  "explanation_id": "e", "correct_answer": "a", "part": 1,
                  "tags": [";".join(map(str, s)) or "-1" for s in skills],
                  "deployed_at": 0}).to_csv(kt1 / "questions.csv", index=False)
    for user, theirs in rows.groupby("user_id", sort=False):
        pd.DataFrame({"timestamp": 1_565_096_190_000 + 1000 * np.arange(len(theirs)),
                      "solving_id": np.arange(1, len(theirs) + 1),
                      "question_id": "q" + theirs["item_id"].astype(str),
                      "user_answer": np.where(theirs["correct"] == 1, "a", "b"),
                      "elapsed_time": 1000}).to_csv(kt1 / f"u{user}.csv", index=False)
    eedi, meta = out / "eedi" / "train_data", out / "eedi" / "metadata"
    eedi.mkdir(parents=True)
    meta.mkdir()
    pd.DataFrame({"QuestionId": rows["item_id"], "UserId": rows["user_id"],
                  "AnswerId": np.arange(len(rows)), "IsCorrect": rows["correct"],
                  "CorrectAnswer": 1, "AnswerValue": 1}).to_csv(
        eedi / "train_task_3_4.csv", index=False)
    pd.DataFrame({"AnswerId": np.arange(len(rows)),
                  "DateAnswered": clock.strftime("%Y-%m-%d %H:%M:%S.000")}).to_csv(
        meta / "answer_metadata_task_3_4.csv", index=False)
    pd.DataFrame({"QuestionId": np.arange(q.shape[0]),
                  "SubjectId": [str([100_000, *s]) for s in skills]}).to_csv(
        meta / "question_metadata_task_3_4.csv", index=False)
    n_skills = q.shape[1]
    pd.DataFrame({"SubjectId": [100_000, *range(n_skills)],
                  "Name": ["Maths", *(f"Skill {k}" for k in range(n_skills))],
                  "ParentId": ["", *[100_000] * n_skills],
                  "Level": [0, *[1] * n_skills]}).to_csv(meta / "subject_metadata.csv",
                                                          index=False)
    sequences(rows, skills, out)
    return {"akt": out / "akt", "pykt_txt": out / "pykt" / "data.txt",
            "pykt_csv": out / "pykt_csv", "dkt": out / "dkt" / "toy.csv", "lpp1": one,
            "assistments": out / "skill_builder_data.csv",
            "datashop": out / "datashop.txt",
            "junyi": junyi / "junyi_ProblemLog_original.csv", "ednet": kt1,
            "eedi": eedi / "train_task_3_4.csv"}


def sequences(rows: pd.DataFrame, skills: list[list[int]], out: Path) -> None:
    """The answers as AKT's, pyKT's and DKT's sequence files, under ``out`` (every ASSIST2009
    item has a skill)."""
    for folder in ("akt", "pykt", "pykt_csv", "dkt"):
        (out / folder).mkdir()
    folds: dict[str, list[str]] = {f: [] for f in ("test1", "valid1", "train1", "train2")}
    text, dkt = [], []
    tables = {part: {c: [] for c in ("fold", "uid", "questions", "concepts", "responses",
                                     "is_repeat")} for part in ("train_valid", "test")}
    for n, (user, theirs) in enumerate(rows.groupby("user_id", sort=False)):
        items, right = theirs["item_id"].tolist(), theirs["correct"].astype(str).tolist()
        wide = [(i, k, r, j > 0) for i, r in zip(items, right, strict=True)
                for j, k in enumerate(skills[i])]  # one row per skill of an answer
        akt = "\n".join((f"{n},{user}", ",".join(str(i) for i, *_ in wide),
                         ",".join(str(k + 1) for _, k, *_ in wide),
                         ",".join(r for _, _, r, _ in wide))) + "\n"
        folds[("test1", "valid1", "train1", "train1", "train1")[n % 5]].append(akt)
        if n % 5 != 1:
            folds["train2"].append(akt)  # another fold's split: not read
        text.append("\n".join((f"{user},{len(items)}", ",".join(map(str, items)),
                               ",".join("_".join(map(str, skills[i])) for i in items),
                               ",".join(right), "NA", "NA")) + "\n")
        dkt.append("\n".join((str(len(items)), ",".join(str(skills[i][0]) for i in items),
                              ",".join(right))) + "\n")
        table = tables["test" if n % 5 == 0 else "train_valid"]
        for column, value in (("fold", -1 if n % 5 == 0 else n % 5 - 1), ("uid", user),
                              ("questions", ",".join(str(i + 7) for i, *_ in wide)),
                              ("concepts", ",".join(str(k + 4) for _, k, *_ in wide)),
                              ("responses", ",".join(r for _, _, r, _ in wide)),
                              ("is_repeat", ",".join(str(int(x)) for *_, x in wide))):
            table[column].append(value)
    for fold, groups in folds.items():
        (out / "akt" / f"toy_pid_{fold}.csv").write_text("".join(groups))
    (out / "pykt" / "data.txt").write_text("".join(text))
    (out / "dkt" / "toy.csv").write_text("".join(dkt))
    for part, table in tables.items():
        pd.DataFrame(table).to_csv(out / "pykt_csv" / f"{part}.csv", index=False)
    n_skills = 1 + max(k for ks in skills for k in ks)
    (out / "pykt_csv" / "keyid2idx.json").write_text(json.dumps(  # indices shifted, read back
        {"questions": {str(i): i + 7 for i in range(len(skills))},
         "concepts": {str(k): k + 4 for k in range(n_skills)}, "max_concepts": 4}))


if __name__ == "__main__":
    main()
