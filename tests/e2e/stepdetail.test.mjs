// The opened step against the real sandbox: parameters as a table with meanings and spec sections, the
// access token decoded inline with the run's checks of it (signature still redacted), and the timing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { launch, sandboxIssuer, shots } from "./driver.mjs";

let app;
before(async () => {
  app = await launch();
  await sandboxIssuer(app.browser);
});
after(async () => {
  await app?.close();
});

test("client credentials token request: parameter table, decoded access token with its checks, timing", async () => {
  const b = app.browser;
  await (await b.$('[data-testid="tab-client_credentials"]')).click();
  await (await b.$('[data-testid="run"]')).click();
  const saved = await b.$('[data-testid="saved"]');
  await saved.waitForDisplayed({ timeout: 30000 });
  assert.match(await saved.getText(), /Flow succeeded/);
  await (await b.$('[data-testid="view-timeline"]')).click();

  // Open the token request in the timeline (a click on its summary, as a user would).
  const steps = await b.$$('[data-testid="step"]');
  let token;
  for (const s of steps) if (/Token request/.test(await s.$("summary").getProperty("textContent"))) token = s;
  assert.ok(token, "a Token request step");
  await token.$("summary").click();
  const table = await token.$('[data-testid="request-params"]');
  await table.waitForDisplayed({ timeout: 5000 });

  const rows = await b.execute(
    (el) =>
      [...el.closest('[data-testid="step"]').querySelectorAll('[data-testid="param"]')].map((r) => ({
        name: r.dataset.name,
        where: r.dataset.where,
        cells: [...r.querySelectorAll("td")].map((td) => td.textContent.trim()),
      })),
    table,
  );
  const row = (where, name) => rows.find((r) => r.where === where && r.name === name);
  const grant = row("form", "grant_type");
  assert.ok(grant, `a form grant_type row: ${JSON.stringify(rows.map((r) => `${r.where} ${r.name}`))}`);
  assert.equal(grant.cells[2], "client_credentials");
  assert.match(grant.cells[3], /Which grant/);
  assert.equal(grant.cells[4], "RFC 6749 §4.1.3");
  assert.equal(row("form", "scope").cells[4], "RFC 6749 §3.3");
  // Basic client credentials, shown redacted with the scheme kept.
  const auth = row("header", "authorization");
  assert.match(auth.cells[2], /^Basic <redacted/, "the client's credentials stay redacted");
  assert.match(auth.cells[4], /RFC 6749 §2\.3\.1/);
  assert.equal(row("header", "cache-control").cells[4], "RFC 6749 §5.1");
  assert.match(row("json", "access_token").cells[2], /^eyJ.*<redacted:access_token_signature>$/);
  assert.equal(row("json", "token_type").cells[4], "RFC 6749 §7.1");

  // The access token decoded inline, its signature still redacted, with the run's checks of it.
  const jwt = await token.$('[data-testid="step-jwt"][data-name="access_token"]');
  assert.ok(await jwt.isExisting(), "the access token decoded");
  assert.match(await jwt.$("h4").getText(), /signature redacted/);
  const header = JSON.parse(await jwt.$('[data-testid="jwt-header"]').getProperty("textContent"));
  assert.equal(header.typ, "at+jwt");
  const claims = JSON.parse(await jwt.$('[data-testid="jwt-claims"]').getProperty("textContent"));
  assert.equal(claims.client_id, "sandbox-service");
  const checks = await jwt.$('[data-testid="jwt-checks"]');
  assert.ok(await checks.isExisting(), "the run's checks of the token are shown with it");
  const checkText = await checks.getProperty("textContent");
  assert.match(checkText, /signature/);
  assert.match(checkText, /pass/);

  const timing = await token.$('[data-testid="step-timing"]').getText();
  assert.match(timing, /took \d+ ms · started \d\d:\d\d:\d\d\.\d{3} UTC \(\+\d+ ms into the flow\)/);

  // No token in the clear anywhere in the window.
  const html = await b.execute(() => document.body.innerText);
  assert.ok(!/eyJ[\w-]+\.[\w-]+\.[\w-]{20,}/.test(html), "no signed JWT in the window");
  await token.scrollIntoView();
  await b.saveScreenshot(join(shots, "step-detail.png"));
});
