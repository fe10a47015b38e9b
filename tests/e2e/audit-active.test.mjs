// The Audit view's active probes against the built-in sandbox, signed in through the in-app login
// window: strict, every active row passes; with the trainer switches codes-reusable and
// refresh-not-rotated on (from the Trainer view), exactly code-single-use and refresh-rotation
// fail, in red, and the other active rows still pass.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { launch, sandboxIssuer, shots } from "./driver.mjs";

let app;
before(async () => {
  app = await launch();
});
after(async () => {
  await app?.close();
});

const activeIds = ["pkce-enforced", "pkce-plain-refused", "redirect-uri-exact", "state-echoed", "iss-in-response", "code-single-use", "refresh-rotation", "token-lifetimes"];

/** Every window handle seen so far: a login window left from an earlier sign-in is not a new one. */
const seen = new Set();

/**
 * Runs the audit with active probes and signs in in each login window it opens, until the
 * findings show. Returns the number of sign-ins and the rows as {id: status}.
 */
async function runActiveAudit(b) {
  await (await b.$('[data-testid="nav-audit"]')).click();
  const active = await b.$('[data-testid="audit-active"]');
  if (!(await active.isSelected())) await active.click();
  await (await b.$('[data-testid="audit-active-fields"]')).waitForDisplayed({ timeout: 5000 });
  assert.equal(await (await b.$('[data-testid="audit-client-id"]')).getValue(), "sandbox-app");
  await (await b.$('[data-testid="audit-login"]')).selectByAttribute("value", "in_app");
  const main = await b.getWindowHandle();
  for (const h of await b.getWindowHandles()) seen.add(h);
  await (await b.$('[data-testid="audit-run"]')).click();

  const summary = await b.$('[data-testid="audit-summary"]');
  let signIns = 0;
  const end = Date.now() + 120000;
  while (!(await summary.isExisting())) {
    assert.ok(Date.now() < end, `the audit ends within 120 s (${signIns} sign-ins so far)`);
    for (const sel of ['[data-testid="audit-error"]', '[data-testid="audit-flow-error"]']) {
      const e = await b.$(sel);
      if (await e.isExisting()) assert.fail(`the audit failed: ${await e.getText()}`);
    }
    const login = (await b.getWindowHandles()).find((h) => !seen.has(h));
    if (login) {
      seen.add(login);
      await b.switchToWindow(login);
      await (await b.$("button=Sign in")).waitForDisplayed({ timeout: 20000 });
      await (await b.$("button=Sign in")).click();
      await (await b.$("button=Allow")).waitForDisplayed({ timeout: 20000 });
      await (await b.$("button=Allow")).click();
      await b.switchToWindow(main);
      signIns++;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const rows = {};
  for (const r of await b.$$('[data-testid="report-row"]')) rows[await r.getAttribute("data-id")] = await r.getAttribute("data-status");
  return { signIns, rows };
}

/** The colour the app's --fail variable resolves to, and the colour the row's status pill has. */
async function colours(b, id) {
  return b.execute((id) => {
    const probe = document.createElement("span");
    probe.style.color = "var(--fail)";
    document.body.append(probe);
    const fail = getComputedStyle(probe).color;
    probe.remove();
    const pill = document.querySelector(`[data-testid="report-row"][data-id="${id}"] [data-testid="row-status"]`);
    return { fail, pill: getComputedStyle(pill).color };
  }, id);
}

async function scrollToRow(b, id) {
  await b.execute((id) => document.querySelector(`[data-testid="report-row"][data-id="${id}"]`).scrollIntoView({ block: "center" }), id);
}

test("active audit of the strict sandbox through the in-app login: every active row passes", async () => {
  const b = app.browser;
  const iss = await sandboxIssuer(b);
  const { signIns, rows } = await runActiveAudit(b);
  assert.equal(signIns, 2, "the sandbox spends a code on a refused exchange, so a second sign-in is asked for");
  for (const id of activeIds) assert.equal(rows[id], "pass", `${id}: ${JSON.stringify(rows)}`);
  assert.ok(!Object.values(rows).includes("skip"), `every active probe ran: ${JSON.stringify(rows)}`);
  // The sign-ins are steps of the audit: the in-app browser's navigations were recorded.
  const titles = await b.execute(() => [...document.querySelectorAll('[data-testid="audit-results"] [data-testid="step"] .title')].map((t) => t.textContent));
  assert.ok(titles.some((t) => t.startsWith("Active probe: sign-in 2")), titles.join("\n"));
  assert.ok(titles.filter((t) => t.startsWith("In-app browser navigated to") && t.endsWith("/callback")).length >= 2, titles.join("\n"));
  assert.ok(titles.some((t) => t.includes(`${iss}/authorize`)), titles.join("\n"));
  await scrollToRow(b, "state-echoed");
  await b.saveScreenshot(join(shots, "audit-active-strict.png"));
});

test("with codes-reusable and refresh-not-rotated on, code-single-use and refresh-rotation fail in red", async () => {
  const b = app.browser;
  await (await b.$('[data-testid="nav-trainer"]')).click();
  const allOff = await b.$('[data-testid="trainer-all-off"]');
  await allOff.waitForDisplayed({ timeout: 10000 });
  if (await allOff.isEnabled()) await allOff.click();
  for (const name of ["codes-reusable", "refresh-not-rotated"]) {
    await (await b.$(`[data-testid="switch-${name}"]`)).click();
    const row = await b.$(`[data-testid="trainer-row"][data-name="${name}"]`);
    await b.waitUntil(async () => (await row.getAttribute("data-on")) === "true", { timeout: 5000, timeoutMsg: `${name} on` });
  }
  const banner = await b.$('[data-testid="trainer-banner"]');
  assert.match(await banner.getText(), /^TRAINER MODE — the sandbox misbehaves on purpose: codes-reusable, refresh-not-rotated/);

  const { signIns, rows } = await runActiveAudit(b);
  assert.ok(signIns >= 1, "at least one sign-in");
  for (const id of activeIds) {
    const want = id === "code-single-use" || id === "refresh-rotation" ? "fail" : "pass";
    assert.equal(rows[id], want, `${id}: ${JSON.stringify(rows)}`);
  }
  for (const id of ["code-single-use", "refresh-rotation"]) {
    const { fail, pill } = await colours(b, id);
    assert.equal(pill, fail, `${id}'s status is shown in the fail red`);
  }
  assert.notEqual((await colours(b, "state-echoed")).pill, (await colours(b, "state-echoed")).fail, "a pass is not red");
  assert.ok(await banner.isDisplayed(), "the banner stays while the switches are on");
  await scrollToRow(b, "code-single-use");
  await b.saveScreenshot(join(shots, "audit-active-trainer.png"));

  // The failed row opens the steps that show the code redeemed twice.
  await (await b.$('[data-testid="report-row"][data-id="code-single-use"] td.id')).click();
  const opened = await b.$('[data-testid="row-steps"]');
  await opened.waitForDisplayed({ timeout: 5000 });
  assert.ok((await opened.$$('[data-testid="step"]')).length >= 2, "the first and the second redemption");
  await b.saveScreenshot(join(shots, "audit-active-trainer-row.png"));

  await (await b.$('[data-testid="trainer-banner-off"]')).click();
  await banner.waitForExist({ reverse: true, timeout: 5000 });
});

/** Exactly `names` on, from the Trainer view. */
async function setSwitches(b, names) {
  await (await b.$('[data-testid="nav-trainer"]')).click();
  const allOff = await b.$('[data-testid="trainer-all-off"]');
  await allOff.waitForDisplayed({ timeout: 10000 });
  if (await allOff.isEnabled()) await allOff.click();
  for (const name of names) {
    await (await b.$(`[data-testid="switch-${name}"]`)).click();
    const row = await b.$(`[data-testid="trainer-row"][data-name="${name}"]`);
    await b.waitUntil(async () => (await row.getAttribute("data-on")) === "true", { timeout: 5000, timeoutMsg: `${name} on` });
  }
}

// The other switches only the audit sees, three at a time: each fails exactly its row.
for (const [switches, failing] of [
  [["pkce-not-enforced", "pkce-plain-accepted", "any-redirect-uri"], ["pkce-enforced", "pkce-plain-refused", "redirect-uri-exact"]],
  [["wrong-state", "iss-missing", "expired-tokens"], ["state-echoed", "iss-in-response", "token-lifetimes"]],
]) {
  test(`with ${switches.join(", ")} on, exactly ${failing.join(", ")} fail`, async () => {
    const b = app.browser;
    await setSwitches(b, switches);
    const { rows } = await runActiveAudit(b);
    for (const id of activeIds) assert.equal(rows[id], failing.includes(id) ? "fail" : "pass", `${id}: ${JSON.stringify(rows)}`);
    await scrollToRow(b, failing[0]);
    await b.saveScreenshot(join(shots, `audit-active-${switches[0]}.png`));
    await setSwitches(b, []);
  });
}
