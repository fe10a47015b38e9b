// A headless test "user": fetch with a cookie jar, manual redirects and generic form filling.
// It knows nothing about one server's pages, so it works against oidc-provider's devInteractions
// and against our own sandbox's plain login/consent forms. No JavaScript runs: auto-submitting
// pages work because their <form> is submitted like any other.
import { parse } from "node-html-parser";

const MAX_STEPS = 30;
const GOOD = /allow|continue|approve|accept|authori[sz]e|consent|sign.?in|log.?in|confirm|submit|yes/i;
const BAD = /deny|abort|cancel|reject|decline|\bno\b/i;
const USERNAME_FIELDS = new Set(["login", "username", "user", "email"]);

/** Cookies per origin. Paths and flags are ignored: a test user talks to one server at a time. */
class CookieJar {
  #byOrigin = new Map();

  header(url) {
    const jar = this.#byOrigin.get(new URL(url).origin);
    return jar && jar.size ? [...jar].map(([k, v]) => `${k}=${v}`).join("; ") : undefined;
  }

  store(url, response) {
    const origin = new URL(url).origin;
    if (!this.#byOrigin.has(origin)) this.#byOrigin.set(origin, new Map());
    const jar = this.#byOrigin.get(origin);
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";").map((s) => s.trim());
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const expired = attrs.some((a) => {
        const [k, v = ""] = a.split("=");
        if (k.toLowerCase() === "max-age") return Number(v) <= 0;
        if (k.toLowerCase() === "expires") return Date.parse(v) <= Date.now();
        return false;
      });
      if (expired || value === "") jar.delete(name);
      else jar.set(name, value);
    }
  }
}

/** Visible text of a page, for error messages. */
function pageText(html) {
  return parse(html).querySelector("body")?.text.replace(/\s+/g, " ").trim().slice(0, 500) ?? html.slice(0, 500);
}

function buttonLabel(b) {
  return `${b.text} ${b.getAttribute("value") ?? ""} ${b.getAttribute("name") ?? ""}`;
}

/** The first <form> of the page as a request, with fields filled in; undefined if there is none. */
function submitFirstForm(html, pageUrl, { username, userCode }) {
  const root = parse(html);
  const form = root.querySelector("form");
  if (!form) return undefined;

  const id = form.getAttribute("id");
  const owned = (el) => id !== undefined && el.getAttribute("form") === id; // <button form="id"> outside the form
  const fields = [...form.querySelectorAll("input, select, textarea"), ...root.querySelectorAll("input, select, textarea").filter(owned)];
  const data = new URLSearchParams();
  for (const el of fields) {
    const name = el.getAttribute("name");
    const type = (el.getAttribute("type") ?? "text").toLowerCase();
    if (!name || ["submit", "button", "image", "reset", "file"].includes(type)) continue;
    if (["checkbox", "radio"].includes(type) && !el.hasAttribute("checked")) continue;
    let value = el.tagName === "TEXTAREA" ? el.text : el.getAttribute("value") ?? "";
    if (type === "password") value ||= "any-password";
    else if (USERNAME_FIELDS.has(name.toLowerCase())) value = username;
    else if (name === "user_code" && userCode && !value) value = userCode;
    data.append(name, value);
  }

  // Several buttons (e.g. Continue / Abort): take the one that says yes.
  const isButton = (b) => b.tagName === "BUTTON" ? (b.getAttribute("type") ?? "submit") === "submit" : ["submit", "image"].includes(b.getAttribute("type"));
  const buttons = [...form.querySelectorAll("button, input"), ...root.querySelectorAll("button, input").filter(owned)].filter(isButton);
  const ok = buttons.filter((b) => !BAD.test(buttonLabel(b)));
  const button = ok.find((b) => GOOD.test(buttonLabel(b))) ?? ok[0];
  if (buttons.length && !button) throw new Error(`no acceptable submit button on ${pageUrl}: ${buttons.map(buttonLabel).join(" | ")}`);
  if (button?.getAttribute("name")) data.append(button.getAttribute("name"), button.getAttribute("value") ?? "");

  const action = new URL(button?.getAttribute("formaction") ?? form.getAttribute("action") ?? pageUrl, pageUrl);
  const method = (form.getAttribute("method") ?? "get").toUpperCase();
  if (method === "GET") {
    action.search = data.toString();
    return { url: action.href, method: "GET" };
  }
  return { url: action.href, method: "POST", body: data.toString() };
}

/**
 * Follows redirects and submits forms from `url` until a redirect to `stopAt` (returns its
 * Location, without requesting it) or a page without a form (returns that page).
 */
export async function browse(url, { username = "alice", userCode, stopAt, jar = new CookieJar() } = {}) {
  let request = { url, method: "GET" };
  let lastFormKey;
  for (let step = 0; step < MAX_STEPS; step++) {
    const headers = {};
    const cookie = jar.header(request.url);
    if (cookie) headers.cookie = cookie;
    if (request.body !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
    const res = await fetch(request.url, { method: request.method, headers, body: request.body, redirect: "manual" });
    jar.store(request.url, res);

    if (res.status >= 300 && res.status < 400 && res.headers.has("location")) {
      await res.arrayBuffer();
      const location = new URL(res.headers.get("location"), request.url).href;
      if (stopAt && location.startsWith(stopAt)) return { redirectTo: location };
      // 307/308 repeat the request as it was; the others turn into a GET.
      request = [307, 308].includes(res.status) ? { ...request, url: location } : { url: location, method: "GET" };
      continue;
    }

    const html = await res.text();
    if (res.status >= 400) throw new Error(`${request.method} ${request.url} answered ${res.status}: ${pageText(html)}`);
    const next = submitFirstForm(html, request.url, { username, userCode });
    if (!next) return { url: request.url, status: res.status, html, text: pageText(html) };

    // The same form again means our input was refused (e.g. a wrong user code): stop, don't loop.
    const formKey = `${next.method} ${next.url} ${[...new URLSearchParams(next.body ?? "").keys()].join(",")}`;
    if (formKey === lastFormKey) throw new Error(`the server showed the same form again at ${request.url}: ${pageText(html)}`);
    lastFormKey = formKey;
    request = next;
  }
  throw new Error(`gave up after ${MAX_STEPS} requests starting at ${url}`);
}

/**
 * Logs in and consents from an authorization URL, then delivers the final redirect to the
 * client's redirect URI (so a loopback listener waiting there receives it).
 */
export async function loginAndConsent(authorizeUrl, { username = "alice", stopAt } = {}) {
  if (!stopAt) throw new Error("loginAndConsent needs stopAt: the redirect URI (origin + path) to stop at");
  const end = await browse(authorizeUrl, { username, stopAt });
  if (!end.redirectTo) throw new Error(`never redirected to ${stopAt}; last page ${end.url}: ${end.text}`);
  const res = await fetch(end.redirectTo, { redirect: "manual" });
  return { callbackUrl: end.redirectTo, callbackStatus: res.status, callbackBody: await res.text() };
}

/**
 * Completes a device authorization as the user: enter (or confirm) the user code, log in,
 * consent. Pass verification_uri_complete, or verification_uri with { userCode }.
 * Returns the final page ({ url, status, text }).
 */
export async function enterUserCode(verificationUri, { userCode, username = "alice" } = {}) {
  return browse(verificationUri, { username, userCode });
}
