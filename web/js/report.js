// One student's report, for their tutors (and the student themself): summary, mastery by
// chapter, recent answers, suggestions, the learning path with its re-routings (tutors pin,
// unpin or remove open steps here), affect history and the notifications sent.

import { api, enc, session } from "./api.js";
import { catalogue, kpName } from "./catalogue.js";
import { stepLabel } from "./student.js";
import { h, list, masteryColour, pct, problemBox, section, show, when } from "./ui.js";

const RECENT = 10;
const OPEN = new Set(["current", "todo"]);  // the steps a tutor may still change

export async function reportPage(studentId) {
  const sid = enc(studentId);
  const [report, notes, attempts] = await Promise.all([
    api(`/students/${sid}/report`), api(`/students/${sid}/notifications?page_size=20`),
    api(`/students/${sid}/attempts?page_size=${RECENT}`)]);
  const { chapters: all } = await catalogue();
  // the student's own course: other datasets' chapters have nothing of theirs to show
  const chapters = all.filter((c) => !report.profile.dataset || c.dataset === report.profile.dataset);
  const maps = await Promise.all(chapters.map((c) => api(`/students/${sid}/map/${enc(c.id)}`)));
  const path = section("Learning path and re-routings", h("p", { class: "muted" }, "Loading…"));
  const p = report.profile;
  show(h("h1", {}, p.name || p.student_id),
    section("Summary", h("p", {}, summary(p, report.facts))),
    h("div", { class: "pair" },
      section("Mastery by chapter", masteryBars(chapters, maps)),
      section("Recent activity", await recentActivity(attempts))),
    section("Intervention suggestions", list(report.suggestions,
      (s) => `${s.text} (priority ${s.priority})`, "No intervention needed.")),
    path,
    section("Recent adjustments", list(report.adjustments, (a) =>
      `${when(a.window)}: ${[...a.findings, ...a.reasons].join("; ")}`, "None.")),
    section("Affect history", report.affect === null
      ? h("p", { class: "muted" }, "The student has not consented to affect processing.")
      : list(report.affect, (a) => `${when(a.ts)}: ${a.tag} (${a.source})`, "No readings.")),
    section("Notifications sent", list(notes, (n) =>
      `${when(n.created)} to ${n.to}: ${n.subject} [${n.status}]`, "None.")));
  await pathSection(path, sid);
}

function masteryBars(chapters, maps) {
  return h("div", { class: "bars" }, chapters.map((c, i) => {
    const known = maps[i].kps.filter((k) => !k.external && k.mastery !== null);
    const m = known.length ? known.reduce((a, k) => a + k.mastery, 0) / known.length : null;
    return h("div", { class: "bar-row" }, h("span", {}, c.name),
      h("span", { class: "meter", role: "img", "aria-label": `${c.name}: ${pct(m)}` },
        h("span", { style: `width:${Math.round((m || 0) * 100)}%;background:${masteryColour(m)}` })),
      h("span", {}, pct(m)));
  }));
}

// The latest answers, newest first: when, which question, its KP(s), right or wrong.
async function recentActivity(attempts) {
  if (!attempts.length) return h("p", { class: "muted" }, "No answers yet.");
  const names = await Promise.all(attempts.map((a) => Promise.all(a.kp_ids.map(kpName))));
  return h("div", { class: "scroll" }, h("table", { class: "activity", id: "recent" },
    h("caption", { class: "sr-only" }, `The last ${attempts.length} answers, newest first`),
    h("thead", {}, h("tr", {}, ["Time", "Question", "Knowledge point", "Result"].map((t) =>
      h("th", { scope: "col" }, t)))),
    h("tbody", {}, attempts.map((a, i) => h("tr", {},
      h("td", {}, when(a.ts)), h("td", {}, h("code", {}, a.question_id)),
      h("td", {}, names[i].join(", ") || "–"),
      h("td", { class: a.correct ? "ok" : "bad" }, a.correct ? "✓ correct" : "✗ wrong"))))));
}

// The current path as a timeline, then every version with its reason. Fetched (again after
// each edit) into the section it is given.
async function pathSection(box, sid) {
  const render = (...body) => box.replaceChildren(h("h2", {}, "Learning path and re-routings"),
    ...body);
  const history = await api(`/students/${sid}/path/history?page_size=20`);
  if (!history.length) return render(h("p", { class: "muted" }, "No learning path yet."));
  const path = await api(`/students/${sid}/path`);
  const names = await Promise.all(path.steps.map((s) => kpName(s.kp_id)));
  const error = h("div", { "aria-live": "polite" });
  const edit = async (action, kpId) => {
    try {
      await api(`/students/${sid}/path/${action}`, { method: "POST",
        body: { kp_id: kpId, goal_kp: path.goal_kp } });
      await pathSection(box, sid);
    } catch (err) {
      error.replaceChildren(problemBox(err));
    }
  };
  const tutor = session()?.role !== "student";
  render(h("p", {}, `Goal: ${await kpName(path.goal_kp)} (version ${path.version})`),
    h("ol", { class: "timeline", id: "report-path", "aria-label": "Steps" },
      path.steps.map((s, i) => h("li", { class: s.status, dataset: { kp: s.kp_id } },
        h("span", { class: "status" }, stepLabel(s.status)), " ", names[i],
        s.inserted ? h("span", { class: "badge" }, "added by a re-route") : null,
        s.pinned ? h("span", { class: "badge" }, "pinned") : null,
        tutor && OPEN.has(s.status) ? stepButtons(s, names[i], path.goal_kp, edit) : null))),
    error,
    h("h3", {}, "Versions"), list(history, (v) =>
      `v${v.version} (${when(v.ts)}): ${v.reason || "started"}`));
}

function stepButtons(step, name, goal, edit) {
  const button = (action, text) => h("button", { type: "button", class: "secondary small",
    "aria-label": `${text} ${name}`, onclick: () => edit(action, step.kp_id) }, text);
  return h("span", { class: "edits" }, step.pinned ? button("unpin", "Unpin")
    : button("pin", "Pin"), step.kp_id === goal ? null : button("remove", "Remove"));
}

function summary(p, f) {
  const parts = [`Mean mastery ${pct(f.mastery_mean)}`,
    `accuracy ${pct(f.accuracy)} over the last answers`,
    `${f.attempts_7d} answers in the last 7 days`,
    `${Math.round(f.days_inactive)} days since the last activity`,
    `current mood: ${f.affect}`];
  if (f.stuck_kps) parts.push(`stuck on ${f.stuck_kps} KP(s)`);
  return `${parts.join(", ")}. Classes: ${p.class_ids.join(", ") || "none"}.`;
}
