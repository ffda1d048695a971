// Student pages: practice (recommendation cards with reasons, answers with feedback,
// resources, rest suggestions), the learning path timeline, and the feelings bar.

import { consentBox } from "./affect.js";
import { api, enc, session } from "./api.js";
import { catalogue, kpName } from "./catalogue.js";
import { placementBanner } from "./assessment.js";
import { studyCards } from "./experiment.js";
import { choiceLabel, richText } from "./richtext.js";
import { h, list, problemBox, section, show, when } from "./ui.js";

const FEELINGS = [["happy", "😀"], ["neutral", "😐"], ["confused", "😕"], ["tired", "😴"],
  ["upset", "😟"]];

const me = () => enc(session().student_id);

export async function practicePage(feedback = null) {
  const [plan, placement, study] = await Promise.all([api(`/students/${me()}/recommendations`),
    api(`/students/${me()}/placement`).catch(() => null), studyCards()]);
  const questions = await Promise.all(plan.items.map((i) => api(`/questions/${enc(i.question_id)}`)));
  const rest = plan.rest || plan.actions.find((a) => a.kind === "rest")?.text;
  show(h("h1", {}, "Practice"),
    placement?.offered ? placementBanner() : null, study,
    rest ? h("div", { class: "rest", role: "status", id: "rest" },
      h("strong", {}, "Time for a break. "), rest) : null,
    feedback,
    plan.actions.length ? h("ul", { class: "actions", "aria-label": "Adjustments" },
      plan.actions.map((a) => h("li", {}, a.text))) : null,
    h("h2", {}, `Your next ${plan.items.length} tasks`),
    h("ol", { class: "cards", id: "tasks" }, plan.items.map((item, i) =>
      h("li", {}, card(item, questions[i], i)))),
    section("Resources for what you are learning", plan.resources.length
      ? h("ol", { class: "resources", id: "resources" }, plan.resources.map((r, i) =>
        h("li", {}, resourceCard(r, `res-${i}`))))
      : h("p", { class: "muted" }, "No resources for now.")),
    consentBox());
}

function card(item, q, i, title = `Task ${i + 1}`) {
  const name = `answer-${i}`;
  const why = h("ul", { class: "why", id: `why-${i}`, hidden: true },
    item.reasons.map((r) => h("li", {}, r)));
  const toggle = h("button", { type: "button", class: "link", "aria-expanded": "false",
    "aria-controls": `why-${i}`, onclick: () => {
      why.hidden = !why.hidden;
      toggle.setAttribute("aria-expanded", String(!why.hidden));
    } }, "Why this?");
  const input = q.options && q.options.length
    ? h("fieldset", {}, h("legend", {}, "Choose an answer"), q.options.map((o, j) =>
      choiceLabel(h("input", { type: "radio", name, value: o, required: j === 0 }), o)))
    : h("label", {}, "Your answer ", h("input", { name, required: true }));
  const like = h("div", { class: "like", id: `like-${i}`, "aria-live": "polite" });
  const more = h("button", { type: "button", class: "link", onclick: async () => {
    more.disabled = true;
    try {
      const found = await api(`/questions/${enc(item.question_id)}/similar?kind=question&top=3`);
      const qs = await Promise.all(found.map((f) => api(`/questions/${enc(f.id)}`)));
      like.replaceChildren(h("h3", {}, "More like this"), found.length
        ? h("ol", { class: "cards" }, found.map((f, j) => h("li", {}, card({
          question_id: f.id, kp_id: qs[j].kp_ids?.[0] || "",
          reasons: [`like ${title.toLowerCase()}: shares ${f.shared_terms.join(", ")
            || "its wording"}`, `similarity ${f.score.toFixed(2)}`] }, qs[j], `${i}-${j}`,
          `Like ${title.toLowerCase()}, ${j + 1}`))))
        : h("p", { class: "muted" }, "Nothing close enough."));
    } catch (err) {
      like.replaceChildren(problemBox(err));
    }
  } }, "More like this");
  const form = h("form", { class: "card task", dataset: { question: item.question_id },
    "aria-label": title, onsubmit: (e) => answer(e, item) },
  h("p", { class: "muted" }, `${title} · ${q.kp_names?.[0] || item.kp_id}`
      + `${q.level ? ` · ${q.level}` : ""}`),
  richText(h("div", { class: "question" }), q.text), input,
  q.hints?.length ? h("details", { class: "hints" }, h("summary", {}, "Hints"),
    list(q.hints, (t) => richText(h("div"), t))) : null,
  h("div", { class: "row" }, h("button", { type: "submit" }, "Check answer"), toggle,
    typeof i === "number" ? more : null), why);
  return h("div", {}, form, like);  // the similar questions' forms sit beside it, not in it
}

async function answer(e, item) {
  e.preventDefault();
  const data = new FormData(e.target);
  const value = [...data.values()][0];
  let result;
  try {
    result = await api(`/students/${me()}/answers`, { method: "POST",
      body: { question_id: item.question_id, answer: String(value) } });
  } catch (err) {
    e.target.append(problemBox(err));
    return;
  }
  const box = h("section", { class: `card feedback ${result.correct ? "ok" : "wrong"}`,
    role: "status", id: "feedback", tabindex: "-1" },  // focused below, for the keyboard
  h("h2", {}, result.correct ? "Correct!" : "Not quite."),
  result.correct ? null : h("p", {}, "The correct answer: ",
    richText(h("strong"), result.correct_answer, { inline: true })),
  result.explanation ? richText(h("div"), result.explanation) : null,
  !result.correct && result.resources?.length
    ? [h("p", {}, "These may help:"), h("ol", { class: "resources" }, result.resources.map(
      (r, i) => h("li", {}, resourceCard(r, `help-${i}`))))] : null);
  await practicePage(box);
  document.getElementById("feedback")?.focus?.();
}

// A resource with its reasons; opening it records the use its ranking learns from, and
// "More like this" lists the resources closest to its text.
function resourceCard(r, key, more = true) {
  const why = h("ul", { class: "why", id: `why-${key}`, hidden: true },
    (r.reasons || []).map((x) => h("li", {}, x)));
  const toggle = h("button", { type: "button", class: "link", "aria-expanded": "false",
    "aria-controls": `why-${key}`, onclick: () => {
      why.hidden = !why.hidden;
      toggle.setAttribute("aria-expanded", String(!why.hidden));
    } }, "Why this?");
  const record = () => api(`/students/${me()}/resources/${enc(r.id)}/uses`, { method: "POST" })
    .catch(() => null);  // the page must open even if the use is not stored
  const title = r.url ? h("a", { href: r.url, target: "_blank", rel: "noopener",
    onclick: record }, r.title || r.id) : h("strong", {}, r.title || r.id);
  const like = h("div", { class: "like", "aria-live": "polite" });
  const likeButton = h("button", { type: "button", class: "link", onclick: async () => {
    likeButton.disabled = true;
    try {
      const found = await api(`/resources/${enc(r.id)}/similar?kind=resource&top=3`
        + "&min_cosine=0.1");
      const cards = await Promise.all(found.map((f) => api(`/resources/${enc(f.id)}`)));
      like.replaceChildren(h("h3", {}, "More like this"), cards.length
        ? h("ol", { class: "resources" }, cards.map((c, j) => h("li", {}, resourceCard({
          ...c, reasons: [`like ${r.title || r.id}: shares ${found[j].shared_terms.join(", ")
            || "its wording"}`, `similarity ${found[j].score.toFixed(2)}`] },
        `${key}-${j}`, false))))
        : h("p", { class: "muted" }, "Nothing close enough."));
    } catch (err) {
      like.replaceChildren(problemBox(err));
    }
  } }, "More like this");
  return h("div", { class: "resource", dataset: { resource: r.id } },
    h("span", { class: "kind" }, [(r.kind || "resource").replace(/_/g, " "), r.level,
      r.minutes ? `${r.minutes} min` : null].filter(Boolean).join(" · ")),
    title, h("div", { class: "row" }, toggle, more ? likeButton : null), why, like);
}

export function emojiBar(bar) {
  const said = h("span", { class: "said", "aria-live": "polite" });
  bar.replaceChildren(h("span", { class: "ask" }, "How do you feel?"),
    ...FEELINGS.map(([name, emoji]) => h("button", { type: "button", class: "emoji",
      "aria-pressed": "false", onclick: async (e) => {
        const pressed = e.currentTarget;  // gone once the event has been dispatched
        try {
          await api(`/students/${me()}/affect/emoji`, { method: "POST", body: { emoji: name } });
          bar.querySelectorAll(".emoji").forEach((b) => b.setAttribute("aria-pressed",
            String(b === pressed)));
          said.textContent = `Thanks, noted: ${name}.`;
          if (location.hash === "#/practice") await practicePage();
        } catch (err) {
          said.replaceChildren(problemBox(err));
        }
      } }, h("span", { class: "face", "aria-hidden": "true" }, emoji),
    h("span", { class: "name" }, name))), said);
}

export async function pathPage() {
  // the history first: an empty one means no path yet, without provoking a 404
  const history = await api(`/students/${me()}/path/history?page_size=20`);
  if (!history.length) return startPath();
  const path = await api(`/students/${me()}/path`);
  const names = await Promise.all(path.steps.map((s) => kpName(s.kp_id)));
  const goal = await kpName(path.goal_kp);
  show(h("h1", {}, "My learning path"), h("p", {}, `Goal: ${goal}`),
    h("ol", { class: "timeline", "aria-label": "Steps" }, path.steps.map((s, i) =>
      h("li", { class: s.status }, h("span", { class: "status" }, stepLabel(s.status)), " ",
        names[i], s.inserted ? h("span", { class: "badge" }, "added by a re-route") : null,
        s.pinned ? h("span", { class: "badge" }, "pinned by your tutor") : null))),
    path.session_size ? h("p", { class: "rest" }, `Your next session is shortened to `
      + `${path.session_size} step(s).`) : null,
    section("Changes to your path", list(history, (v) =>
      `Version ${v.version}, ${when(v.ts)}: ${v.reason || "started"}`)));
}

export function stepLabel(status) {
  return { done: "✓ done", current: "▶ now", todo: "next", removed: "removed" }[status] || status;
}

async function startPath() {
  const { kps } = await catalogue();
  const goal = h("select", { id: "goal", required: true }, [...kps.values()].map((k) =>
    h("option", { value: k.id }, `${k.chapter}: ${k.name}`)));
  const error = h("div", { "aria-live": "polite" });
  show(h("h1", {}, "My learning path"),
    h("form", { class: "card narrow", onsubmit: async (e) => {
      e.preventDefault();
      try {
        await api(`/students/${me()}/path`, { method: "POST", body: { goal_kp: goal.value } });
        await pathPage();
      } catch (err) {
        error.replaceChildren(problemBox(err));
      }
    } }, h("p", {}, "You have no learning path yet. Pick what you want to learn; kgtutor "
      + "plans the steps to get there."),
    h("label", { for: "goal" }, "Goal"), goal, h("button", { type: "submit" }, "Start"),
    error));
}
