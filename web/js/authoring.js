// Authoring, for the tutors of a course and admins: add a KP to a chapter, draw (or remove) a
// prerequisite edge (a cycle is refused, named), write a question (multiple choice, numeric or
// short text), and read what changed (the audit trail).

import { api, enc } from "./api.js";
import { richText } from "./richtext.js";
import { h, list, problemBox, section, show, when } from "./ui.js";

// status id -> what its box said lately, and when: the page renders again after a change (its
// lists then show it), and the new box keeps saying it rather than going blank. Renders may
// overlap (two changes in a row), so a message expires by age, never by being shown once.
const said = {};
const KEEP_MS = 10000;
let renders = 0;  // the latest render wins: one a newer one overtook shows nothing

// Render again a moment after a change, while the tutor is still on this page.
function renderSoon() {
  const here = location.hash;
  setTimeout(() => { if (location.hash === here) authoringPage(); }, 600);
}

export async function authoringPage() {
  const ticket = ++renders;
  const here = location.hash;
  const [chapters, trail] = await Promise.all([api("/chapters?page_size=100"),
    api("/audit?page_size=20")]);
  const maps = await Promise.all(chapters.map((c) => api(`/chapters/${enc(c.id)}/map`)));
  if (ticket !== renders || location.hash !== here) return;  // overtaken, or the tutor left
  const kps = maps.flatMap((m, i) => m.kps.filter((k) => !k.external)
    .map((k) => ({ ...k, chapter: chapters[i].name, dataset: chapters[i].dataset })));
  const field = (label, input) => h("label", { class: "field" }, label, input);
  const kpSelect = (label, attrs = {}) => h("select", { "aria-label": label, ...attrs },
    kps.map((k) => h("option", { value: k.id }, `${k.chapter}: ${k.name}`)));
  const status = (id) => h("div", { id, "aria-live": "polite" },
    said[id] && Date.now() - said[id].at < KEEP_MS
      ? h("p", { role: "status" }, said[id].message) : null);
  const run = (box, done) => async (e) => {
    e.preventDefault();
    try {
      const message = await done();
      said[box.id] = { message, at: Date.now() };
      box.replaceChildren(h("p", { role: "status" }, message));
    } catch (err) {
      box.replaceChildren(problemBox(err));
    }
  };

  const kpName = h("input", { required: true, maxlength: 200 });
  const kpChapter = chapterSelect(chapters, "Chapter");
  const kpDone = status("kp-status");
  const newKp = h("form", { class: "card", id: "new-kp", onsubmit: run(kpDone, async () => {
    const made = await api("/kps", { method: "POST",
      body: { name: kpName.value, chapter_id: kpChapter.value } });
    renderSoon();  // the selects below then list it
    return `KP ${made.id} added.`;
  }) }, h("h2", {}, "New knowledge point"), field("Name ", kpName), field("Chapter ",
    kpChapter), h("button", { type: "submit" }, "Add KP"), kpDone);

  const before = kpSelect("Prerequisite (learn first)");
  const after = kpSelect("KP that needs it");
  const edgeDone = status("edge-status");
  const edge = (path, verb) => run(edgeDone, async () => {
    await api(path, { method: "POST", body: { before: before.value, after: after.value } });
    return `${before.value} → ${after.value} ${verb}.`;
  });
  const edges = h("form", { class: "card", id: "new-edge", onsubmit: edge("/prerequisites",
    "added") }, h("h2", {}, "Prerequisites"), field("Learn first ", before),
  field("Before ", after), h("div", { class: "row" },
    h("button", { type: "submit" }, "Link"),
    h("button", { type: "button", class: "secondary", onclick: edge("/prerequisites/remove",
      "removed") }, "Remove the link")), edgeDone);

  const stem = h("textarea", { required: true, rows: 3 });
  const type = h("select", { "aria-label": "Type" }, [["choice", "Multiple choice"],
    ["numeric", "Numeric"], ["short", "Short text"]].map(([v, l]) => h("option", { value: v },
    l)));
  const choices = h("textarea", { rows: 4, "aria-label": "Choices, one per line" });
  const answer = h("input", { required: true, "aria-label": "Answer key" });
  const tolerance = h("input", { type: "number", step: "any", min: 0, value: 0,
    "aria-label": "Tolerance" });
  const explanation = h("input", { "aria-label": "Explanation" });
  const hints = h("textarea", { rows: 2, "aria-label": "Hints, one per line" });
  const tested = kpSelect("KP tested");
  const level = h("select", { "aria-label": "Level" }, ["basic", "standard", "challenge"]
    .map((l) => h("option", { value: l, selected: l === "standard" }, l)));
  const preview = h("div", { class: "card preview", id: "preview", "aria-live": "polite" });
  const lines = (box) => box.value.split("\n").map((c) => c.trim()).filter(Boolean);
  // rendered by practice's own function (richtext.js), so the tutor sees what students will
  const paint = () => preview.replaceChildren(
    richText(h("div", { class: "question" }), stem.value),
    type.value === "choice" ? list(lines(choices), (c) => richText(h("span"), c,
      { inline: true }), "") : h("p", { class: "muted" }, "Answered by typing."),
    explanation.value ? richText(h("div", { class: "explanation" }), explanation.value) : "",
    list(lines(hints), (t) => richText(h("div"), t), ""));
  for (const input of [stem, choices, type, explanation, hints]) {
    input.addEventListener("input", paint);
  }
  const questionDone = status("question-status");
  // editing: the course's current questions (the editors' export holds their keys); saving one
  // that has answers stores a new version, which the message names
  const editing = h("select", { "aria-label": "Question to edit" },
    h("option", { value: "" }, "a new question"));
  const docs = new Map();
  const loadBank = async () => {
    const courses = [...new Set(kps.filter((k) => k.id === tested.value).map((k) => k.dataset))];
    for (const d of courses.filter((c) => !docs.has(c))) {
      docs.set(d, await api(`/curriculum?dataset=${enc(d)}`));
    }
    const current = courses.flatMap((d) => docs.get(d).questions)
      .filter((q) => !q.superseded_by && q.kp_ids.includes(tested.value));
    editing.replaceChildren(h("option", { value: "" }, "a new question"),
      ...current.map((q) => h("option", { value: q.id }, `${q.id}: ${q.stem.slice(0, 60)}`)));
    editing.bank = new Map(current.map((q) => [q.id, q]));
  };
  // read when wanted, not with the page: a course's export holds every question
  const reload = () => loadBank().catch((err) => questionDone.replaceChildren(problemBox(err)));
  tested.addEventListener("change", () => editing.bank && reload());
  editing.addEventListener("focus", () => editing.bank || reload());
  editing.addEventListener("change", () => {
    const q = editing.bank?.get(editing.value);
    stem.value = q?.stem || "";
    type.value = q?.type || "choice";
    choices.value = (q?.choices || []).join("\n");
    answer.value = q?.answer || "";
    tolerance.value = q?.tolerance || 0;
    explanation.value = q?.explanation || "";
    hints.value = (q?.hints || []).join("\n");
    level.value = q?.level || "standard";
    paint();
  });
  const question = h("form", { class: "card", id: "new-question",
    onsubmit: run(questionDone, async () => {
      const body = { stem: stem.value, type: type.value, answer: answer.value,
        choices: type.value === "choice" ? lines(choices) : [],
        tolerance: type.value === "numeric" ? Number(tolerance.value) : 0,
        explanation: explanation.value, hints: lines(hints), kp_ids: [tested.value],
        level: level.value };
      if (!editing.value) {
        const made = await api("/questions", { method: "POST", body });
        return `Question ${made.id} saved.`;
      }
      const saved = await api(`/questions/${enc(editing.value)}`, { method: "PUT", body });
      docs.clear();
      return saved.replaces ? `Question ${saved.replaces} had answers: saved as version `
        + `${saved.version}, ${saved.id}; past answers keep the old one.`
        : `Question ${saved.id} saved.`;
    }) }, h("h2", {}, "Questions"), field("KP tested ", tested),
  field("Edit ", editing), field("Question (Markdown, math between $…$) ", stem),
  field("Type ", type), field("Choices, one per line ", choices), field("Answer key ", answer),
  field("Tolerance (numeric) ", tolerance), field("Explanation ", explanation),
  field("Hints, one per line ", hints), field("Level ", level), h("h3", {}, "Preview"), preview,
  h("button", { type: "submit" }, "Save question"), questionDone);

  const chosen = picks();
  show(h("h1", {}, "Author the course"), h("div", { class: "pair" }, newKp, edges), question,
    h("div", { class: "pair" }, newResource(kps, field, status, run), newChapter(chapters,
      field, status, run)), editContent(chapters, kps, field, status, run),
    calibration(chapters, field, status, run),
    section("Recent changes", list(trail, (e) => `${when(e.ts)} ${e.who}: ${e.action} `
      + `${e.target}`, "No change yet.")));
  keepPicks(chosen);
}

// What the tutor picked in the page's labelled selects. The page reads the course again after
// each save; a pick made meanwhile must survive it, or a button pressed just then would act
// on the first option (archive another chapter) instead.
function picks() {
  return new Map([...document.querySelectorAll("#view select[aria-label]")]
    .map((s) => [s.getAttribute("aria-label"), s.value]));
}

// In a form, a select after one whose pick is gone (an archived KP) keeps what the form filled
// in for the new first option: the old pick belonged to the old one.
function keepPicks(chosen) {
  const lost = new Set();
  for (const s of document.querySelectorAll("#view select[aria-label]")) {
    const value = chosen.get(s.getAttribute("aria-label"));
    if (value === undefined || value === s.value || lost.has(s.form)) continue;
    if (![...s.options].some((o) => o.value === value)) {
      lost.add(s.form);
      continue;
    }
    s.value = value;
    s.dispatchEvent(new Event("change"));  // its form fills in what it names
  }
}

// A video, document, link or text on a KP; its ranking for students learns from their uses.
function newResource(kps, field, status, run) {
  const title = h("input", { required: true, maxlength: 300 });
  const kind = h("select", {}, ["video", "document", "link", "text",
    "worked_example"].map((k) => h("option", { value: k }, k.replace(/_/g, " "))));
  const url = h("input", { type: "url", placeholder: "https://" });
  const body = h("textarea", { rows: 3 });
  const kp = h("select", {}, kps.map((k) =>
    h("option", { value: k.id }, `${k.chapter}: ${k.name}`)));
  const level = h("select", {}, ["basic", "standard",
    "challenge"].map((l) => h("option", { value: l, selected: l === "basic" }, l)));
  const minutes = h("input", { type: "number", min: 0, step: 1 });
  const done = status("resource-status");
  return h("form", { class: "card", id: "new-resource", onsubmit: run(done, async () => {
    const made = await api("/resources", { method: "POST", body: { title: title.value,
      kind: kind.value, url: url.value, body: body.value, kp_ids: [kp.value],
      level: level.value, minutes: minutes.value === "" ? null : Number(minutes.value) } });
    return `Resource ${made.id} saved.`;
  }) }, h("h2", {}, "New resource"), field("Title ", title), field("Kind ", kind),
  field("Address ", url), field("Text or summary ", body), field("KP it teaches ", kp),
  field("Level ", level), field("Estimated minutes ", minutes),
  h("button", { type: "submit" }, "Save resource"), done);
}

function newChapter(chapters, field, status, run) {
  const name = h("input", { required: true, maxlength: 200 });
  const course = courseSelect(chapters);
  const done = status("chapter-status");
  return h("form", { class: "card", id: "new-chapter", onsubmit: run(done, async () => {
    const made = await api("/chapters", { method: "POST", body: { name: name.value,
      dataset: course.value, order: chapters.length + 1 } });
    renderSoon();  // the lists then show it
    return `Chapter ${made.id} added.`;
  }) }, h("h2", {}, "New chapter"), field("Name ", name), field("Course ", course),
  h("button", { type: "submit" }, "Add chapter"), done);
}

// The course's IRT: until a question has enough answers, its level gives its difficulty.
function calibration(chapters, field, status, run) {
  const course = courseSelect(chapters);
  const state = h("p", { class: "muted", id: "irt-state" });
  const describe = async () => {
    const s = await api(`/curriculum/irt?dataset=${enc(course.value)}`);
    state.textContent = `${s.answers} answers; ` + (s.fitted_at
      ? `last refit ${when(s.fitted_at)} on ${s.fitted_answers} answers, ${s.fitted_questions} `
        + `questions with their own difficulty` : "never refitted: levels give difficulties")
      + (s.due ? "; the nightly job will refit it" : "");
  };
  course.addEventListener("change", () => describe().catch((err) =>
    state.replaceChildren(problemBox(err))));
  describe().catch((err) => state.replaceChildren(problemBox(err)));
  const done = status("irt-status");
  return h("form", { class: "card", id: "irt", onsubmit: run(done, async () => {
    const r = await api(`/curriculum/irt?dataset=${enc(course.value)}`, { method: "POST" });
    await describe();
    return `Refitted on ${r.answers} answers: ${r.questions} questions have their own `
      + `difficulty, ${r.below_min_responses} still too few answers.`;
  }) }, h("h2", {}, "Question difficulties (IRT)"), field("Course ", course), state,
  h("button", { type: "submit" }, "Refit now"), done);
}

// Rename, reorder, move or archive what exists (archived: hidden from maps and plans, kept
// with its answers).
function editContent(chapters, kps, field, status, run) {
  const chapter = chapterSelect(chapters, "Chapter to edit");
  const chapterName = h("input", { maxlength: 200 });
  const order = h("input", { type: "number", step: 1 });
  const fillChapter = () => {
    const c = chapters.find((x) => x.id === chapter.value);
    chapterName.value = c?.name || "";
    order.value = c?.order ?? 0;
  };
  chapter.addEventListener("change", fillChapter);
  fillChapter();
  const chapterDone = status("chapter-edit-status");
  const patch = (url, body, message) => async () => {
    await api(url, { method: "PATCH", body });
    renderSoon();  // the lists show the change
    return message;
  };
  const chapters_ = h("form", { class: "card", id: "edit-chapter", onsubmit: run(chapterDone,
    () => patch(`/chapters/${enc(chapter.value)}`, { name: chapterName.value,
      order: Number(order.value) }, "Chapter saved.")()) }, h("h2", {}, "Edit a chapter"),
  field("Chapter ", chapter), field("Name ", chapterName), field("Order ", order),
  h("div", { class: "row" }, h("button", { type: "submit" }, "Save chapter"),
    h("button", { type: "button", class: "secondary", onclick: (e) => run(chapterDone, patch(
      `/chapters/${enc(chapter.value)}`, { archived: true }, "Chapter archived."))(e) },
    "Archive chapter")), chapterDone);

  const kp = h("select", { "aria-label": "KP to edit" }, kps.map((k) =>
    h("option", { value: k.id }, `${k.chapter}: ${k.name}`)));
  const kpName = h("input", { maxlength: 200 });
  const moveTo = chapterSelect(chapters, "Its chapter");
  const fillKp = () => {
    const k = kps.find((x) => x.id === kp.value);
    kpName.value = k?.name || "";
    moveTo.value = chapters.find((c) => c.name === k?.chapter)?.id || moveTo.value;
  };
  kp.addEventListener("change", fillKp);
  fillKp();
  const kpDone = status("kp-edit-status");
  const kps_ = h("form", { class: "card", id: "edit-kp", onsubmit: run(kpDone, () => patch(
    `/kps/${enc(kp.value)}`, { name: kpName.value, chapter_id: moveTo.value },
    "KP saved.")()) }, h("h2", {}, "Edit a knowledge point"), field("KP ", kp),
  field("Name ", kpName), field("Chapter ", moveTo),
  h("div", { class: "row" }, h("button", { type: "submit" }, "Save KP"),
    h("button", { type: "button", class: "secondary", onclick: (e) => run(kpDone, patch(
      `/kps/${enc(kp.value)}`, { archived: true }, "KP archived."))(e) }, "Archive KP")),
  kpDone);
  return h("div", { class: "pair" }, chapters_, kps_);
}

// A select of the chapters, named by course: several forms pick one.
function chapterSelect(chapters, label) {
  return h("select", { "aria-label": label }, chapters.map((c) =>
    h("option", { value: c.id }, `${c.name} (${c.dataset})`)));
}

// A select of the courses the chapters belong to.
function courseSelect(chapters) {
  return h("select", {}, [...new Set(chapters.map((c) => c.dataset))].map((d) =>
    h("option", { value: d }, d)));
}
