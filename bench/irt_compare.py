"""2PL IRT comparison: our PyTorch MAP fit against girth (MML) and pyirt (MML-EM).

    PYTHONPATH=. .venv/bin/python bench/irt_compare.py [--data ../shared/data]
        [--timeout 90] [--pyirt-python /tmp/pyirt-venv/bin/python] [--skip-assist]

Prints one Markdown table. (a) Recovery on synthetic 2PL data with known truth: dense 500x50,
and sparse (1,000 students answer 20 of 200 items each, like real logs): r(a), r(b), r(theta).
(b) ASSIST2009 train (220,070 responses): fit time, then held-out fit on the test students
(positions t >= 1, theta from the online update started at N(0, 1), items from each fit).
girth and pyirt run in child processes under ``--timeout`` seconds each; a run that hits it is
reported as such. pyirt is not installed in the project: give ``--pyirt-python`` an interpreter
of a throwaway venv (``pip install pyirt==0.3.4 'scipy<1.18' numpy``), else it says "not run".
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import log_loss, roc_auc_score

from models.irt import fit_irt, online_predictions, predict

# pyirt's model is sigmoid(alpha * theta + beta): its beta is an intercept, so b = -beta / alpha.
# Its default bounds (alpha in [0.25, 2], beta in [-2, 2]) clip; we widen them.
PYIRT_RUNNER = """
import logging, sys, numpy as np
from pyirt import irt
d = np.load(sys.argv[1])
data = list(zip(d["student"].tolist(), d["item"].tolist(), d["correct"].tolist()))
items, users = irt(data, theta_bnds=[-4, 4], alpha_bnds=[0.25, 4], beta_bnds=[-8, 8])
logging.getLogger().setLevel(logging.WARNING)
alpha = np.full(int(d["n_items"]), np.nan); beta = alpha.copy()
theta = np.full(int(d["n_students"]), np.nan)
for q, p in items.items():
    alpha[q], beta[q] = p["alpha"], p["beta"]
for s, t in users.items():
    theta[s] = t
np.savez(sys.argv[2], a=alpha, b=-beta / alpha, theta=theta)
"""


def synthetic(n_students: int, n_items: int, per_student: int | None, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=n_students)
    a, b = np.exp(rng.normal(0.0, 0.3, n_items)), rng.normal(0.0, 1.0, n_items)
    k = per_student or n_items
    student = np.repeat(np.arange(n_students), k)
    item = np.concatenate([rng.choice(n_items, k, replace=False) for _ in range(n_students)])
    correct = (rng.random(len(student)) < predict(theta[student], a[item], b[item])).astype(int)
    return {"student": student, "item": item, "correct": correct, "n_students": n_students,
            "n_items": n_items, "truth": (a, b, theta)}


def run_ours(d: dict) -> dict:
    started = time.perf_counter()
    p = fit_irt(d["student"], d["item"], d["correct"], d["n_students"], d["n_items"])
    return {"a": p.a, "b": p.b, "theta": p.theta, "seconds": time.perf_counter() - started}


def _girth_child(d: dict, queue: mp.Queue) -> None:
    import girth

    started = time.perf_counter()
    # girth raises on an item without any answer, so only answered items enter the matrix.
    used, row = np.unique(d["item"], return_inverse=True)
    matrix = np.full((len(used), d["n_students"]), girth.INVALID_RESPONSE, dtype=np.int64)
    matrix[row, d["student"]] = d["correct"]
    try:
        fit = girth.twopl_mml(matrix)  # also returns EAP abilities
    except Exception as e:  # report any library failure as a table cell
        queue.put({"note": f"failed: {type(e).__name__}: {e}"[:80]})
        return
    a, b = np.full(d["n_items"], np.nan), np.full(d["n_items"], np.nan)
    a[used], b[used] = fit["Discrimination"], fit["Difficulty"]
    queue.put({"a": a, "b": b, "theta": fit["Ability"], "seconds": time.perf_counter() - started})


def run_girth(d: dict, timeout: float) -> dict:
    """girth wants a dense items x students matrix; missing answers are INVALID_RESPONSE."""
    queue: mp.Queue = mp.get_context("fork").Queue()
    child = mp.get_context("fork").Process(target=_girth_child, args=(d, queue))
    child.start()
    try:
        return queue.get(timeout=timeout)
    except Exception:
        return {"note": f"timed out after {timeout:.0f} s"}
    finally:
        child.terminate()
        child.join()


def run_pyirt(d: dict, python: str | None, timeout: float) -> dict:
    if not python:
        return {"note": "not run (no --pyirt-python)"}
    with tempfile.TemporaryDirectory(prefix="kgt-pyirt-") as tmp:
        src, out, runner = Path(tmp, "in.npz"), Path(tmp, "out.npz"), Path(tmp, "run.py")
        np.savez(src, student=d["student"], item=d["item"], correct=d["correct"],
                 n_students=d["n_students"], n_items=d["n_items"])
        runner.write_text(PYIRT_RUNNER)
        started = time.perf_counter()
        # Own session: pyirt forks workers, and a timeout must end them along with it.
        child = subprocess.Popen([python, str(runner), str(src), str(out)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True)
        try:
            code = child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"note": f"timed out after {timeout:.0f} s"}
        finally:
            if child.poll() is None or group_alive(child.pid):
                os.killpg(child.pid, signal.SIGKILL)
            child.wait()
        if code != 0:
            return {"note": f"failed (exit {code})"}
        seconds = time.perf_counter() - started
        with np.load(out) as r:
            return {"a": r["a"], "b": r["b"], "theta": r["theta"], "seconds": seconds}


def group_alive(pgid: int) -> bool:
    """Whether any process of the group ``pgid`` (which we started) is still running."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def recovery_row(name: str, design: str, fit: dict, truth: tuple) -> str:
    if "note" in fit:
        return f"| {design} | {name} | - | - | - | {fit['note']} |"
    r = [np.corrcoef(np.nan_to_num(fit[k], nan=np.nanmean(fit[k])), t)[0, 1]
         for k, t in zip(("a", "b", "theta"), truth, strict=True)]
    return f"| {design} | {name} | {r[0]:.3f} | {r[1]:.3f} | {r[2]:.3f} | {fit['seconds']:.1f} s |"


def held_out(fit: dict, test_items: tuple, test_correct: tuple, fill: tuple) -> str:
    """Score test students at t >= 1 with theta folded online from their own earlier answers."""
    a = np.where(np.isfinite(fit["a"]), fit["a"], fill[0])
    b = np.where(np.isfinite(fit["b"]), fit["b"], fill[1])
    probs = np.concatenate([online_predictions(a, b, q, c)[1:]
                            for q, c in zip(test_items, test_correct, strict=True)])
    y = np.concatenate([c[1:] for c in test_correct])
    return (f"AUC {roc_auc_score(y, probs):.4f}, acc {np.mean((probs > 0.5) == y):.4f}, "
            f"log-loss {log_loss(y, probs):.4f}")


def assist_rows(data_dir: Path, timeout: float, pyirt_python: str | None) -> list[str]:
    from models.sources import load_responses

    kt = load_responses(data_dir / "assist2009" / "lpp")
    tr = kt.train
    d = {"student": np.concatenate([np.full(len(x), k) for k, x in enumerate(tr.items)]),
         "item": np.concatenate(tr.items), "correct": np.concatenate(tr.correct),
         "n_students": len(tr), "n_items": kt.n_items}
    ours = run_ours(d)
    fill = (1.0, float(np.median(ours["b"])))  # items a library leaves without a value
    rows = []
    for name, fit in (("ours (PyTorch MAP, L-BFGS)", ours), ("girth twopl_mml", run_girth(
            d, timeout)), ("pyirt 0.3.4", run_pyirt(d, pyirt_python, timeout))):
        if "note" in fit:
            rows.append(f"| ASSIST2009 | {name} | - | {fit['note']} |")
        else:
            score = held_out(fit, kt.test.items, kt.test.correct, fill)
            rows.append(f"| ASSIST2009 | {name} | {fit['seconds']:.1f} s | {score} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path,
                        default=Path(os.environ.get("KGTUTOR_DATA", "../shared/data")))
    parser.add_argument("--timeout", type=float, default=90.0,
                        help="seconds allowed to each girth / pyirt run")
    parser.add_argument("--pyirt-python", default=None, help="interpreter with pyirt installed")
    parser.add_argument("--skip-assist", action="store_true")
    args = parser.parse_args()
    fit_irt(np.zeros(4, int), np.zeros(4, int), np.array([0, 1, 1, 0]), 1, 1)  # torch warm-up
    print("| design | method | r(a) | r(b) | r(theta) | fit time |")
    print("|---|---|---|---|---|---|")
    for design, d in (("dense 500x50", synthetic(500, 50, None, 0)),
                      ("sparse 1000x200, 20 each", synthetic(1000, 200, 20, 1))):
        for name, fit in (("ours", run_ours(d)), ("girth", run_girth(d, args.timeout)),
                          ("pyirt", run_pyirt(d, args.pyirt_python, args.timeout))):
            print(recovery_row(name, design, fit, d["truth"]), flush=True)
    if not args.skip_assist:
        print()
        print("| data | method | fit time (train) | held-out test students, t >= 1 |")
        print("|---|---|---|---|")
        for row in assist_rows(args.data, args.timeout, args.pyirt_python):
            print(row, flush=True)


if __name__ == "__main__":
    main()
