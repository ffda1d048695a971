// The log-in form: the role in the answer decides the landing page.

import { api, signIn } from "./api.js";
import { h, problemBox, show } from "./ui.js";

export function loginPage(home) {
  const error = h("div", { "aria-live": "polite" });
  const user = h("input", { id: "username", name: "username", autocomplete: "username",
                            required: true });
  const pass = h("input", { id: "password", name: "password", type: "password",
                            autocomplete: "current-password", required: true });
  const form = h("form", { class: "card narrow", onsubmit: async (e) => {
    e.preventDefault();
    error.replaceChildren();
    try {
      const tokens = await api("/auth/login", { method: "POST",
        body: { username: user.value, password: pass.value } });
      const who = await signIn(tokens.access_token);
      location.hash = home(who);
    } catch (err) {
      error.replaceChildren(problemBox(err));
    }
  } },
  h("h1", {}, "Log in"),
  h("label", { for: "username" }, "Username"), user,
  h("label", { for: "password" }, "Password"), pass,
  h("button", { type: "submit" }, "Log in"), error,
  h("p", { class: "muted" }, "Arriving from your school's LMS? The launch signs you in."));
  show(form);
  user.focus();
}
