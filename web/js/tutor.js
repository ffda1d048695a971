// Tutor pages: the classes and a class overview (heat map chapter × student, students at
// risk). One student's report is in report.js.

import { api, enc } from "./api.js";
import { catalogue } from "./catalogue.js";
import { h, list, masteryColour, pct, section, show, when } from "./ui.js";

export async function classesPage() {
  const classes = await api("/classes");
  show(h("h1", {}, "Your classes"),
    list(classes, (c) => h("a", { href: `#/classes/${enc(c.id)}`, class: "tile" },
      h("strong", {}, c.name), h("span", { class: "muted" }, ` ${c.students} students`)),
    "You teach no class yet."));
}

export async function classPage(classId) {
  const report = await api(`/classes/${enc(classId)}/report`);
  const chapters = [...report.chapters].sort((a, b) => a.order - b.order);
  const { chapters: all } = await catalogue();
  const grid = heatMap(classId, chapters, report.students);  // filled from the report itself
  show(h("h1", {}, report.name),
    h("p", { class: "muted" }, `Mastery threshold ${pct(report.mastery_threshold)}; `
      + `generated ${when(report.generated)}.`),
    section("Students at risk", list(report.students.filter((s) => s.at_risk), (s) => [
      h("a", { href: `#/students/${enc(s.student_id)}/report` }, s.name), ": ",
      s.reasons.join("; "),
      list(s.suggestions, (x) => x.text, "")], "No student is at risk.")),
    section("Mastery by chapter and student", grid.table,
      h("p", { class: "muted" }, "Cells: mean mastery of the chapter's KPs the student has "
        + "an estimate for; grey: not practised.")),
    section("Knowledge maps", list(all, (c) =>
      h("a", { href: `#/classes/${enc(classId)}/map/${enc(c.id)}` }, `${c.order}. ${c.name}`))));
}

function heatMap(classId, chapters, students) {
  const head = h("tr", {}, h("th", { scope: "col" }, "Student"),
    chapters.map((c) => h("th", { scope: "col" }, h("a", {
      href: `#/classes/${enc(classId)}/map/${enc(c.chapter_id)}` }, c.name))));
  const rows = students.map((s) => h("tr", {},
    h("th", { scope: "row" }, h("a", { href: `#/students/${enc(s.student_id)}/report` },
      s.name), s.at_risk ? h("span", { class: "badge" }, "at risk") : null),
    chapters.map((c) => paint(h("td", { class: "cell" }),
      s.chapter_mastery[c.chapter_id] ?? null))));
  const classRow = h("tr", { class: "total" }, h("th", { scope: "row" }, "Class"),
    chapters.map((c) => paint(h("td", { class: "cell" }), c.students ? c.mastery : null)));
  const table = h("div", { class: "scroll" }, h("table", { class: "heat" },
    h("caption", { class: "sr-only" }, "Mastery by chapter (columns) and student (rows)"),
    h("thead", {}, head), h("tbody", {}, rows, classRow)));
  return { table };
}

function paint(td, p) {
  td.textContent = pct(p);
  td.style.background = masteryColour(p);
  if (p === null) td.classList.add("none");  // dark text on the pale grey
  td.title = p === null ? "not practised" : `mastery ${pct(p)}`;
  return td;
}
