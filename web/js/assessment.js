// Tests. Students see the tests assigned to them and sit them one question at a time: a
// progress bar, the time left on the server's clock, no answer key ever, back only where the
// form allows it (never in an adaptive test). Tutors set tests (picked questions, a blueprint
// drawn per student, or an adaptive test over chapters), publish and close them, and read the
// results: per student, per KP, and an item analysis with its plot.

import { api, enc, session } from "./api.js";
import { catalogue } from "./catalogue.js";
import { choiceLabel, richText } from "./richtext.js";
import { actionButton, h, list, pct, problemBox, section, show, svg, when } from "./ui.js";

const me = () => enc(session().student_id);
let ticker = null;  // the countdown of the sitting on screen

// --- students ----------------------------------------------------------------------------

export async function myTestsPage() {
  const [tests, placement] = await Promise.all([api(`/students/${me()}/tests`),
    api(`/students/${me()}/placement`).catch(() => null)]);
  show(h("h1", {}, "Tests"), placement?.offered ? placementBanner() : null,
    tests.length ? h("ul", { class: "cards", id: "tests" }, tests.map((t) =>
      h("li", {}, testCard(t)))) : h("p", { class: "muted" }, "No test is assigned to you."));
}

export function placementBanner() {
  return h("section", { class: "card rest", id: "placement" }, h("h2", {}, "New here?"),
    h("p", {}, "A short adaptive test finds where you stand, so your practice starts from "
      + "there and skips what you already know."),
    h("a", { class: "button", href: "#/placement" }, "Take the placement test"));
}

function testCard(t) {
  const last = t.sittings[t.sittings.length - 1];
  const open = last && !last.finished;
  return h("article", { class: "card", "aria-label": t.test.title },
    h("h2", {}, t.test.title),
    h("p", { class: "muted" }, describe(t.test)),
    last?.finished ? h("p", {}, resultLine(last)) : null,
    t.available ? h("a", { class: "button", href: `#/tests/${enc(t.test.id)}` },
      open ? "Resume" : last ? "Try again" : "Start")
      : h("p", { class: "muted" }, capital(t.why_not || "")));
}

function describe(test) {
  const parts = [test.form === "adaptive" ? `adaptive, at most ${test.length} questions`
    : `${test.length} questions`];
  if (test.time_limit_s) parts.push(`${Math.round(test.time_limit_s / 60)} min`);
  if (test.closes_at) parts.push(`closes ${when(Date.parse(test.closes_at))}`);
  if (test.attempts_allowed > 1) parts.push(`${test.attempts_allowed} attempts`);
  return parts.join(" · ");
}

function resultLine(s) {
  return s.score ? `Your score: ${s.score.right} of ${s.score.items} (${s.score.percent}%)`
    : "Handed in. Your tutor will share the results.";
}

export async function placementPage() {
  const p = await api(`/students/${me()}/placement`, { method: "POST", body: {} });
  location.replace(`#/tests/${enc(p.test.id)}`);
}

export async function sittingPage(testId) {
  const base = `/students/${me()}/tests/${enc(testId)}`;
  const listed = (await api(`/students/${me()}/tests`)).find((t) => t.test.id === testId);
  let sittings = listed?.sittings || [];
  if (!listed) {  // the placement test is assigned to nobody: it has its own resource
    const placement = await api(`/students/${me()}/placement`);
    if (placement.test.id === testId) sittings = placement.sittings;
  }
  // read the sitting only when there is one, so that no request is answered 404
  const p = sittings.length ? await api(`${base}/sitting`) : null;
  if (!p || p.sitting.finished) return introPage(base, listed, p);
  renderSitting(base, p);
}

async function introPage(base, listed, last) {
  const test = listed?.test || last?.test;
  const error = h("div", { "aria-live": "polite" });
  const startable = listed ? listed.available : !last;
  show(h("h1", {}, test ? test.title : "Test"),
    last ? section("Your result", h("p", { id: "result" }, resultLine(last.sitting))) : null,
    test ? h("p", { class: "muted" }, describe(test)) : null,
    startable ? h("div", { class: "card" },
      h("p", {}, test?.form === "adaptive"
        ? "Each question depends on your answers so far: there is no going back."
        : "You can move between questions until you hand in."),
      test?.time_limit_s ? h("p", {}, `The clock starts when you press Start and keeps `
        + `running if you leave.`) : null,
      h("button", { type: "button", onclick: async () => {
        try {
          renderSitting(base, await api(`${base}/sittings`, { method: "POST", body: {} }));
        } catch (err) {
          error.replaceChildren(problemBox(err));
        }
      } }, "Start"), error) : listed?.why_not ? h("p", { class: "muted" },
      capital(listed.why_not)) : null,
    h("p", {}, h("a", { href: "#/tests" }, "All tests")));
}

function renderSitting(base, p) {
  clearInterval(ticker);
  if (p.sitting.finished) return finished(p);
  const q = p.question;
  const total = p.test.form === "fixed" ? p.items.length : p.test.length;
  const answered = p.sitting.answered;
  const error = h("div", { "aria-live": "assertive" });
  const timer = h("p", { class: "timer", id: "time-left", role: "timer", "aria-live": "off" });
  const options = q ? h("fieldset", {}, h("legend", {}, "Choose an answer"),
    q.options.map((o, j) => choiceLabel(h("input", { type: "radio", name: "answer", value: o,
      required: j === 0, checked: o === q.response }), o)))
    : null;
  const send = async (e) => {
    e.preventDefault();
    const value = new FormData(e.target).get("answer");
    try {
      const next = await api(`${base}/answers`, { method: "POST",
        body: { question_id: q.id, answer: String(value) } });
      renderSitting(base, next);
    } catch (err) {
      error.replaceChildren(problemBox(err));
      if (err.status === 409) setTimeout(() => reload(base), 1500);
    }
  };
  const back = p.test.form === "fixed" && p.test.allow_back;
  const nav = back ? h("nav", { class: "items", "aria-label": "Questions" },
    p.items.map((item, i) => h("button", { type: "button",
      class: `small ${item.answered ? "" : "secondary"}`,
      "aria-current": q && q.id === item.question_id ? "step" : null,
      "aria-label": `Question ${i + 1}${item.answered ? ", answered" : ""}`,
      onclick: () => goTo(base, i + 1) }, String(i + 1)))) : null;
  show(h("h1", {}, p.test.title),
    h("div", { class: "progress" },
      h("label", { for: "progress" }, q ? `Question ${q.position} of ${total}`
        + (p.test.form === "adaptive" ? " at most" : "") : `${answered} of ${total} answered`),
      h("progress", { id: "progress", max: total, value: answered }), timer),
    nav,
    q ? h("form", { class: "card task", "aria-label": `Question ${q.position}`,
      dataset: { question: q.id }, onsubmit: send },
    richText(h("div", { class: "question" }), q.text), options,
    h("div", { class: "row" }, h("button", { type: "submit" },
      back ? "Save answer" : "Answer"),
    back && q.position > 1 ? h("button", { type: "button", class: "secondary",
      onclick: () => goTo(base, q.position - 1) }, "Previous") : null))
      : h("p", { class: "card" }, "Every question is answered. Hand in when you are ready."),
    error,
    p.test.form === "fixed" ? h("div", { class: "row" }, h("button", { type: "button",
      class: "secondary", id: "hand-in", onclick: async () => {
        if (answered < total && !confirm(`${total - answered} question(s) are unanswered. `
          + "Hand in anyway?")) return;
        try {
          renderSitting(base, await api(`${base}/finish`, { method: "POST", body: {} }));
        } catch (err) {
          error.replaceChildren(problemBox(err));
        }
      } }, "Hand in")) : null);
  countdown(timer, p.time_left_s, base);
  document.querySelector("form.task input")?.focus?.();
}

function countdown(timer, seconds, base) {
  if (seconds === null || seconds === undefined) {
    timer.textContent = "No time limit";
    return;
  }
  const ends = Date.now() + seconds * 1000;  // the server's figure; the server decides
  const paint = () => {
    const left = Math.max(0, Math.round((ends - Date.now()) / 1000));
    timer.textContent = `Time left: ${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
    if (!left) {
      clearInterval(ticker);
      reload(base);
    }
  };
  paint();
  ticker = setInterval(paint, 1000);
}

async function goTo(base, position) {
  renderSitting(base, await api(`${base}/sitting?position=${position}`));
}

async function reload(base) {
  renderSitting(base, await api(`${base}/sitting`));
}

function finished(p) {
  const s = p.sitting;
  show(h("h1", {}, p.test.title),
    section("Handed in", h("p", { id: "result" }, resultLine(s)),
      p.test.purpose === "placement" ? h("p", {}, "Your practice now starts from where this "
        + "test placed you.", " ", h("a", { href: "#/practice" }, "Practise now")) : null,
      s.review ? h("ol", { class: "review", "aria-label": "Your answers" },
        s.review.map((r) => h("li", { class: r.correct ? "ok" : "bad" },
          r.correct ? "right" : "wrong"))) : null),
    h("p", {}, h("a", { href: "#/tests" }, "All tests")));
}

// --- tutors -------------------------------------------------------------------------------

export async function testsAdminPage() {
  const tests = await api("/tests");
  show(h("h1", {}, "Tests"), h("p", {}, h("a", { class: "button", href: "#/tests/new" },
    "New test")),
  tests.length ? h("table", { class: "activity", id: "test-list" },
    h("thead", {}, h("tr", {}, ["Title", "Status", "Form", "Classes", "Sittings"].map((c) =>
      h("th", { scope: "col" }, c)))),
    h("tbody", {}, tests.map((t) => h("tr", {},
      h("td", {}, h("a", { href: `#/tests/${enc(t.id)}` }, t.title)), h("td", {}, t.status),
      h("td", {}, t.form), h("td", {}, t.class_ids.join(", ")),
      h("td", {}, String(t.sittings))))))
    : h("p", { class: "muted" }, "No test yet."));
}

export async function newTestPage() {
  const [classes, { chapters, kps }] = await Promise.all([api("/classes"), catalogue()]);
  const error = h("div", { "aria-live": "assertive" });
  const picked = new Set();
  const pickedList = h("ul", { id: "picked" });
  const field = (label, input) => h("label", { class: "field" }, label, input);
  const title = h("input", { name: "title", required: true, maxlength: 200 });
  const form = h("select", { name: "form" }, h("option", { value: "fixed" }, "Fixed form"),
    h("option", { value: "adaptive" }, "Adaptive (CAT)"));
  const kpSelect = h("select", { "aria-label": "KP to pick questions from" },
    h("option", { value: "" }, "Choose a KP…"), [...kps.values()].map((k) =>
      h("option", { value: k.id }, `${k.chapter}: ${k.name}`)));
  const questions = h("div", { class: "picker", id: "kp-questions" });
  kpSelect.addEventListener("change", async () => {
    if (!kpSelect.value) return questions.replaceChildren();
    const page = await api(`/kps/${enc(kpSelect.value)}`);
    questions.replaceChildren(...page.questions.map((q) => choiceLabel(
      h("input", { type: "checkbox", value: q.id, checked: picked.has(q.id), onchange: (e) => {
        if (e.target.checked) picked.add(q.id); else picked.delete(q.id);
        pickedList.replaceChildren(...[...picked].map((id) => h("li", {}, id)));
      } }), q.text)));
  });
  const scopes = [...chapters.map((c) => [c.id, `Chapter: ${c.name}`]),
    ...[...kps.values()].map((k) => [k.id, `KP: ${k.name}`])];
  const rows = h("div", { class: "blueprint" });
  const addRow = () => rows.append(h("div", { class: "row" },
    h("select", { class: "scope", "aria-label": "Draw from" }, scopes.map(([id, name]) =>
      h("option", { value: id }, name))),
    h("input", { class: "count", type: "number", min: 1, max: 200, value: 2,
      "aria-label": "Questions drawn" })));
  const chapterBoxes = h("fieldset", { class: "scopes" }, h("legend", {}, "Chapters the items "
    + "come from"), chapters.map((c) => h("label", { class: "option" }, h("input", {
    type: "checkbox", name: "scope", value: c.id }), ` ${c.name}`)));
  const fixedPart = section("Questions", h("p", { class: "muted" }, "Pick questions, or draw "
    + "them per student from KPs or chapters (a blueprint), or both."), kpSelect, questions,
  h("h3", {}, "Picked"), pickedList, h("h3", {}, "Blueprint"), rows,
  h("button", { type: "button", class: "secondary small", onclick: addRow }, "Add a row"));
  const maxItems = h("input", { type: "number", min: 1, max: 200, value: 20, name: "max" });
  const adaptivePart = section("Item bank", chapterBoxes, field("At most this many items ",
    maxItems));
  adaptivePart.hidden = true;
  form.addEventListener("change", () => {
    fixedPart.hidden = form.value !== "fixed";
    adaptivePart.hidden = form.value !== "adaptive";
  });
  const classBoxes = h("fieldset", {}, h("legend", {}, "Classes"), classes.map((c) =>
    h("label", { class: "option" }, h("input", { type: "checkbox", name: "class",
      value: c.id }), ` ${c.name}`)));
  const limit = h("input", { type: "number", min: 1, name: "limit" });
  const attempts = h("input", { type: "number", min: 1, max: 100, value: 1, name: "attempts" });
  const opens = h("input", { type: "datetime-local", name: "opens" });
  const closes = h("input", { type: "datetime-local", name: "closes" });
  const showResults = h("input", { type: "checkbox", checked: true, name: "show" });
  const allowBack = h("input", { type: "checkbox", checked: true, name: "back" });
  const checked = (name) => [...document.querySelectorAll(`input[name=${name}]:checked`)]
    .map((i) => i.value);
  const iso = (input) => (input.value ? new Date(input.value).toISOString() : null);
  show(h("h1", {}, "New test"), h("form", { class: "card", id: "new-test",
    onsubmit: async (e) => {
      e.preventDefault();
      const adaptive = form.value === "adaptive";
      const body = { title: title.value, form: form.value, class_ids: checked("class"),
        time_limit_s: limit.value ? Number(limit.value) * 60 : null,
        attempts_allowed: Number(attempts.value), opens_at: iso(opens), closes_at: iso(closes),
        show_results: showResults.checked, allow_back: allowBack.checked };
      if (adaptive) Object.assign(body, { scope_ids: checked("scope"),
        max_items: Number(maxItems.value) });
      else Object.assign(body, { question_ids: [...picked], blueprint: [...rows.children]
        .map((r) => ({ scope_id: r.querySelector(".scope").value,
          count: Number(r.querySelector(".count").value) })) });
      try {
        const test = await api("/tests", { method: "POST", body });
        location.hash = `#/tests/${enc(test.id)}`;
      } catch (err) {
        error.replaceChildren(problemBox(err));
      }
    } },
  field("Title ", title), field("Form ", form), classBoxes, fixedPart, adaptivePart,
  section("Settings", field("Time limit in minutes (empty: none) ", limit),
    field("Attempts allowed ", attempts), field("Opens ", opens), field("Closes ", closes),
    h("label", { class: "option" }, showResults, " Students see their score"),
    h("label", { class: "option" }, allowBack, " Students may go back (fixed form)")),
  error, h("button", { type: "submit" }, "Save as draft")));
}

export async function testAdminPage(testId) {
  const tid = enc(testId);
  const [test, results] = await Promise.all([api(`/tests/${tid}`),
    api(`/tests/${tid}/results`)]);
  const error = h("div", { "aria-live": "assertive" });
  const act = (action, label) => actionButton(label, async () => {
    await api(`/tests/${tid}/${action}`, { method: "POST", body: {} });
    await testAdminPage(testId);
  }, error);
  const actions = { draft: [["publish", "Publish"], ["archive", "Archive"]],
    published: [["close", "Close"]], closed: [["reopen", "Reopen"], ["archive", "Archive"]],
    archived: [] }[test.status];
  show(h("h1", {}, test.title),
    h("p", { id: "status" }, h("strong", {}, capital(test.status)), ` · ${describe(test)}`
      + ` · classes: ${test.class_ids.join(", ") || "none"}`),
    test.bank ? h("p", { class: "muted" }, `Item bank: ${test.bank.items} calibrated `
      + `questions; ${test.bank.excluded} left out (too few answers for a stable fit).`) : null,
    h("div", { class: "row" }, actions.map(([a, l]) => act(a, l))), error,
    section("Students", studentsTable(results.students)),
    section("By knowledge point", list(results.kps, (k) =>
      `${k.name}: ${pct(k.p_correct)} right over ${k.answered} answers`, "No answers yet.")),
    section("Item analysis", results.items.length ? [itemPlot(results.items),
      itemTable(results.items)] : h("p", { class: "muted" }, "No finished sitting yet.")));
}

function studentsTable(students) {
  if (!students.length) return h("p", { class: "muted" }, "Nobody has started yet.");
  return h("table", { class: "activity", id: "results" },
    h("thead", {}, h("tr", {}, ["Student", "Sittings", "Score", "θ"].map((c) =>
      h("th", { scope: "col" }, c)))),
    h("tbody", {}, students.map((s) => h("tr", {},
      h("td", {}, h("a", { href: `#/students/${enc(s.student_id)}/report` }, s.name
        || s.student_id)),
      h("td", {}, String(s.sittings)),
      h("td", {}, s.score ? `${s.score.right}/${s.score.items} (${s.score.percent}%)`
        : s.finished ? "–" : "in progress"),
      h("td", {}, s.theta === null ? "–" : s.theta.toFixed(2))))));
}

function itemTable(items) {
  return h("table", { class: "activity", id: "items" },
    h("thead", {}, h("tr", {}, ["#", "Question", "Answered", "Omitted", "Correct",
      "Discrimination", "Options chosen"].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, items.map((it, i) => h("tr", {},
      h("td", {}, String(i + 1)),
      it.text ? richText(h("td"), it.text, { inline: true }) : h("td", {}, it.question_id),
      h("td", {}, String(it.answered)), h("td", {}, String(it.omitted)),
      h("td", {}, pct(it.p_correct)),
      h("td", {}, it.discrimination === null ? "–" : it.discrimination.toFixed(2)),
      richText(h("td"), Object.entries(it.options).map(([o, n]) => `${o}: ${n}`).join(", "),
        { inline: true })))));
}

// Proportion correct (x) against point-biserial discrimination (y), one numbered dot per
// item: items low on the plot do not separate strong from weak students.
function itemPlot(items) {
  const W = 360, H = 220, L = 40, B = 30;
  const x = (p) => L + p * (W - L - 30);
  const y = (r) => 10 + (1 - (r + 1) / 2) * (H - B - 10);
  const el = svg;
  const plot = el("svg", { viewBox: `0 0 ${W} ${H}`, class: "plot", id: "item-plot",
    role: "img", "aria-label": "Item analysis: proportion correct against discrimination" });
  plot.append(el("line", { x1: L, y1: y(0), x2: x(1), y2: y(0), class: "axis" }),
    el("line", { x1: L, y1: 10, x2: L, y2: H - B, class: "axis" }),
    el("text", { x: (W + L) / 2, y: H - 6, "text-anchor": "middle" }, "proportion correct"),
    el("text", { x: 4, y: 12 }, "r +1"), el("text", { x: 4, y: y(0) + 4 }, "0"),
    el("text", { x: 4, y: H - B }, "-1"),
    el("text", { x: x(0), y: H - B + 12, "text-anchor": "middle" }, "0"),
    el("text", { x: x(1), y: H - B + 12, "text-anchor": "middle" }, "1"));
  const spots = new Map();  // items at one point: a dot each, one label naming them all
  items.forEach((it, i) => {
    const r = it.discrimination ?? 0;
    const dot = el("circle", { cx: x(it.p_correct), cy: y(r), r: 6,
      class: it.discrimination === null ? "dot none" : r < 0.2 ? "dot weak" : "dot" });
    dot.append(el("title", {}, `${i + 1}: ${pct(it.p_correct)} right, r = ${r.toFixed(2)}`));
    plot.append(dot);
    const key = `${x(it.p_correct).toFixed(1)}|${y(r).toFixed(1)}`;
    spots.set(key, [...(spots.get(key) || [it]), i + 1]);
  });
  for (const [it, ...numbers] of spots.values()) {
    plot.append(el("text", { x: x(it.p_correct) + 8, y: y(it.discrimination ?? 0) + 4,
      class: "label" }, numbers.join(", ")));
  }
  return h("figure", {}, plot, h("figcaption", { class: "muted" }, "Each dot is an item: "
    + "right, the share correct; up, how well it separates strong from weak students "
    + "(red under 0.2)."));
}

function capital(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}
