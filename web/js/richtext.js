// Authored text (question stems, choices, explanations, hints) is Markdown with math between
// $…$ or \(…\) (inline) and $$…$$ or \[…\] (display), rendered by this one function wherever it
// is shown: the authoring preview, practice and tests, so a tutor previews what students see.
//
// Authors are not trusted with markup: markdown-it runs with raw HTML off (a tag shows as
// text), images off, and links kept only when they are http(s); KaTeX runs with trust off (no
// \href, \url, \html...) and throwOnError off (a malformed formula shows as its red source,
// the rest of the text unharmed). KaTeX writes HTML for the eye, hidden from screen readers,
// and MathML beside it, which they read. This is the pages' one use of an HTML string: the
// markup comes from those two libraries, never from the author. The libraries are classic
// scripts of index.html (window.markdownit, window.texmath, window.katex), like cytoscape.

import { h } from "./ui.js";

const KATEX = { output: "htmlAndMathml", throwOnError: false, trust: false, strict: "ignore" };
let markdown;

function parser() {
  if (!markdown) {
    markdown = window.markdownit({ html: false, linkify: false }).disable("image")
      .use(window.texmath, { engine: window.katex, delimiters: ["dollars", "brackets"],
        katexOptions: KATEX });
    markdown.validateLink = (url) => /^https?:\/\//i.test(url.trim());
  }
  return markdown;
}

// Fill ``el`` with ``source`` rendered; ``inline`` for a choice or other text inside a line (no
// paragraphs, lists or headings). Returns ``el``.
export function richText(el, source, { inline = false } = {}) {
  const text = String(source ?? "");
  el.innerHTML = inline ? parser().renderInline(text) : parser().render(text);
  el.classList.add("rich");
  return el;
}

// A radio or checkbox labelled by authored text (a choice): the label shows the math; the
// control is named by the label's plain reading, since Chrome names it from the MathML's bare
// tokens ("2 10" for 2^10) and axe finds no name at all in a label that is only math.
export function choiceLabel(input, source) {
  const text = richText(h("span"), source, { inline: true });
  input.setAttribute("aria-label", plainText(text));
  return h("label", { class: "option" }, input, " ", text);
}

// Rendered text read out plain: math from its MathML, a fraction as a/b, a power as a^b, a root
// as √(x), the visual HTML beside it (hidden from screen readers) left out.
function plainText(el) {
  const walk = (n) => (n.nodeType !== Node.ELEMENT_NODE ? n.textContent
    : n.classList.contains("katex-html") ? "" : n.localName === "math" ? mathText(n)
      : [...n.childNodes].map(walk).join(""));
  return walk(el).replace(/\s+/g, " ").trim();
}

const MATHML = {
  mfrac: ([a, b]) => `${grouped(a)}/${grouped(b)}`,
  msup: ([a, b]) => `${grouped(a)}^${grouped(b)}`,
  msub: ([a, b]) => `${grouped(a)}_${grouped(b)}`,
  msqrt: (parts) => `√(${parts.map(mathText).join("")})`,
  annotation: () => "",  // the TeX source
};

function mathText(node) {
  const parts = [...node.children];
  const rule = MATHML[node.localName];
  return rule ? rule(parts) : parts.length ? parts.map(mathText).join("") : node.textContent;
}

function grouped(node) {
  const text = mathText(node);
  return /^([\w.]+|.)$/u.test(text) ? text : `(${text})`;  // one token, or a bracket: (−1)^2
}
