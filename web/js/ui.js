// Small DOM helpers: elements are built with text nodes, never from HTML strings, so no text
// from the API can become markup.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function show(...children) {
  const main = document.getElementById("view");
  main.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
  const title = main.querySelector("h1");
  if (title) document.title = `${title.textContent} · kgtutor`;
  return main;
}

export function problemBox(error) {
  return h("p", { class: "problem", role: "alert" }, error.message || String(error));
}

export function pct(p) {
  return p === null || p === undefined ? "–" : `${Math.round(p * 100)}%`;
}

// A colour from red (0) through amber to green (1); grey when nobody practised. Amber and
// green are darker than red so that white text on any of them keeps 4.5:1 (WCAG AA); the
// percentage is always written beside or on it, so colour is never the only cue.
export function masteryColour(p) {
  if (p === null || p === undefined) return "#c9ced6";
  const hue = Math.round(120 * Math.max(0, Math.min(1, p)));
  const light = 40 - 12 * Math.min(hue, 60) / 60;
  return `hsl(${hue}, 65%, ${light.toFixed(1)}%)`;  // the comma form: cytoscape reads no other
}

export function when(ms) {
  return ms ? new Date(ms).toLocaleString() : "–";
}

export function section(title, ...children) {
  return h("section", { class: "card" }, h("h2", {}, title), ...children);
}

export function list(items, render, empty = "Nothing yet.") {
  return items && items.length ? h("ul", {}, items.map((x) => h("li", {}, render(x))))
    : h("p", { class: "muted" }, empty);
}

// Run a page's loader; a failure (403, 404...) shows the problem's message in the page.
export async function guarded(load) {
  try {
    await load();
  } catch (e) {
    if (e.name === "AbortError") return;  // the user went elsewhere meanwhile
    show(h("h1", {}, "Something went wrong"), problemBox(e));
  }
}

// A button that runs an action and shows its failure in ``error`` (the page re-renders itself
// on success).
export function actionButton(label, run, error, attrs = {}) {
  return h("button", { type: "button", ...attrs, onclick: async () => {
    try {
      await run();
    } catch (err) {
      error.replaceChildren(problemBox(err));
    }
  } }, label);
}

// An SVG element (plots are drawn with these: attributes, never markup from the API).
export function svg(tag, attrs = {}, text) {
  const n = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  if (text !== undefined) n.textContent = text;
  return n;
}
