// The Probe view against the built-in sandbox: a token from a client-credentials run (picked as a
// saved session, never shown), every variant a row, the sandbox's correct API never vulnerable, a
// row opening its steps, the Markdown export; and the confirmation before probing a remote host.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { launch, sandboxIssuer, shots } from "./driver.mjs";

// Every variant of crates/app/src/probe (VARIANTS), in its order.
const VARIANTS = [
  "no-token", "wrong-scheme", "malformed-header", "lowercase-scheme", "tampered-signature", "alg-none", "unknown-kid",
  "expired-token", "wrong-audience", "wrong-issuer", "missing-scope", "revoked-token", "query-token",
];
// A JWT (header.claims.…): no token may reach the window's report or the exported file.
const JWT = /eyJ[\w-]+\.eyJ[\w-]+/;

let app;
before(async () => {
  app = await launch();
});
after(async () => {
  await app?.close();
});

/** The report's rows as [id, status] pairs, in table order. */
async function rows(b) {
  const out = [];
  for (const r of await b.$$('[data-testid="report-row"]')) out.push([await r.getAttribute("data-id"), await r.getAttribute("data-status")]);
  return out;
}

test("probe the sandbox API with a saved session's token: a row per variant, none vulnerable, steps and Markdown", async () => {
  const b = app.browser;
  const iss = await sandboxIssuer(b);

  // A token first: client credentials in the Flows view, saved as session #1.
  await (await b.$('[data-testid="run"]')).click();
  const saved = await b.$('[data-testid="saved"]');
  await saved.waitForDisplayed({ timeout: 20000 });
  assert.match(await saved.getText(), /saved as session #1/);

  await (await b.$('[data-testid="nav-probe"]')).click();
  const url = await b.$('[data-testid="probe-url"]');
  await url.waitForDisplayed({ timeout: 5000 });
  assert.equal(await url.getValue(), `${iss}/api/orders`, "the URL defaults to the sandbox's demo API");
  const session = await b.$('[data-testid="probe-session"]');
  await b.waitUntil(async () => (await session.$$('option[value="1"]')).length === 1, { timeout: 10000, timeoutMsg: "expected session #1 among the token sessions" });
  await session.selectByAttribute("value", "1");
  await (await b.$('[data-testid="probe-scope"]')).setValue("orders.read");
  await b.saveScreenshot(join(shots, "probe-form.png"));

  await (await b.$('[data-testid="probe-run"]')).click();
  // The steps arrive while it runs (the probe paces its requests, so this is seen).
  const progress = await b.$('[data-testid="probe-progress"]');
  await progress.waitForDisplayed({ timeout: 10000 });
  // (The Flows view, hidden, holds steps of its own: count the Probe view's only.)
  const results = await b.$('[data-testid="probe-results"]');
  await b.waitUntil(async () => (await results.$$('[data-testid="step"]')).length >= 3 && (await progress.isDisplayed()), {
    timeout: 20000,
    timeoutMsg: "expected steps to stream in while probing",
  });
  assert.match(await progress.getText(), /Probing… \d+ steps so far/);
  await b.saveScreenshot(join(shots, "probe-running.png"));

  const summary = await b.$('[data-testid="probe-summary"]');
  await summary.waitForDisplayed({ timeout: 60000 });
  assert.match(await summary.getText(), /Baseline: 200/);
  assert.match(await summary.getText(), /0 vulnerable/);
  const got = await rows(b);
  assert.deepEqual(got.map(([id]) => id), VARIANTS, "one row per variant");
  assert.deepEqual(got.filter(([, s]) => s === "vulnerable"), [], "the sandbox API is correct: no vulnerable row");
  assert.deepEqual(got.find(([id]) => id === "expired-token"), ["expired-token", "secure"]);
  // With the sandbox minting them, every variant is made and refused: nothing is left unsure.
  assert.deepEqual(got.filter(([, s]) => s !== "secure"), [], `every row secure: ${JSON.stringify(got)}`);
  const table = await b.$('[data-testid="report-table"]');
  assert.doesNotMatch(await table.getText(), JWT, "no token in the table");
  await b.saveScreenshot(join(shots, "probe-report.png"));

  // A row opens its steps: the sandbox's mint of an expired token, then the request it was refused.
  await (await b.$('[data-testid="report-row"][data-id="expired-token"] td.id')).click();
  const opened = await b.$('[data-testid="row-steps"]');
  await opened.waitForDisplayed({ timeout: 5000 });
  const titles = [];
  for (const s of await opened.$$('[data-testid="step"]')) titles.push(await s.$("summary").getProperty("textContent"));
  assert.ok(titles.some((t) => /API probe: an expired token/.test(t) && /401/.test(t)), `the refused request is a step of the row:\n${titles.join("\n")}`);
  assert.ok(titles.length >= 2, `the mint and the request: ${titles.join(" / ")}`);
  await b.saveScreenshot(join(shots, "probe-row-steps.png"));

  await (await b.$('[data-testid="probe-export"]')).click();
  const note = await b.$('[data-testid="probe-exported"]');
  await note.waitForDisplayed({ timeout: 10000 });
  const m = (await note.getText()).match(/^Exported to (\/\S+\.md)$/);
  assert.ok(m, `unexpected notice: ${await note.getText()}`);
  assert.ok(existsSync(m[1]), `${m[1]} exists`);
  const md = readFileSync(m[1], "utf8");
  assert.match(md, new RegExp(`^# API probe: ${iss}/api/orders\\n`));
  assert.match(md, /Session: #2/);
  assert.match(md, /\| variant \| expected \| actual \| verdict \| explanation \|\n\|---\|---\|---\|---\|---\|\n/);
  assert.match(md, /\| expired-token \| 401 invalid_token \| 401 invalid_token \| secure \| /);
  for (const id of VARIANTS) assert.match(md, new RegExp(`^\\| ${id} \\|`, "m"), `a row for ${id}`);
  assert.doesNotMatch(md, JWT, "no token in the exported report");
  await b.saveScreenshot(join(shots, "probe-exported.png"));
});

test("a host that is not this machine is probed only once the user confirms", async () => {
  const b = app.browser;
  const url = await b.$('[data-testid="probe-url"]');
  await url.setValue("https://api.example.com/orders");
  await (await b.$('[data-testid="probe-run"]')).click();
  const confirm = await b.$('[data-testid="probe-confirmation"]');
  await confirm.waitForDisplayed({ timeout: 10000 });
  assert.match(await confirm.getText(), /api\.example\.com, which is not this machine/);
  assert.ok(await (await b.$('[data-testid="probe-confirm"]')).isDisplayed(), "the “Send to this host” button is offered");
  assert.equal(await (await b.$('[data-testid="report-table"]')).isExisting(), false, "nothing was probed");
  await b.saveScreenshot(join(shots, "probe-confirm.png"));
});

test("a pasted token: bad header lines are named, and the token reaches the API but never the window", async () => {
  const b = app.browser;
  const iss = await sandboxIssuer(b);
  // A token got straight from the sandbox (client credentials over loopback), as a user would paste one.
  const meta = await (await fetch(`${iss}/.well-known/openid-configuration`)).json();
  const res = await fetch(meta.token_endpoint, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from("sandbox-service:sandbox-service-secret").toString("base64")}`, "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials&scope=orders.read%20orders.write",
  });
  const { access_token: token } = await res.json();
  assert.match(token, /^eyJ/, "the sandbox issues JWT access tokens");

  await (await b.$('[data-testid="probe-url"]')).setValue(`${iss}/api/orders`);
  await (await b.$('[data-testid="probe-token-source"]')).selectByAttribute("value", "typed");
  const field = await b.$('[data-testid="probe-token"]');
  assert.equal(await field.getAttribute("type"), "password", "a pasted token is masked");
  await field.setValue(token);

  // A header line that is not "Name: value" is refused before anything is sent, saying which.
  const headers = await b.$('[data-testid="probe-headers"]');
  await headers.setValue("Accept application/json");
  await (await b.$('[data-testid="probe-run"]')).click();
  const error = await b.$('[data-testid="probe-error"]');
  await error.waitForDisplayed({ timeout: 5000 });
  assert.match(await error.getText(), /expected a header as “Name: value”, got “Accept application\/json”/);
  await b.saveScreenshot(join(shots, "probe-bad-header.png"));

  await headers.setValue("Accept: application/json");
  await (await b.$('[data-testid="probe-run"]')).click();
  const summary = await b.$('[data-testid="probe-summary"]');
  await summary.waitForDisplayed({ timeout: 60000 });
  assert.match(await summary.getText(), /Baseline: 200/);
  const got = await rows(b);
  assert.equal(got.length, VARIANTS.length);
  assert.deepEqual(got.filter(([, s]) => s === "vulnerable"), []);

  // Every step the window holds (shown or folded), the table and the rest of the page: no token value.
  const text = await b.execute(() => document.body.textContent);
  assert.ok(!text.includes(token), "the pasted token is not in the window");
  assert.ok(!text.includes(token.split(".")[2]), "nor its signature");
  assert.doesNotMatch(text, /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]{16,}/, "no signed JWT (a minted variant) in the window either");
  await b.saveScreenshot(join(shots, "probe-pasted.png"));
});

test("a scope the API does not check is a red 'vulnerable' row", async () => {
  const b = app.browser;
  // The sandbox's GET /api/orders needs orders.read only; claim it needs a scope the token lacks.
  await (await b.$('[data-testid="probe-scope"]')).setValue("orders.delete");
  await (await b.$('[data-testid="probe-run"]')).click();
  const summary = await b.$('[data-testid="probe-summary"]');
  await b.waitUntil(async () => (await summary.isExisting()) && /session #4/.test(await summary.getText()), { timeout: 60000, timeoutMsg: "expected the fourth probe's report" });
  assert.match(await summary.getText(), /1 vulnerable/);
  const row = await b.$('[data-testid="report-row"][data-id="missing-scope"]');
  assert.equal(await row.getAttribute("data-status"), "vulnerable");
  assert.match(await row.getAttribute("class"), /\bbad\b/, "coloured as a failure");
  assert.match(await row.getText(), /lacks "orders\.delete" and the API answered it/);
  await row.scrollIntoView();
  await b.saveScreenshot(join(shots, "probe-vulnerable.png"));
});
