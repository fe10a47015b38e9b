// The live sequence diagram in the real desktop app against its sandbox: lanes, request and response
// arrows, browser arrows for the redirects, device polls folded into one arrow, a red mark on a failing
// run, the same arrows for the reopened session, and the SVG export.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { launch, paste, sandboxIssuer, shots } from "./driver.mjs";

let app;
let iss;
before(async () => {
  app = await launch();
  iss = await sandboxIssuer(app.browser);
});
after(async () => {
  await app?.close();
});

/** The drawn arrows, in order, as the diagram's data attributes say them. */
const arrows = (b) =>
  b.execute(() =>
    // The shown diagram only: the Flows view keeps its own, hidden, while Sessions is open.
    [...([...document.querySelectorAll('[data-testid="diagram"]')].find((s) => s.getBoundingClientRect().width > 0)?.querySelectorAll('[data-testid="arrow"]') ?? [])].map((g) => ({
      kind: g.dataset.kind,
      seq: Number(g.dataset.seq),
      label: g.dataset.label,
      mark: g.dataset.mark,
      count: g.dataset.count,
    })),
  );
const listing = (list) => list.map((a) => `#${a.seq} ${a.kind} ${a.label}${a.mark ? ` [${a.mark}]` : ""}`).join("\n");

async function showDiagram(b) {
  await (await b.$('[data-testid="view-diagram"]')).click();
  await (await b.$('[data-testid="diagram"]')).waitForDisplayed({ timeout: 10000 });
}

async function finished(b, outcome) {
  const saved = await b.$('[data-testid="saved"]');
  await saved.waitForDisplayed({ timeout: 30000 });
  assert.match(await saved.getText(), outcome);
}

async function setIssuer(b, value) {
  await paste(b, await b.$('[data-testid="issuer"]'), value);
}

test("client credentials: four lanes, POST /token with its 200 answer; a click opens the step; SVG export", async () => {
  const b = app.browser;
  await (await b.$('[data-testid="tab-client_credentials"]')).click();
  await (await b.$('[data-testid="run"]')).click();
  await finished(b, /Flow succeeded/);
  await showDiagram(b);

  const lanes = await b.execute(() => [...document.querySelectorAll('[data-testid="lane"]')].map((l) => l.textContent.trim()));
  assert.deepEqual(lanes, ["User / Browser", "OAuth Flow Inspector", "Authorization Server", "Resource API"]);
  const list = await arrows(b);
  const at = list.findIndex((a) => a.kind === "request" && a.label === "POST /token");
  assert.ok(at >= 0, `a POST /token request arrow:\n${listing(list)}`);
  assert.equal(list[at + 1].kind, "response");
  assert.equal(list[at + 1].label, "200 tokens", listing(list));
  assert.ok(!list.some((a) => a.mark === "fail"), `a successful run has no red mark:\n${listing(list)}`);
  await b.saveScreenshot(join(shots, "diagram-client-credentials.png"));

  // A click on the arrow opens that step's raw exchange.
  await b.execute((seq) => document.querySelector(`[data-testid="arrow"][data-seq="${seq}"][data-kind="request"]`).dispatchEvent(new MouseEvent("click", { bubbles: true })), list[at].seq);
  const detail = await b.$('[data-testid="step"][open]');
  await detail.waitForDisplayed({ timeout: 5000 });
  const text = await detail.getProperty("textContent");
  assert.match(text, /POST http:\/\/127\.0\.0\.1:\d+\/token/);
  assert.match(text, /HTTP 200/);
  await b.saveScreenshot(join(shots, "diagram-step-open.png"));

  // The exported SVG is the drawn one, and the client secret is in it nowhere.
  await (await b.$('[data-testid="export-svg"]')).click();
  const note = await b.$('[data-testid="diagram-saved"]');
  await b.waitUntil(async () => (await note.getProperty("textContent"))?.trim(), { timeout: 5000, timeoutMsg: "expected a note on the saved diagram" });
  const file = (await note.getProperty("textContent")).match(/^Saved (.+oauth-session-\d+-diagram\.svg)$/)?.[1];
  // Where session exports go: the download folder, else the home folder (the test gives the app its own).
  assert.ok(file?.startsWith(app.dataDir), `saved under the app's home, got ${await note.getProperty("textContent")}`);
  const markup = readFileSync(file, "utf8");
  assert.match(markup, /<svg[^>]* width="\d+"[^>]* height="\d+"/, "the file keeps its drawn size");
  assert.match(markup, /^<\?xml[^>]*>\s*<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.ok(markup.includes("POST /token") && markup.includes("200 tokens"), markup.slice(0, 400));
  assert.ok(!markup.includes("sandbox-service-secret"), "no client secret in the exported diagram");
});

test("authorization code: browser arrows for the redirects, then POST /token", async () => {
  const b = app.browser;
  await (await b.$('[data-testid="tab-auth_code"]')).click();
  const main = await b.getWindowHandle();
  await (await b.$('[data-testid="run"]')).click();
  let login;
  await b.waitUntil(async () => (login = (await b.getWindowHandles()).find((h) => h !== main)), { timeout: 20000, timeoutMsg: "expected a login window" });
  await b.switchToWindow(login);
  await (await b.$("button=Sign in")).waitForDisplayed({ timeout: 20000 });
  await (await b.$("button=Sign in")).click();
  await (await b.$("button=Allow")).waitForDisplayed({ timeout: 20000 });
  await (await b.$("button=Allow")).click();
  await b.switchToWindow(main);
  await finished(b, /Flow succeeded/);
  await showDiagram(b);

  const list = await arrows(b);
  const browser = list.filter((a) => a.kind === "browser");
  assert.ok(browser.length >= 3, `authorize, login, consent and the callback are browser arrows:\n${listing(list)}`);
  assert.ok(browser.some((a) => a.label.includes("/authorize")), listing(list));
  assert.ok(browser.some((a) => a.label.includes("/callback")), listing(list));
  const token = list.findIndex((a) => a.kind === "request" && a.label === "POST /token");
  assert.ok(token > list.findIndex((a) => a.label.includes("/callback")), `the token request follows the callback:\n${listing(list)}`);
  assert.equal(list[token + 1].label, "200 tokens");
  await b.saveScreenshot(join(shots, "diagram-auth-code.png"));
});

test("device authorization: the polls fold into one arrow with their count and last answer", async () => {
  const b = app.browser;
  await (await b.$('[data-testid="tab-device"]')).click();
  await (await b.$('[data-testid="run"]')).click();
  const code = await b.$('[data-testid="user-code"]');
  await code.waitForDisplayed({ timeout: 20000 });
  const userCode = await code.getText();
  // Let a few polls be answered authorization_pending before approving.
  await b.waitUntil(async () => Number((await arrows(b)).find((a) => a.kind === "poll")?.count ?? 0) >= 2, {
    timeout: 30000,
    timeoutMsg: "expected the polls to be counted on one arrow",
  });
  const waiting = (await arrows(b)).find((a) => a.kind === "poll");
  assert.match(waiting.label, /^POST \/token ×\d+ · last: authorization_pending$/);

  const entry = await fetch(`${iss}/device`, { method: "POST", body: new URLSearchParams({ user_code: userCode, username: "grace" }) });
  const action = (await entry.text()).match(/action="([^"]+)"/)[1];
  await fetch(`${iss}${action}`, { method: "POST", body: new URLSearchParams({ decision: "allow" }) });
  await finished(b, /Flow succeeded/);

  const list = await arrows(b);
  const polls = list.filter((a) => a.kind === "poll");
  assert.equal(polls.length, 1, `one arrow for all polls:\n${listing(list)}`);
  assert.ok(Number(polls[0].count) > Number(waiting.count), listing(list));
  assert.match(polls[0].label, new RegExp(`×${polls[0].count} · last: tokens$`));
  await b.saveScreenshot(join(shots, "diagram-device.png"));
});

let failedArrows;
test("a failing run (the authorization response names another issuer) shows a red mark", async () => {
  const b = app.browser;
  await setIssuer(b, `${iss}/trouble/wrong-iss`);
  await (await b.$('[data-testid="tab-auth_code"]')).click();
  await (await b.$('[data-testid="run"]')).click();
  await finished(b, /Flow failed/);
  const list = await arrows(b);
  assert.ok(list.some((a) => a.mark === "fail"), `a red mark:\n${listing(list)}`);
  const marks = await b.execute(() =>
    [...[...document.querySelectorAll('[data-testid="diagram"]')].find((s) => s.getBoundingClientRect().width > 0).querySelectorAll('[data-testid="mark"]')].map((m) => m.dataset.mark),
  );
  assert.ok(marks.includes("fail"), `a drawn red mark, got ${JSON.stringify(marks)}`);
  await b.saveScreenshot(join(shots, "diagram-failed.png"));
  failedArrows = list;
  await setIssuer(b, iss);
});

test("a reopened session draws the same arrows from its saved steps", async () => {
  const b = app.browser;
  assert.ok(failedArrows?.length, "the failing run drew arrows");
  await (await b.$('[data-testid="nav-sessions"]')).click();
  const first = await b.$('[data-testid="session-row"] button.row');
  await first.waitForDisplayed({ timeout: 10000 });
  await first.click();
  // The view chosen last (the diagram) is kept.
  let list;
  await b.waitUntil(async () => (list = await arrows(b)).length > 0, { timeout: 10000, timeoutMsg: "expected the session's diagram" });
  assert.deepEqual(list, failedArrows);
  await b.saveScreenshot(join(shots, "diagram-reopened.png"));
});
