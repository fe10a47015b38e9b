// The Audit view against the built-in sandbox (passive): findings with statuses, the issuer and
// alg-none checks passing, a row opening the metadata step it rests on, the Markdown export; the
// active-probe fields shown only once the user opts in.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { launch, sandboxIssuer, shots } from "./driver.mjs";

let app;
before(async () => {
  app = await launch();
});
after(async () => {
  await app?.close();
});

test("passive audit of the sandbox: statuses, a row opens its steps, Markdown export", async () => {
  const b = app.browser;
  const iss = await sandboxIssuer(b);
  await (await b.$('[data-testid="nav-audit"]')).click();
  const issuer = await b.$('[data-testid="audit-issuer"]');
  await issuer.waitForDisplayed({ timeout: 5000 });
  assert.equal(await issuer.getValue(), iss, "the issuer defaults to the sandbox");

  // The active probes' fields appear only with consent.
  const fields = await b.$('[data-testid="audit-active-fields"]');
  assert.equal(await fields.isExisting(), false);
  await (await b.$('[data-testid="audit-active"]')).click();
  await fields.waitForDisplayed({ timeout: 5000 });
  for (const id of ["audit-client-id", "audit-client-secret", "audit-redirect-uri", "audit-login"]) {
    assert.ok(await (await b.$(`[data-testid="${id}"]`)).isDisplayed(), `${id} is offered`);
  }
  assert.equal(await (await b.$('[data-testid="audit-client-secret"]')).getAttribute("type"), "password");
  await b.saveScreenshot(join(shots, "audit-active-fields.png"));
  await (await b.$('[data-testid="audit-active"]')).click();
  await fields.waitForExist({ reverse: true, timeout: 5000 });

  await (await b.$('[data-testid="audit-run"]')).click();
  const summary = await b.$('[data-testid="audit-summary"]');
  await summary.waitForDisplayed({ timeout: 30000 });
  const rows = [];
  for (const r of await b.$$('[data-testid="report-row"]')) rows.push([await r.getAttribute("data-id"), await r.getAttribute("data-status")]);
  assert.ok(rows.length >= 8, `a row per check: ${JSON.stringify(rows)}`);
  for (const [id, status] of rows) assert.match(status, /^(pass|fail|warn|skip)$/, `${id} has a status`);
  const status = Object.fromEntries(rows);
  assert.equal(status["issuer-matches"], "pass", "the sandbox's discovery names its own issuer");
  assert.equal(status["alg-none"], "pass", "the sandbox offers no alg none");
  const shown = await summary.getText();
  const n = (s) => rows.filter(([, x]) => x === s).length;
  assert.match(shown, new RegExp(`${n("fail")} fail · ${n("warn")} warn · ${n("pass")} pass · ${n("skip")} skip`));
  await b.saveScreenshot(join(shots, "audit-report.png"));
  // The end of the table: the skipped active checks, grey.
  const last = (await b.$$('[data-testid="report-row"]')).at(-1);
  await last.scrollIntoView();
  await b.saveScreenshot(join(shots, "audit-report-end.png"));

  // The issuer check rests on the metadata step.
  await (await b.$('[data-testid="report-row"][data-id="issuer-matches"] td.id')).click();
  const opened = await b.$('[data-testid="row-steps"]');
  await opened.waitForDisplayed({ timeout: 5000 });
  await b.saveScreenshot(join(shots, "audit-row-steps.png"));
  const steps = await opened.$$('[data-testid="step"]');
  assert.ok(steps.length >= 1, "the row has its steps");
  const titles = [];
  for (const s of steps) titles.push(await s.$("summary").getProperty("textContent"));
  assert.ok(titles.some((t) => t.includes(`Provider metadata (OpenID discovery): GET ${iss}/.well-known/openid-configuration`)), titles.join("\n"));
  assert.match(await opened.getText(), /"issuer": "http:\/\/127\.0\.0\.1:\d+"/, "the metadata response is shown");

  await (await b.$('[data-testid="audit-export"]')).click();
  const note = await b.$('[data-testid="audit-exported"]');
  await note.waitForDisplayed({ timeout: 10000 });
  const m = (await note.getText()).match(/^Exported to (\/\S+\.md)$/);
  assert.ok(m, `unexpected notice: ${await note.getText()}`);
  assert.ok(existsSync(m[1]));
  const md = readFileSync(m[1], "utf8");
  assert.match(md, new RegExp(`^# Provider audit: ${iss}\\n`));
  assert.match(md, /Session: #1/);
  assert.match(md, /\| check \| severity \| status \| expected \| actual \| spec \| explanation \|\n\|---\|---\|---\|---\|---\|---\|---\|\n/);
  assert.match(md, /^\| issuer-matches \| high \| pass \| /m);
  assert.match(md, /^\| alg-none \| high \| pass \| /m);
  assert.equal(md.split("\n").filter((l) => /^\| [a-z0-9-]+ \| (high|medium|low|info) \|/.test(l)).length, rows.length, "every row is in the file");
  await b.saveScreenshot(join(shots, "audit-exported.png"));
});
