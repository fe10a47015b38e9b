// The Sessions view: two saved runs, searched, renamed, compared step by step, exported as HAR,
// deleted and restored.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { launch, paste, shots } from "./driver.mjs";

let app;
before(async () => {
  app = await launch();
});
after(async () => {
  await app?.close();
});

async function set(b, selector, text) {
  const el = await b.$(selector);
  await el.waitForExist({ timeout: 10000 });
  await paste(b, el, text);
}

async function runClientCredentials(b, secret) {
  await (await b.$('[data-testid="nav-flows"]')).click();
  await set(b, 'input[type="password"]', secret);
  await (await b.$('[data-testid="run"]')).click();
  const saved = await b.$('[data-testid="saved"]');
  await saved.waitForDisplayed({ timeout: 20000 });
  return saved.getText();
}

const rows = async (b) => (await b.$$('[data-testid="session-row"]')).length;

test("sessions: search, rename, compare a working and a failing run, export HAR, delete with undo", async () => {
  const b = app.browser;
  await (await b.$('[data-testid="provider"]')).waitForDisplayed({ timeout: 20000 });
  assert.match(await runClientCredentials(b, "sandbox-service-secret"), /Flow succeeded — saved as session #1/);
  assert.match(await runClientCredentials(b, "wrong-secret"), /Flow failed — saved as session #2/);

  await (await b.$('[data-testid="nav-sessions"]')).click();
  await b.waitUntil(async () => (await rows(b)) === 2, { timeout: 10000, timeoutMsg: "two sessions listed" });
  await set(b, '[data-testid="session-search"]', "invalid_client");
  await b.waitUntil(async () => (await rows(b)) === 1, { timeout: 10000, timeoutMsg: "search finds the failing run only" });
  assert.match(await (await b.$('[data-testid="session-row"]')).getText(), /#2/);
  await set(b, '[data-testid="session-search"]', "");
  await b.waitUntil(async () => (await rows(b)) === 2, { timeout: 10000 });

  // Open the failing run and rename it.
  const failing = (await b.$$('[data-testid="session-row"]'))[0];
  await (await failing.$("button.row")).click();
  await set(b, '[data-testid="session-title"]', "Wrong secret, for the ticket");
  await b.waitUntil(async () => (await (await b.$$('[data-testid="session-row"]'))[0].getText()).includes("Wrong secret, for the ticket"), { timeout: 10000 });

  // Export it as HAR (redacted by default) and check the file.
  await (await b.$('[data-testid="export"]')).click();
  const notice = await b.$('[data-testid="notice"]');
  await notice.waitForDisplayed({ timeout: 10000 });
  const path = (await notice.getText()).match(/to (\/\S+\.har)/)[1];
  const har = JSON.parse(readFileSync(path, "utf8"));
  assert.equal(har.log.version, "1.2");
  assert.ok(har.log.entries.length >= 2);
  assert.ok(!JSON.stringify(har).includes("wrong-secret"), "the secret is redacted in the export");

  // Compare the two runs.
  for (const pick of await b.$$('[data-testid="pick"]')) await pick.click();
  await (await b.$('[data-testid="compare"]')).click();
  const diff = await b.$('[data-testid="diff"]');
  await diff.waitForDisplayed({ timeout: 10000 });
  const differences = [];
  for (const d of await b.$$('[data-testid="difference"]')) differences.push(await d.getProperty("textContent"));
  assert.ok(differences.some((d) => d.includes("http_status") && d.includes("200") && d.includes("401")), differences.join("\n"));
  await b.saveScreenshot(join(shots, "desktop-sessions-compare.png"));

  // Delete the first, then undo.
  await (await (await b.$$('[data-testid="session-row"]'))[0].$("button.row")).click();
  await (await b.$('[data-testid="delete"]')).click();
  await b.waitUntil(async () => (await rows(b)) === 1, { timeout: 10000, timeoutMsg: "deleted" });
  await (await b.$('[data-testid="undo"]')).click();
  await b.waitUntil(async () => (await rows(b)) === 2, { timeout: 10000, timeoutMsg: "restored" });
  await (await (await b.$$('[data-testid="session-row"]'))[1].$("button.row")).click();
  await b.saveScreenshot(join(shots, "desktop-sessions.png"));

  // Re-run the working run: its secret is unsealed by the app, never put back in the form.
  await (await b.$('[data-testid="rerun"]')).click();
  const saved = await b.$('[data-testid="saved"]');
  await b.waitUntil(async () => /Flow succeeded — saved as session #3/.test(await saved.getText()), { timeout: 20000, timeoutMsg: "re-run saved as #3" });
  assert.equal(await (await b.$('input[type="password"]')).getValue(), "", "the secret stays out of the window");
  await (await b.$('[data-testid="nav-sessions"]')).click();
  await b.waitUntil(async () => (await rows(b)) === 3, { timeout: 10000 });
  await (await (await b.$$('[data-testid="session-row"]'))[2].$("button.row")).click();

  // Pick the working run's access token and inspect it in the Token view.
  await (await b.$('[data-testid="inspect-access"]')).click();
  const verdict = await b.$('[data-testid="token-view"] [data-testid="verdict"]');
  await verdict.waitForDisplayed({ timeout: 15000 });
  assert.match(await verdict.getText(), /JWT · access_token — valid/);
});
