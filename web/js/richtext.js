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
