// The desktop app as a person uses it: the window opens with the Sandbox provider, one click runs
// client credentials, the steps appear in the timeline, the session is saved (read back from its
// database by the CLI); a screenshot of the result goes to target/e2e/ to be looked at.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { cliJson, launch, shots } from "./driver.mjs";

let app;
before(async () => {
  app = await launch();
});
after(async () => {
  await app?.close();
});

test("client credentials against the sandbox shows its steps live and saves the session", async () => {
  const b = app.browser;
  const provider = await b.$('[data-testid="provider"]');
  await provider.waitForDisplayed({ timeout: 20000 });
  assert.match(await provider.getText(), /Sandbox\s+http:\/\/127\.0\.0\.1:\d+/);

  await (await b.$('[data-testid="run"]')).click();
  const saved = await b.$('[data-testid="saved"]');
  await saved.waitForDisplayed({ timeout: 20000 });
  assert.match(await saved.getText(), /Flow succeeded — saved as session #1/);

  await b.saveScreenshot(join(shots, "desktop-timeline.png"));

  const steps = await b.$$('[data-testid="step"]');
  assert.ok(steps.length >= 3, `expected discovery, issuer check and token request, got ${steps.length} steps`);
  const titles = [];
  for (const s of steps) titles.push(await s.$("summary").getProperty("textContent"));
  assert.ok(titles.some((t) => t.includes("OpenID discovery")), titles.join("\n"));
  assert.ok(titles.some((t) => t.includes("Token request") && t.includes("200")), titles.join("\n"));

  const tokens = await b.$('[data-testid="tokens"]');
  assert.match(await tokens.getText(), /Access token \(Bearer, expires in \d+ s, scope “orders\.read orders\.write”\)/);

  // Every token a flow obtains is shown decoded and checked.
  const verdict = await b.$('[data-testid="decoded-token"] [data-testid="verdict"]');
  await verdict.waitForDisplayed({ timeout: 15000 });
  assert.match(await verdict.getText(), /JWT · access_token — valid/);

  // The access token is checked in the run too: its checks are a step of the session.
  assert.ok(titles.some((t) => t.includes("Access token checks: valid")), titles.join("\n"));

  // Open the token request to show its raw exchange, as a user would.
  const tokenStep = steps[titles.findIndex((t) => t.includes("Token request"))];
  await tokenStep.$("summary").click();
  const raw = await tokenStep.getProperty("textContent");
  assert.match(raw, /POST http:\/\/127\.0\.0\.1:\d+\/token/);
  assert.match(raw, /<redacted:client_credentials>/, "the window never shows the client secret");
  assert.doesNotMatch(raw, /sandbox-service-secret/);

  await b.saveScreenshot(join(shots, "desktop-client-credentials.png"));

  // The session the window says it saved is in the app's database, step for step.
  const issuer = (await provider.getText()).match(/http:\/\/127\.0\.0\.1:\d+/)[0];
  const listed = await cliJson(app, ["sessions", "list"]);
  assert.deepEqual(listed.map((s) => [s.id, s.flow, s.outcome, s.provider, s.client]), [[1, "client_credentials", "ok", issuer, "sandbox-service"]]);
  const session = await cliJson(app, ["sessions", "show", "1"]);
  const shownTitles = titles.map((t) => t.replace(/\s+/g, " ").trim());
  assert.equal(session.steps.length, steps.length, `steps saved:\n${session.steps.map((s) => s.title).join("\n")}`);
  session.steps.forEach((s, i) => assert.ok(shownTitles[i].includes(`#${s.seq} ${s.title}`), `step ${i + 1}: saved "${s.title}", shown "${shownTitles[i]}"`));
  assert.ok(session.steps.every((s) => s.status === "ok"));
  assert.equal(session.tokens.token_type, "Bearer");
  assert.equal(session.tokens.scope, "orders.read orders.write");
  assert.doesNotMatch(JSON.stringify(session), /sandbox-service-secret/, "the secret is not in the clear copy");
});

test("a client saved with its secret runs again with the secret left sealed in the store", async () => {
  const b = app.browser;
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
    // No keychain here: the app says once where the key that encrypts secrets lives.
    assert.match(await (await b.$('[data-testid="store-notice"]')).getText(), /no OS keychain.*key/);
  }
  await (await b.$("details.save summary")).click();
  await (await b.$('[data-testid="save-provider"]')).setValue("sandbox");
  await (await b.$('[data-testid="save-client-name"]')).setValue("service");
  await (await b.$('[data-testid="save-client"]')).click();
  const msg = await b.$('[data-testid="save-message"]');
  await msg.waitForDisplayed({ timeout: 10000 });
  assert.equal(await msg.getText(), "Saved as sandbox / service (secret encrypted).");
  assert.equal(await (await b.$('input[type="password"]')).getValue(), "", "the secret leaves the form");
  assert.equal(await (await b.$('[data-testid="saved-client"]')).getValue(), "sandbox\u0000service");

  await (await b.$('[data-testid="run"]')).click();
  const saved = await b.$('[data-testid="saved"]');
  await b.waitUntil(async () => /session #2/.test(await saved.getText()), { timeout: 20000, timeoutMsg: "second run saved" });
  assert.match(await saved.getText(), /Flow succeeded/);
  await b.saveScreenshot(join(shots, "desktop-saved-client.png"));
});
