// The API client: the access token lives in sessionStorage (gone when the tab closes);
// every failure arrives as an RFC 7807 problem and becomes an ApiError carrying its text.

const KEY = "kgtutor.session";

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export function session() {
  const raw = sessionStorage.getItem(KEY);
  return raw ? JSON.parse(raw) : null;
}

export function saveSession(value) {
  if (value) sessionStorage.setItem(KEY, JSON.stringify(value));
  else sessionStorage.removeItem(KEY);
}

export const enc = encodeURIComponent;

// Each page's requests belong to its navigation: a new one aborts those still running, so a
// slow page the user has left cannot paint itself over the page they went to.
let navigation = new AbortController();

export function newNavigation() {
  navigation.abort();
  navigation = new AbortController();
}

// ``shared``: a read several pages may await (the catalogue), not aborted with a navigation
export async function api(path, { method = "GET", body, form, token, shared = false } = {}) {
  const headers = { Accept: "application/json" };
  const bearer = token || session()?.token;
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  let payload;
  if (form) payload = form;  // multipart: the browser sets the boundary
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const r = await fetch(path, { method, headers, body: payload, signal: shared ? undefined : navigation.signal });
  const text = await r.text();
  const json = (r.headers.get("Content-Type") || "").includes("json");
  const data = text ? (json ? JSON.parse(text) : text) : null;  // a CSV export is text
  if (!r.ok) {
    if (r.status === 401 && !path.startsWith("/auth/")) {
      saveSession(null);
      location.hash = "#/login";
    }
    throw new ApiError(r.status, data || {});
  }
  return data;
}

// Log in (or adopt a token from an LTI launch) and remember who the caller is.
export async function signIn(token) {
  const me = await api("/auth/me", { token });
  const value = { token, role: me.role, subject: me.subject,
                  student_id: me.student_id || "", tutor_id: me.tutor_id || "" };
  saveSession(value);
  return value;
}

// Log out: the server revokes the access token and the refresh token issued with it, then the
// session is dropped here whatever the answer (an expired token is logged out already).
export async function signOut() {
  const token = session()?.token;
  try {
    if (token) await api("/auth/logout", { method: "POST", body: {}, token });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
  } finally {
    saveSession(null);
  }
}
