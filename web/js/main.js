// The router: routes live in the URL hash (#/classes/...), so the server serves one shell.
// An LTI launch arrives as #token=...: the token is adopted and dropped from the address.

import { newNavigation, session, signIn, signOut } from "./api.js";
import { loginPage } from "./login.js";
import { emojiBar, pathPage, practicePage } from "./student.js";
import { classesPage, classPage } from "./tutor.js";
import { reportPage } from "./report.js";
import { mapPage } from "./kmap.js";
import { authoringPage } from "./authoring.js";
import { experimentPage, experimentsPage, newExperimentPage } from "./experiment.js";
import { myTestsPage, newTestPage, placementPage, sittingPage, testAdminPage,
  testsAdminPage } from "./assessment.js";
import { guarded, h } from "./ui.js";

const STUDENT_ROUTES = [
  [/^#\/practice$/, () => practicePage()],
  [/^#\/path$/, () => pathPage()],
  [/^#\/tests$/, () => myTestsPage()],
  [/^#\/tests\/([^/]+)$/, (t) => sittingPage(t)],
  [/^#\/placement$/, () => placementPage()],
];
const TUTOR_ROUTES = [
  [/^#\/classes$/, () => classesPage()],
  [/^#\/classes\/([^/]+)$/, (c) => classPage(c)],
  [/^#\/classes\/([^/]+)\/map\/([^/]+)$/, (c, ch) => mapPage(c, ch)],
  [/^#\/tests$/, () => testsAdminPage()],
  [/^#\/tests\/new$/, () => newTestPage()],
  [/^#\/tests\/([^/]+)$/, (t) => testAdminPage(t)],
  [/^#\/author$/, () => authoringPage()],
  [/^#\/experiments$/, () => experimentsPage()],
  [/^#\/experiments\/new$/, () => newExperimentPage()],
  [/^#\/experiments\/([^/]+)$/, (x) => experimentPage(x)],
];
const SHARED_ROUTES = [
  [/^#\/students\/([^/]+)\/report$/, (s) => reportPage(s)],
];

function home(who) {
  return who.role === "student" ? "#/practice" : "#/classes";
}

function nav(who) {
  const links = who.role === "student"
    ? [["#/practice", "Practice"], ["#/path", "My path"], ["#/tests", "Tests"]]
    : [["#/classes", "Classes"], ["#/tests", "Tests"], ["#/experiments", "Experiments"],
      ["#/author", "Author"]];
  const logout = h("button", { type: "button", class: "link", onclick: async () => {
    await signOut();
    location.hash = "#/login";
  } }, "Log out");
  document.getElementById("nav").replaceChildren(
    ...links.map(([href, label]) => h("a", { href,
      "aria-current": location.hash.startsWith(href) ? "page" : null }, label)),
    h("span", { class: "who" }, who.subject), logout);
}

async function route() {
  newNavigation();
  const hash = location.hash || "#/";
  if (hash.startsWith("#token=")) {
    const token = new URLSearchParams(hash.slice(1)).get("token");
    await guarded(async () => {
      const who = await signIn(token);
      history.replaceState(null, "", location.pathname + home(who));
    });
    return route();
  }
  const who = session();
  const feelings = document.getElementById("feelings");
  if (!who || hash === "#/login") {
    document.getElementById("nav").replaceChildren();
    feelings.hidden = true;
    return loginPage(home);
  }
  nav(who);
  feelings.hidden = who.role !== "student";
  if (who.role === "student" && !feelings.childElementCount) emojiBar(feelings);
  const routes = [...SHARED_ROUTES, ...(who.role === "student" ? STUDENT_ROUTES : TUTOR_ROUTES)];
  for (const [pattern, page] of routes) {
    const m = hash.match(pattern);
    if (m) return guarded(() => page(...m.slice(1).map(decodeURIComponent)));
  }
  location.replace(home(who));
}

window.addEventListener("hashchange", route);
route();
