"""The classroom study's report as markdown: arms, comparisons, controls (FILE.md)."""

from __future__ import annotations


def markdown_table(report: dict) -> str:
    """Tables of the pooled arms, kgtutor's comparisons (and ablations), then the controls."""
    practice = report["practice"]
    lines = [f"# Simulated classroom study: {report['domain']}, {report['map']} map",
             "",
             f"{report['students_per_arm']} learners per arm x {report['seeds']} seed(s) "
             f"(from {report['first_seed']}); {practice['sessions']} sessions x "
             f"{practice['per_session']} questions; {report['kps']} KPs, {report['items']} "
             f"questions, {report['chapters']['count']} chapters "
             f"({report['chapters']['rule']}); tutors trained on "
             f"{report['history_students']} historical learners"
             + ("; paired design (tuning): every arm practised the same learners."
                if report.get("design") == "paired" else "."),
             "",
             "| arm | pre-test | post-test | gain | completion | over-practice | "
             "questions to mastery | questions | rests |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for arm, s in report["arms"].items():
        lines.append(
            f"| {arm} | {_f(s['pre_test']['mean'])} | {_f(s['post_test']['mean'])} "
            f"({_f(s['post_test']['sd'])}) | {_f(s['gain']['mean'], 3)} | "
            f"{_f(s['completion']['mean'], 3)} | {_f(s['overpractice']['mean'])} | "
            f"{_f(s['questions_to_mastery']['mean'])} | {_f(s['questions']['mean'])} | "
            f"{_f(s['rests']['mean'])} |")
    for family, title in (("comparisons", "kgtutor against the other arms"),
                          ("ablations", "kgtutor against its ablations")):
        if family in report:
            lines += ["", f"**{title}** (post-test, and points learnt: post - pre; Holm over "
                      "this table's rows)", "",
                      *_comparisons(report[family])]
    lines += ["", *_controls(report)]
    return "\n".join(lines) + "\n"


def _comparisons(family: dict) -> list[str]:
    paired = any("paired" in c for c in family.values())
    lines = ["| comparison | rel. gain | t | p | p (Holm) | d [95 % CI] | "
             "completion rel. gain | points learnt: diff, p (Holm), d |"
             + (" paired diff ± se | paired p | completion: paired diff ± se, p |"
                if paired else ""),
             "|---|---:|---:|---:|---:|---:|---:|---:|" + ("---:|---:|---:|" if paired else "")]
    for name, c in family.items():
        ci = c["d_ci95"]
        interval = f" [{_f(ci[0], 2)}, {_f(ci[1], 2)}]" if ci else ""
        row = (f"| {name} | {_pct(c['rel_gain'])} | {_f(c['t'], 2)} | {_p(c['p'])} | "
               f"{_p(c['p_holm'])} | {_f(c['d'], 2)}{interval} | "
               f"{_pct(c['completion_rel_gain'])} | {_learnt(c.get('learnt'))} |")
        if paired:
            d = c["paired"]
            row += f" {_f(d['diff'], 2)} ± {_f(d['se'], 2)} | {_p(d['p'])} |"
            e = c.get("paired_completion")
            row += f" {_f(e['diff'], 3)} ± {_f(e['se'], 3)}, {_p(e['p'])} |" if e else " - |"
        lines.append(row)
    return lines


def _learnt(c: dict | None) -> str:
    """The change-score comparison (post - pre), absent from reports written before it."""
    if not c:
        return "-"
    return f"{_f(c['diff'], 2)}, {_p(c['p_holm'])}, {_f(c['d'], 2)}"


def _controls(report: dict) -> list[str]:
    c = report["controls"]
    fid = c["fidelity"]
    lines = [f"- oracle_gap_closed (kgtutor - mastery) / (oracle - mastery): "
             f"{_f(report['oracle_gap_closed'], 3)}",
             f"- no-learning control: max |d| between arms {_f(c['no_learning']['max_abs_d'], 3)}"
             f" ({c['no_learning']['seeds']} seed(s); must be < 0.1)",
             f"- oracle bounds every arm (pooled and per seed): {c['oracle_bounds']}",
             f"- fidelity: Bi-LSTM AUC on simulated logs {_f(fid.get('auc_sim'), 4)}, on real "
             f"{_f(fid.get('auc_real'), 4)} (within ±0.05: {fid.get('auc_within_0_05', '-')})"]
    if "per_kp_r" in fid:
        lines.append(f"- fidelity: per-KP right-answer rate r = {_f(fid['per_kp_r'], 3)}; "
                     f"overall {_f(fid['correct_rate_sim'], 3)} simulated, "
                     f"{_f(fid['correct_rate_real'], 3)} real")
    if fid.get("sampled"):
        lines.append(f"- fidelity compared {fid['students_compared']} students sampled from a "
                     "large data set, real and simulated alike")
    if fid.get("note"):
        lines.append(f"- fidelity note: {fid['note']}")
    lines.append(f"- wall time: {report['seconds']['total']} s")
    return lines


def _f(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:+.1%}"


def _p(x: float | None) -> str:
    if x is None:
        return "-"
    return "< 1e-300" if x == 0 else f"{x:.1e}" if x < 1e-3 else f"{x:.3f}"
