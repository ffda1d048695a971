// Experiments. Tutors set one up on their classes (arms, pre- and post-test), start it (the
// server randomises), stop it and read the report: arms side by side, the comparisons, the
// balance check, Cronbach's alpha, a figure, the CSV. Students see only a consent question
// and, once it ended, the questionnaire: never their arm or the hypothesis.

import { api, enc, session } from "./api.js";
import { actionButton, h, list, problemBox, section, show, svg, when } from "./ui.js";

const ARMS = ["kgtutor", "fixed", "mastery", "random"];
const me = () => enc(session().student_id);

// --- tutors -------------------------------------------------------------------------------

export async function experimentsPage() {
  const xs = await api("/experiments");
  show(h("h1", {}, "Experiments"),
    h("p", {}, h("a", { class: "button", href: "#/experiments/new" }, "New experiment")),
    list(xs, (x) => [h("a", { href: `#/experiments/${enc(x.id)}` }, x.name),
      ` · ${x.phase} · ${x.arms.join(" vs ")}`], "No experiment yet."));
}

export async function newExperimentPage() {
  const [classes, tests] = await Promise.all([api("/classes"), api("/tests")]);
  const error = h("div", { "aria-live": "assertive" });
  const field = (label, input) => h("label", { class: "field" }, label, input);
  const name = h("input", { required: true, maxlength: 200 });
  const hypothesis = h("input", { maxlength: 2000 });
  const pick = (label) => h("select", { "aria-label": label, required: true },
    tests.map((t) => h("option", { value: t.id }, `${t.title} (${t.status})`)));
  const pre = pick("Pre-test");
  const post = pick("Post-test");
  if (tests.length > 1) post.selectedIndex = 1;
  const budget = h("input", { type: "number", min: 1, value: 100 });
  const checked = (name) => [...document.querySelectorAll(`input[name=${name}]:checked`)]
    .map((i) => i.value);
  show(h("h1", {}, "New experiment"), h("form", { class: "card", id: "new-experiment",
    onsubmit: async (e) => {
      e.preventDefault();
      try {
        const x = await api("/experiments", { method: "POST", body: {
          name: name.value, hypothesis: hypothesis.value, class_ids: checked("class"),
          arms: checked("arm"), pre_test_id: pre.value, post_test_id: post.value,
          budget: Number(budget.value) } });
        location.hash = `#/experiments/${enc(x.id)}`;
      } catch (err) {
        error.replaceChildren(problemBox(err));
      }
    } },
  field("Name ", name), field("Hypothesis ", hypothesis),
  h("fieldset", {}, h("legend", {}, "Classes"), classes.map((c) => h("label",
    { class: "option" }, h("input", { type: "checkbox", name: "class", value: c.id }),
    ` ${c.name}`))),
  h("fieldset", {}, h("legend", {}, "Arms (the first ticked is the reference)"),
    ARMS.map((a, i) => h("label", { class: "option" }, h("input", { type: "checkbox",
      name: "arm", value: a, checked: i < 2 }), ` ${a}`))),
  field("Pre-test ", pre), field("Post-test ", post),
  field("Practice questions the fixed schedule spreads ", budget),
  error, h("button", { type: "submit" }, "Save as draft")));
}

export async function experimentPage(id) {
  const xid = enc(id);
  const [x, report] = await Promise.all([api(`/experiments/${xid}`),
    api(`/experiments/${xid}/report`)]);
  const error = h("div", { "aria-live": "assertive" });
  const act = (action, label) => actionButton(label, async () => {
    await api(`/experiments/${xid}/${action}`, { method: "POST", body: {} });
    await experimentPage(id);
  }, error);
  const csv = h("button", { type: "button", class: "secondary", onclick: async () => {
    const text = await api(`/experiments/${xid}/export.csv`);
    const a = h("a", { href: URL.createObjectURL(new Blob([text], { type: "text/csv" })),
      download: `experiment-${id}.csv` });
    a.click();
  } }, "Download CSV");
  show(h("h1", {}, x.name),
    h("p", { id: "phase" }, h("strong", {}, x.phase), ` · ${x.arms.join(" vs ")} · classes `
      + `${x.class_ids.join(", ")} · seed ${x.seed}`
      + (x.starts_at ? ` · started ${when(x.starts_at)}` : "")
      + (x.ends_at && x.phase === "ended" ? ` · ended ${when(x.ends_at)}` : "")),
    x.hypothesis ? h("p", {}, `Hypothesis: ${x.hypothesis}`) : null,
    h("div", { class: "row" }, x.phase === "draft" ? act("start", "Start") : null,
      x.phase === "running" ? act("stop", "Stop") : null, csv), error,
    section("Arms", armsTable(x.arms, report)),
    section(`${x.arms[0]} against each other arm`, comparisons(report.by_measure)),
    section("Figure", figure(x.arms, report)),
    h("p", { class: "muted", id: "checks" }, `Pre-test balance p = ${fmt(report.balance_p)}; `
      + `Cronbach's alpha of the questionnaire ${fmt(report.cronbach_alpha)}; analysed `
      + `${report.analysed} of ${report.enrolled} enrolled.`));
}

function fmt(v, digits = 2) {
  return v === null || v === undefined ? "–" : Number(v).toFixed(digits);
}

function armsTable(arms, report) {
  const cols = [["post", "Post-test"], ["gain", "Gain"], ["completion", "Completion"],
    ["time_on_task_s", "Time (s)"], ["satisfaction", "Satisfaction"]];
  return h("div", { class: "scroll" }, h("table", { class: "activity", id: "arms" },
    h("thead", {}, h("tr", {}, ["Arm", "Enrolled", "Analysed", ...cols.map(([, l]) => l),
      "Left out"].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, arms.map((arm) => {
      const a = report.arms[arm];
      const out = a.attrition;
      return h("tr", {}, h("th", { scope: "row" }, arm), h("td", {}, String(a.enrolled)),
        h("td", {}, String(a.n)), cols.map(([k]) => h("td", {}, fmt(a[k].mean, 1))),
        h("td", {}, `${out.no_consent} no consent, ${out.withdrawn} withdrawn, `
          + `${out.no_post_test} no post-test`));
    }))));
}

function comparisons(all) {
  const rows = Object.entries(all).flatMap(([measure, family]) =>
    Object.entries(family).map(([name, c]) => h("tr", {}, h("td", {}, measure),
      h("td", {}, name), h("td", {}, fmt(c.t)), h("td", {}, fmt(c.p, 3)),
      h("td", {}, fmt(c.p_holm, 3)),
      h("td", {}, c.d === null ? "–" : `${fmt(c.d)} [${fmt(c.d_ci95?.[0])}, `
        + `${fmt(c.d_ci95?.[1])}]`))));
  return h("div", { class: "scroll" }, h("table", { class: "activity", id: "comparisons" },
    h("thead", {}, h("tr", {}, ["Measure", "Comparison", "Welch t", "p", "p (Holm)",
      "Cohen's d [95 % CI]"].map((c) => h("th", { scope: "col" }, c)))), h("tbody", {}, rows)));
}

// The mean post-test score per arm with its 95 % interval (normal approximation).
function figure(arms, report) {
  const W = 360, H = 200, L = 40, B = 30;
  const el = svg;
  const y = (v) => H - B - (v / 100) * (H - B - 10);
  const plot = el("svg", { viewBox: `0 0 ${W} ${H}`, class: "plot", id: "arm-plot",
    role: "img", "aria-label": "Mean post-test score per arm with 95 % intervals" });
  plot.append(el("line", { x1: L, y1: y(0), x2: W - 10, y2: y(0), class: "axis" }),
    el("text", { x: 4, y: y(100) + 4 }, "100"), el("text", { x: 4, y: y(0) }, "0"));
  const step = (W - L - 10) / arms.length;
  arms.forEach((arm, i) => {
    const s = report.arms[arm].post;
    const mean = s.mean ?? 0;
    const half = s.sd !== null && s.n > 1 ? 1.96 * s.sd / Math.sqrt(s.n) : 0;
    const x = L + step * i + step / 4;
    plot.append(el("rect", { x, y: y(mean), width: step / 2, height: y(0) - y(mean),
      class: "dot" }),
    el("line", { x1: x + step / 4, x2: x + step / 4, y1: y(Math.min(100, mean + half)),
      y2: y(Math.max(0, mean - half)), class: "axis" }),
    el("text", { x: x + step / 4, y: H - 8, "text-anchor": "middle" }, arm));
  });
  return h("figure", {}, plot, h("figcaption", { class: "muted" }, "Mean post-test score "
    + "(0-100) of the analysed students, with 95 % intervals."));
}

// --- students -----------------------------------------------------------------------------

// The cards a student's practice page shows: a consent question while an experiment of their
// class has none from them, and the questionnaire once it ended.
export async function studyCards() {
  const mine = await api(`/students/${me()}/experiments`).catch(() => []);
  return mine.flatMap((x) => [
    x.consent === null && x.phase !== "ended" ? consentCard(x) : null,
    x.questionnaire.length ? questionnaireCard(x) : null]).filter(Boolean);
}

function consentCard(x) {
  const box = h("section", { class: "card rest", id: `consent-${x.id}` },
    h("h2", {}, "Your class takes part in a study"),
    h("p", {}, `“${x.name}”. May your answers be used, anonymously, to learn which way of `
      + "practising helps most? You practise the same either way, and can change your mind."));
  const say = (consent) => async () => {
    try {
      await api(`/students/${me()}/experiments/${enc(x.id)}/consent`, { method: "PUT",
        body: { consent } });
      box.replaceChildren(h("p", {}, consent ? "Thank you." : "Noted: your answers stay out."));
    } catch (err) {
      box.append(problemBox(err));
    }
  };
  box.append(h("div", { class: "row" }, h("button", { type: "button", onclick: say(true) },
    "Yes"), h("button", { type: "button", class: "secondary", onclick: say(false) }, "No")));
  return box;
}

function questionnaireCard(x) {
  const error = h("div", { "aria-live": "assertive" });
  const form = h("form", { class: "card", id: `questionnaire-${x.id}`, onsubmit: async (e) => {
    e.preventDefault();
    const data = new FormData(e.target);
    const answers = x.questionnaire.map((_, i) => Number(data.get(`q${i}`)));
    try {
      await api(`/students/${me()}/experiments/${enc(x.id)}/questionnaire`,
        { method: "POST", body: { answers } });
      form.replaceChildren(h("p", { role: "status" }, "Thank you for your answers."));
    } catch (err) {
      error.replaceChildren(problemBox(err));
    }
  } },
  h("h2", {}, "A few questions about your practice"),
  h("p", { class: "muted" }, "1: strongly disagree … 5: strongly agree"),
  x.questionnaire.map((text, i) => h("fieldset", { class: "likert" }, h("legend", {}, text),
    [1, 2, 3, 4, 5].map((v) => h("label", { class: "option" }, h("input", { type: "radio",
      name: `q${i}`, value: v, required: v === 1 }), ` ${v}`)))),
  error, h("button", { type: "submit" }, "Send"));
  return form;
}
