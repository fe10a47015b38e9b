// Authorization code (in-app browser, each redirect a step) and device authorization (user code
// and QR code shown and decoded, polls visible) in the real desktop app against its sandbox.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { launch, sandboxIssuer as issuer, shots } from "./driver.mjs";

let app;
before(async () => {
  app = await launch();
});
after(async () => {
  await app?.close();
});

/** The text a QR code in a PNG says, or an error naming what was looked at. */
function decodeQr(png, what) {
  const { width, height, data } = PNG.sync.read(png);
  const found = jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), width, height);
  if (!found) throw new Error(`expected a QR code in ${what} (${width}×${height} PNG), found none`);
  return found.data;
}

async function stepTitles(b) {
  const titles = [];
  for (const s of await b.$$('[data-testid="step"]')) titles.push(await s.$("summary").getProperty("textContent"));
  return titles;
}

test("authorization code in the in-app browser: every navigation is a step, tokens arrive", async () => {
  const b = app.browser;
  await issuer(b);
  await (await b.$('[data-testid="tab-auth_code"]')).click();
  const main = await b.getWindowHandle();
  await (await b.$('[data-testid="run"]')).click();

  // The login window: sign in, then allow.
  let login;
  await b.waitUntil(async () => (login = (await b.getWindowHandles()).find((h) => h !== main)), { timeout: 20000, timeoutMsg: "expected a login window" });
  await b.switchToWindow(login);
  await (await b.$("button=Sign in")).waitForDisplayed({ timeout: 20000 });
  await (await b.$("button=Sign in")).click();
  await (await b.$("button=Allow")).waitForDisplayed({ timeout: 20000 });
  await (await b.$("button=Allow")).click();

  await b.switchToWindow(main);
  const saved = await b.$('[data-testid="saved"]');
  await saved.waitForDisplayed({ timeout: 30000 });
  assert.match(await saved.getText(), /Flow succeeded — saved as session #\d+/);
  const titles = await stepTitles(b);
  const navigations = titles.filter((t) => t.includes("In-app browser navigated to"));
  assert.ok(navigations.length >= 3, `authorize, login, consent and the redirect back are steps:\n${titles.join("\n")}`);
  assert.ok(titles.some((t) => t.includes("/callback")), "the redirect to the loopback callback is visible");
  assert.ok(titles.some((t) => t.includes("Authorization response received")));
  assert.ok(titles.some((t) => t.includes("Token request (authorization code")));
  assert.ok(titles.some((t) => t.includes("ID token nonce matches")));
  assert.ok(await (await b.$('[data-testid="id-token"]')).isDisplayed());
  await b.saveScreenshot(join(shots, "desktop-auth-code.png"));
});

test("device authorization: the user code and QR code are shown while polling", async () => {
  const b = app.browser;
  const iss = await issuer(b);
  await (await b.$('[data-testid="tab-device"]')).click();
  await (await b.$('[data-testid="run"]')).click();
  const code = await b.$('[data-testid="user-code"]');
  await code.waitForDisplayed({ timeout: 20000 });
  const userCode = await code.getText();
  assert.match(userCode, /^[A-Z]{4}-[A-Z]{4}$/);
  const qr = await b.$('[data-testid="qr"]');
  await qr.waitForDisplayed({ timeout: 10000 });

  // What the sandbox returned, as the timeline shows it: the device authorization response.
  let exchange;
  for (const s of await b.$$('[data-testid="step"]')) {
    if (!(await s.$("summary").getProperty("textContent")).includes("Device authorization request")) continue;
    await s.$("summary").click();
    exchange = await s.getProperty("textContent");
  }
  assert.ok(exchange, `a "Device authorization request" step:\n${(await stepTitles(b)).join("\n")}`);
  const complete = exchange.match(/"verification_uri_complete":\s*"([^"]+)"/)?.[1];
  assert.ok(complete, `verification_uri_complete in the device authorization response:\n${exchange}`);
  assert.ok(complete.startsWith(`${iss}/`) && complete.includes(userCode), complete);

  // The QR code says exactly that: both the image the app made and what the window shows of it.
  const src = await qr.getAttribute("src");
  assert.match(src, /^data:image\/png;base64,/);
  assert.equal(decodeQr(Buffer.from(src.split(",")[1], "base64"), "the img src"), complete);
  // WebKitWebDriver's element screenshots come out black under Xvfb: crop the window's instead,
  // with the QR code scrolled into view (clicking Run can scroll the page down to the button).
  await b.execute((e) => e.scrollIntoView({ block: "center" }), qr);
  const page = PNG.sync.read(await b.saveScreenshot(join(shots, "desktop-device-qr.png")));
  const { rect, dpr } = await b.execute((e) => ({ rect: e.getBoundingClientRect().toJSON(), dpr: window.devicePixelRatio }), qr);
  const pad = 8; // keep some of the light background around it as a quiet zone
  const x = Math.max(0, Math.floor((rect.left - pad) * dpr));
  const y = Math.max(0, Math.floor((rect.top - pad) * dpr));
  const w = Math.min(page.width - x, Math.ceil((rect.width + 2 * pad) * dpr));
  const h = Math.min(page.height - y, Math.ceil((rect.height + 2 * pad) * dpr));
  const crop = new PNG({ width: w, height: h });
  PNG.bitblt(page, crop, x, y, w, h, 0, 0);
  assert.equal(decodeQr(PNG.sync.write(crop), `the window screenshot at the QR element (${w}×${h} at ${x},${y})`), complete);
  // While the user takes their time, repeated authorization_pending polls fold into one row.
  await (await b.$('[data-testid="folded-polls"]')).waitForDisplayed({ timeout: 20000 });
  await b.saveScreenshot(join(shots, "desktop-device-waiting.png"));

  // The user approves on "another device": the sandbox's verification page, by plain HTTP.
  const entry = await fetch(`${iss}/device`, { method: "POST", body: new URLSearchParams({ user_code: userCode, username: "grace" }) });
  const action = (await entry.text()).match(/action="([^"]+)"/)[1];
  await fetch(`${iss}${action}`, { method: "POST", body: new URLSearchParams({ decision: "allow" }) });

  const saved = await b.$('[data-testid="saved"]');
  await saved.waitForDisplayed({ timeout: 30000 });
  assert.match(await saved.getText(), /Flow succeeded/);
  const titles = await stepTitles(b);
  assert.ok(titles.some((t) => t.includes("Device authorization request")));
  assert.ok(titles.some((t) => /Poll #\d+: tokens issued/.test(t)), titles.join("\n"));
  assert.ok(titles.filter((t) => t.includes("authorization_pending")).length >= 3, "every poll is recorded");
  await b.saveScreenshot(join(shots, "desktop-device-done.png"));
});

test("authorization code by pasting the redirected URL (for registered https redirect URIs)", async () => {
  const b = app.browser;
  const iss = await issuer(b);
  await (await b.$('[data-testid="nav-flows"]')).click();
  await (await b.$('[data-testid="tab-auth_code"]')).click();
  await (await b.$('[data-testid="login-mode"]')).selectByAttribute("value", "paste");
  const redirect = "http://127.0.0.1:9/callback"; // nothing listens there: the user brings the URL back
  const input = await b.$('input[placeholder^="http://127.0.0.1:<free port>"]');
  await input.setValue(redirect);
  await (await b.$('[data-testid="run"]')).click();
  const urlBox = await b.$('[data-testid="action"] pre.url');
  await urlBox.waitForDisplayed({ timeout: 20000 });
  const authorize = await urlBox.getText();
  assert.ok(authorize.includes(encodeURIComponent(redirect)), authorize);

  // The user signs in elsewhere and copies the URL the provider sent them to.
  const formAction = (html) => `${iss}${html.match(/action="([^"]+)"/)[1]}`;
  const login = await (await fetch(authorize)).text();
  const consent = await (await fetch(formAction(login), { method: "POST", body: new URLSearchParams({ username: "heidi", password: "x" }) })).text();
  const done = await fetch(formAction(consent), { method: "POST", body: new URLSearchParams({ decision: "allow" }), redirect: "manual" });
  const redirected = done.headers.get("location");
  assert.ok(redirected.startsWith(`${redirect}?code=`), redirected);

  await (await b.$('[data-testid="paste-input"]')).setValue(redirected);
  await (await b.$('[data-testid="paste-submit"]')).click();
  const saved = await b.$('[data-testid="saved"]');
  await b.waitUntil(async () => /Flow succeeded/.test(await saved.getText()), { timeout: 20000, timeoutMsg: "the pasted URL completes the flow" });
  const titles = await stepTitles(b);
  assert.ok(titles.some((t) => t.includes("Authorization response received")));
  assert.ok(titles.some((t) => t.includes("Token request (authorization code")));
});

test("refresh: the token is taken from the authorization-code session, never put in the window", async () => {
  const b = app.browser;
  await (await b.$('[data-testid="nav-flows"]')).click();
  await (await b.$('[data-testid="tab-refresh_token"]')).click();
  assert.equal(await (await b.$('[data-testid="token-source"]')).getValue(), "session");
  const pick = await b.$('[data-testid="token-session"]');
  await pick.click();
  await b.waitUntil(async () => (await pick.$$('option[value="1"]')).length === 1, { timeout: 10000, timeoutMsg: "the auth-code session #1 is offered" });
  await pick.selectByAttribute("value", "1");
  await (await b.$('[data-testid="run"]')).click();
  const saved = await b.$('[data-testid="saved"]');
  await b.waitUntil(async () => (await saved.isExisting()) && /session #4/.test(await saved.getText()), { timeout: 20000, timeoutMsg: "the refresh saved as #4" });
  assert.match(await saved.getText(), /Flow succeeded/);
  const titles = await stepTitles(b);
  assert.ok(titles.some((t) => t.includes("Token request (refresh")), titles.join("\n"));
  const tokens = await b.$('[data-testid="tokens"]');
  assert.match(await tokens.getText(), /Access token \(Bearer/);
  const form = await b.execute(() => document.querySelector("aside").outerHTML);
  assert.ok(!/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]{20,}/.test(form), "no token in the form");
  await b.saveScreenshot(join(shots, "desktop-refresh-from-session.png"));
});
