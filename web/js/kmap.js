// The knowledge map of a chapter: KPs as nodes coloured by the class's (or one student's)
// mastery, prerequisite edges pointing from "learn first" to "then". Drawn with cytoscape.js,
// served from the local npm install. The same KPs and edges are also a table (the canvas is
// an image to assistive technology), and buttons zoom and pan it for keyboard users.

import { api, enc } from "./api.js";
import { richText } from "./richtext.js";
import { h, list, masteryColour, pct, problemBox, show } from "./ui.js";

const STYLE = [
  { selector: "node", style: { label: "data(label)", "background-color": "data(colour)",
    "text-wrap": "wrap", "text-max-width": 110, "font-size": 11, "text-valign": "bottom",
    "text-margin-y": 4, width: 28, height: 28, "border-width": 1, "border-color": "#333" } },
  { selector: "node[?external]", style: { shape: "round-rectangle", "border-style": "dashed",
    opacity: 0.7 } },
  { selector: "edge", style: { width: 2, "line-color": "#8a94a6", "target-arrow-color": "#8a94a6",
    "target-arrow-shape": "triangle", "curve-style": "bezier" } },
  { selector: "edge[?inferred]", style: { "line-style": "dashed" } },
  { selector: ".faded", style: { opacity: 0.15 } },
  { selector: ".chain", style: { "border-width": 4, "border-color": "#1f5fbf",
    "line-color": "#1f5fbf", "target-arrow-color": "#1f5fbf" } },
  { selector: "node:selected", style: { "border-width": 5, "border-color": "#111" } },
];

export async function mapPage(classId, chapterId) {
  const [chapters, students] = await Promise.all([api("/chapters?page_size=100"),
    api(`/students?class_id=${enc(classId)}&page_size=100`)]);
  const chapter = chapters.find((c) => c.id === chapterId) || { name: chapterId };
  const overlay = h("select", { id: "overlay" },
    h("option", { value: "" }, "Whole class (mean)"),
    students.map((s) => h("option", { value: s.id }, s.name || s.id)));
  const search = h("input", { id: "kp-search", type: "search", list: "kp-names",
    placeholder: "e.g. Exponents", autocomplete: "off" });
  const names = h("datalist", { id: "kp-names" });
  const chain = h("button", { type: "button", id: "chain", disabled: true },
    "Show prerequisite chain");
  const reset = h("button", { type: "button", class: "secondary" }, "Show all");
  const canvas = h("div", { id: "map", class: "map", role: "img",
    "aria-label": `Knowledge map of ${chapter.name}` });
  const panel = h("aside", { id: "kp-panel", class: "card panel", "aria-live": "polite" },
    h("p", { class: "muted" }, "Select a knowledge point (click a node, or search)."));
  const legend = h("p", { class: "muted legend" }, "Colour: mastery from red (0%) to green "
    + "(100%), grey: not practised; each KP's percentage is written under it. Arrows point "
    + "from a prerequisite to what it unlocks; dashed: inferred from answers or from another "
    + "chapter. The table below the map lists the same.");
  const table = h("div", { class: "scroll" });
  const views = h("div", { class: "toolbar", role: "group", "aria-label": "Map view" });
  show(h("p", {}, h("a", { href: `#/classes/${enc(classId)}` }, "← Class overview")),
    h("h1", {}, `Knowledge map: ${chapter.name}`),
    h("div", { class: "toolbar" },
      h("label", { for: "overlay" }, "Mastery of"), overlay,
      h("label", { for: "kp-search" }, "Find a KP"), search, names, chain, reset),
    views, h("div", { class: "map-layout" }, canvas, panel), legend,
    h("section", { class: "card" }, h("h2", { id: "kp-table-title" }, "The map as a table"),
      table));

  const cy = window.cytoscape({ container: canvas, style: STYLE, wheelSensitivity: 0.3,
    minZoom: 0.1, maxZoom: 3 });
  window.kgtutor = { cy };
  let selected = null;
  let shown = null;  // the elements the view fits: all of them, or a prerequisite chain
  const fitView = () => {
    cy.stop(true);  // a search's zoom still running would undo the fit
    cy.fit(shown || undefined, 32);
  };
  new ResizeObserver(() => {
    cy.resize();
    fitView();
  }).observe(canvas);
  views.append(...viewButtons(cy, fitView));
  const draw = async () => {
    const who = overlay.value;
    const url = who ? `/students/${enc(who)}/map/${enc(chapterId)}`
      : `/classes/${enc(classId)}/map/${enc(chapterId)}`;
    const m = await api(url);
    cy.elements().remove();
    cy.add(m.kps.map((k) => ({ data: { id: k.id, label: `${k.name}\n${pct(k.mastery)}`,
      name: k.name, colour: masteryColour(k.mastery), external: k.external } })));
    cy.add(m.edges.map((e) => ({ data: { id: `${e.before}->${e.after}`, source: e.before,
      target: e.after, inferred: e.inferred } })));
    cy.layout({ name: "breadthfirst", directed: true, spacingFactor: 1.75, padding: 32 }).run();
    shown = null;
    fitView();
    names.replaceChildren(...m.kps.map((k) => h("option", { value: k.name })));
    table.replaceChildren(kpTable(m, choose));
    if (selected) cy.getElementById(selected).select();
  };
  const choose = (id) => {
    selected = id;
    cy.$(":selected").unselect();
    cy.getElementById(id).select();
    chain.disabled = false;
    showKp(panel, classId, id);
  };
  cy.on("tap", "node", (e) => choose(e.target.id()));
  overlay.addEventListener("change", () => draw());
  search.addEventListener("change", () => {
    const q = search.value.trim().toLowerCase();
    const hit = cy.nodes().filter((n) => n.data("name").toLowerCase().includes(q)).first();
    if (q && hit.nonempty()) {
      choose(hit.id());
      cy.animate({ center: { eles: hit }, zoom: 1.5 }, { duration: 200 });
    }
  });
  chain.addEventListener("click", () => {
    const node = cy.getElementById(selected);
    const ancestors = node.predecessors().union(node);
    cy.elements().removeClass("chain").addClass("faded");
    ancestors.removeClass("faded").addClass("chain");
    shown = ancestors;
    fitView();
  });
  reset.addEventListener("click", () => {
    cy.elements().removeClass("faded chain");
    shown = null;
    fitView();
  });
  await draw();
}

// Zoom and pan by button: the canvas itself takes no keyboard input.
function viewButtons(cy, fitView) {
  const centre = () => ({ x: cy.width() / 2, y: cy.height() / 2 });
  const zoom = (by) => cy.zoom({ level: cy.zoom() * by, renderedPosition: centre() });
  const step = 80;
  return [["+", "Zoom in", () => zoom(1.25)], ["−", "Zoom out", () => zoom(0.8)],
    ["←", "Pan left", () => cy.panBy({ x: step, y: 0 })],
    ["→", "Pan right", () => cy.panBy({ x: -step, y: 0 })],
    ["↑", "Pan up", () => cy.panBy({ x: 0, y: step })],
    ["↓", "Pan down", () => cy.panBy({ x: 0, y: -step })],
    ["Fit", "Fit the map to its box", fitView]].map(([text, label, onclick]) =>
    h("button", { type: "button", class: "secondary small", "aria-label": label, title: label,
      onclick }, text));
}

// The map's text alternative: each KP with its mastery in words, what to learn first and
// what it unlocks; a KP's name selects it as a click on its node does.
function kpTable(m, choose) {
  const name = new Map(m.kps.map((k) => [k.id, k.name]));
  const linked = (ids) => ids.length ? ids.map(([id, inferred]) =>
    `${name.get(id) || id}${inferred ? " (inferred)" : ""}`).join("; ") : "–";
  return h("table", { class: "activity", "aria-labelledby": "kp-table-title" },
    h("thead", {}, h("tr", {}, ["Knowledge point", "Mastery", "Learn first", "Unlocks"].map(
      (c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, m.kps.map((k) => h("tr", {},
      h("th", { scope: "row" }, h("button", { type: "button", class: "link",
        onclick: () => choose(k.id) }, k.name), k.external ? " (another chapter)" : null),
      h("td", {}, k.mastery === null || k.mastery === undefined ? "not practised"
        : pct(k.mastery)),
      h("td", {}, linked(m.edges.filter((e) => e.after === k.id).map((e) =>
        [e.before, e.inferred]))),
      h("td", {}, linked(m.edges.filter((e) => e.before === k.id).map((e) =>
        [e.after, e.inferred])))))));
}

async function showKp(panel, classId, kpId) {
  panel.replaceChildren(h("p", { class: "muted" }, "Loading…"));
  try {
    const [kp, struggling] = await Promise.all([api(`/kps/${enc(kpId)}`),
      api(`/classes/${enc(classId)}/kps/${enc(kpId)}/struggling`)]);
    panel.replaceChildren(h("h2", {}, kp.name), h("p", {}, kp.description),
      h("h3", {}, "Students struggling"), list(struggling, (s) => [
        h("a", { href: `#/students/${enc(s.student_id)}/report` }, s.name),
        ` mastery ${pct(s.mastery)}, ${s.wrong_recent} wrong of late`], "Nobody."),
      h("h3", {}, "Questions"), list(kp.questions, (q) => [richText(h("span"), q.text,
        { inline: true }), ` (${q.level})`]),
      h("h3", {}, "Resources"), list(kp.resources, (r) => resourceLink(r)));
  } catch (e) {
    panel.replaceChildren(problemBox(e));
  }
}

export function resourceLink(r) {
  const label = `${r.title || r.id}${r.kind ? ` (${r.kind.replace(/_/g, " ")})` : ""}`;
  return r.url ? h("a", { href: r.url, target: "_blank", rel: "noopener" }, label) : label;
}
