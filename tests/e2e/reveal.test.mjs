// Tokens stay in the app until the user asks for one: after a run, neither the access token nor its
// signature is anywhere in the page or in anything that crossed IPC into the web view; "Reveal"
// fetches it. Also: a client-credentials run with the token URL typed by hand, and step-through
// (a held request sent, another aborted).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cliBinary, launch, paste, sandboxIssuer, shots } from "./driver.mjs";

let app;
let issuer;
before(async () => {
  app = await launch();
  issuer = await sandboxIssuer(app.browser);
});
after(async () => {
  await app?.close();
});

/**
 * Records every value Rust hands to the web view: Channel messages and command results all arrive
 * through a callback registered in Tauri's callback map (exposed, as `callbacks`, for debugging;
 * `transformCallback` and `invoke` themselves are read-only), so wrap what is put in it.
 */
async function spyOnIpc(b) {
  await b.execute(() => {
    const callbacks = window.__TAURI_INTERNALS__.callbacks;
    window.__ipcSeen = [];
    const set = callbacks.set.bind(callbacks);
    callbacks.set = (id, fn) =>
      set(id, (data) => {
        window.__ipcSeen.push(JSON.stringify(data));
        return fn(data);
      });
  });
}

/** The saved session's access token, read from the app's database by the CLI (unredacted export). */
async function savedAccessToken(id) {
  const file = join(app.dataDir, `session-${id}-${Date.now()}.json`);
  await promisify(execFile)(cliBinary, ["--db", join(app.dataDir, "sessions.db"), "sessions", "export", String(id), "--format", "json", "--no-redact", "-o", file], {
    env: { ...process.env, HOME: app.dataDir },
  });
  return JSON.parse(readFileSync(file, "utf8")).session.tokens.access_token;
}

async function runAndWait(b, sessionNo) {
  await (await b.$('[data-testid="run"]')).click();
  const saved = await b.$('[data-testid="saved"]');
  await b.waitUntil(async () => (await saved.isExisting()) && new RegExp(`session #${sessionNo}\\b`).test(await saved.getText()), {
    timeout: 30000,
    timeoutMsg: `expected the run saved as session #${sessionNo}`,
  });
  return saved.getText();
}

test("no raw token reaches the window until Reveal", async () => {
  const b = app.browser;
  await spyOnIpc(b);
  assert.match(await runAndWait(b, 1), /Flow succeeded/);
  const tokens = await b.$('[data-testid="tokens"]');
  await tokens.waitForDisplayed({ timeout: 10000 });
  // The summary is there: type, lifetime, scope, and the decoded token checked.
  assert.match(await tokens.getText(), /Access token \(Bearer, expires in \d+ s, scope “orders\.read orders\.write”\)/);
  const verdict = await b.$('[data-testid="decoded-token"] [data-testid="verdict"]');
  await verdict.waitForDisplayed({ timeout: 15000 });
  assert.match(await verdict.getText(), /JWT · access_token — valid/);

  const token = await savedAccessToken(1);
  const signature = token.split(".")[2];
  assert.ok(signature?.length > 20, `a signed JWT saved: ${token.slice(0, 40)}…`);
  const html = await b.execute(() => document.documentElement.outerHTML);
  assert.ok(!html.includes(token), "the token is not in the page");
  assert.ok(!html.includes(signature), "nor its signature");
  const seen = await b.execute(() => window.__ipcSeen.join("\n"));
  assert.ok(seen.includes('"type":"tokens"'), `the spy saw the run's events:\n${seen.slice(0, 400)}`);
  assert.ok(!seen.includes(signature), "nothing that crossed IPC into the web view held the token");
  await b.saveScreenshot(join(shots, "desktop-tokens-hidden.png"));

  await (await b.$('[data-testid="reveal-access_token"]')).click();
  const revealed = await b.$('[data-testid="revealed-access_token"]');
  await revealed.waitForDisplayed({ timeout: 10000 });
  assert.equal(await revealed.getText(), token);
  assert.ok((await b.execute(() => document.documentElement.outerHTML)).includes(token), "revealed on request");
  await b.saveScreenshot(join(shots, "desktop-token-revealed.png"));
  await (await b.$('[data-testid="hide-access_token"]')).click();
  assert.ok(!(await b.execute(() => document.documentElement.outerHTML)).includes(signature), "hidden again");
});

test("client credentials with endpoints entered by hand (token URL only)", async () => {
  const b = app.browser;
  await (await b.$('[data-testid="tab-client_credentials"]')).click();
  await (await b.$('[data-testid="provider-mode"]')).selectByAttribute("value", "endpoints");
  await paste(b, await b.$('[data-testid="endpoint-token"]'), `${issuer}/token`);
  assert.match(await runAndWait(b, 2), /Flow succeeded — saved as session #2/);
  const titles = [];
  for (const s of await b.$$('[data-testid="step"]')) titles.push(await s.$("summary").getProperty("textContent"));
  assert.ok(!titles.some((t) => t.includes("OpenID discovery")), `no discovery with endpoints by hand:\n${titles.join("\n")}`);
  assert.ok(titles.some((t) => t.includes("Token request") && t.includes("200")), titles.join("\n"));
  await b.saveScreenshot(join(shots, "desktop-endpoints-by-hand.png"));
});

test("step-through: the held token request is shown redacted, sent on Send, and a run aborted on Abort", async () => {
  const b = app.browser;
  // Still endpoints by hand from the test before: one request per run.
  await (await b.$('[data-testid="step-through"]')).click();
  await (await b.$('[data-testid="run"]')).click();
  const held = await b.$('[data-testid="pending-request"]');
  await held.waitForDisplayed({ timeout: 20000 });
  const text = await held.getText();
  assert.match(text, new RegExp(`^POST ${issuer}/token`));
  assert.match(text, /grant_type=client_credentials/);
  assert.doesNotMatch(text, /sandbox-service-secret|c2FuZGJveC1zZXJ2aWNlOnNhbmRib3gtc2VydmljZS1zZWNyZXQ/, "the secret is not shown, in clear or Basic");
  await b.execute((e) => e.scrollIntoView({ block: "center" }), held);
  await b.saveScreenshot(join(shots, "desktop-step-through.png"));
  await (await b.$('[data-testid="pending-send"]')).click();
  const saved = await b.$('[data-testid="saved"]');
  await b.waitUntil(async () => /Flow succeeded — saved as session #3/.test(await saved.getText()), { timeout: 20000, timeoutMsg: "sent, run succeeds" });

  await (await b.$('[data-testid="run"]')).click();
  await (await b.$('[data-testid="pending-abort"]')).waitForDisplayed({ timeout: 20000 });
  await (await b.$('[data-testid="pending-abort"]')).click();
  await b.waitUntil(async () => /Flow failed — saved as session #4/.test(await (await b.$('[data-testid="saved"]')).getText()), { timeout: 20000, timeoutMsg: "aborted, run fails" });
  await (await b.$('[data-testid="step-through"]')).click();
});
