// Trainer mode in the real desktop app: the Trainer view switches the running sandbox's
// misbehaviours on and off (the banner says so), and each switch a flow can see, turned on alone,
// makes an authorization-code run in the Flows view show its failed check, failed step or
// warning, next to the run's "Trainer switches are on" warning.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { launch, paste, sandboxIssuer, shots } from "./driver.mjs";

let app;
before(async () => {
  app = await launch();
});
after(async () => {
  await app?.close();
});

/** What the sandbox itself says is on, over its own HTTP API: the switch reached the real server. */
async function sandboxOn(iss) {
  const { switches } = await (await fetch(`${iss}/trainer`)).json();
  return switches.filter((s) => s.on).map((s) => s.name);
}

async function openTrainer(b) {
  await (await b.$('[data-testid="nav-trainer"]')).click();
  await (await b.$('[data-testid="trainer-row"]')).waitForDisplayed({ timeout: 10000 });
}

/** In the Trainer view: every switch off, then `name` alone on; the banner names it. */
async function switchOnAlone(b, name) {
  await openTrainer(b);
  const allOff = await b.$('[data-testid="trainer-all-off"]');
  if (await allOff.isEnabled()) await allOff.click();
  await b.waitUntil(async () => (await b.$$('[data-testid="trainer-row"][data-on="true"]')).length === 0, { timeout: 5000, timeoutMsg: "All off turns every switch off" });
  await (await b.$(`[data-testid="switch-${name}"]`)).click();
  const row = await b.$(`[data-testid="trainer-row"][data-name="${name}"]`);
  await b.waitUntil(async () => (await row.getAttribute("data-on")) === "true", { timeout: 5000, timeoutMsg: `${name} shows on` });
  const banner = await b.$('[data-testid="trainer-banner"]');
  await banner.waitForDisplayed({ timeout: 5000 });
  assert.equal(await banner.getText().then((t) => t.replace(/\s*Turn all off$/, "")), `TRAINER MODE — the sandbox misbehaves on purpose: ${name}`);
}

/** Turns everything off from the banner; the banner goes. */
async function allOffFromBanner(b, iss) {
  await (await b.$('[data-testid="trainer-banner-off"]')).click();
  await (await b.$('[data-testid="trainer-banner"]')).waitForExist({ reverse: true, timeout: 5000, timeoutMsg: "the banner goes once every switch is off" });
  assert.deepEqual(await sandboxOn(iss), []);
}

/** Every step the window shows: title, status and (for a local step) its details as JSON. */
async function shownSteps(b) {
  const raw = await b.execute(() =>
    [...document.querySelectorAll('[data-testid="timeline"] [data-testid="step"]')].map((d) => ({
      title: d.querySelector(".title")?.textContent ?? "",
      status: ["ok", "warning", "failed"].find((s) => d.classList.contains(s)),
      pre: d.querySelector(":scope > pre")?.textContent ?? null,
    })),
  );
  return raw.map((s) => {
    let details = null;
    try {
      details = s.pre ? JSON.parse(s.pre) : null;
    } catch {}
    return { ...s, details };
  });
}

/** "<step title>: <check id>" for every failed check the window shows. */
function failedChecks(steps) {
  return steps.flatMap((s) => (s.details?.checks ?? []).filter((c) => c.status === "fail").map((c) => `${s.title}: ${c.id}`));
}

/**
 * Runs authorization code against the sandbox in the Flows view with the in-app login and signs
 * in; waits for the run to end unless `waitEnd` is false. Returns the steps the window shows.
 */
async function runAuthCode(b, { waitEnd = true } = {}) {
  await (await b.$('[data-testid="nav-flows"]')).click();
  await (await b.$('[data-testid="tab-auth_code"]')).click();
  await paste(b, await b.$('[data-testid="scope"]'), "openid offline_access orders.read");
  await (await b.$('[data-testid="login-mode"]')).selectByAttribute("value", "in_app");
  const main = await b.getWindowHandle();
  const before = new Set(await b.getWindowHandles());
  await (await b.$('[data-testid="run"]')).click();
  let login;
  await b.waitUntil(async () => (login = (await b.getWindowHandles()).find((h) => !before.has(h))), { timeout: 20000, timeoutMsg: "expected a new login window" });
  await b.switchToWindow(login);
  await (await b.$("button=Sign in")).waitForDisplayed({ timeout: 20000 });
  await (await b.$("button=Sign in")).click();
  await (await b.$("button=Allow")).waitForDisplayed({ timeout: 20000 });
  await (await b.$("button=Allow")).click();
  await b.switchToWindow(main);
  if (waitEnd) await (await b.$('[data-testid="saved"]')).waitForDisplayed({ timeout: 40000, timeoutMsg: "the run ends" });
  return shownSteps(b);
}

function trainerWarning(steps, name) {
  const w = steps.find((s) => s.title.startsWith("Trainer switches are on"));
  assert.ok(w, `a "Trainer switches are on" step:\n${steps.map((s) => s.title).join("\n")}`);
  assert.equal(w.status, "warning", w.title);
  assert.ok(w.title.includes(name), w.title);
}

/** Opens the step titled `start…` and puts it in the middle of the window for the screenshot. */
async function showStep(b, start) {
  const found = await b.execute((start) => {
    const d = [...document.querySelectorAll('[data-testid="timeline"] [data-testid="step"]')].find((d) => d.querySelector(".title")?.textContent.startsWith(start));
    if (!d) return false;
    d.open = true;
    d.scrollIntoView({ block: "center" });
    return true;
  }, start);
  assert.ok(found, `a step titled ${start}…`);
}

const list = (steps) => steps.map((s) => `${s.status} ${s.title}`).join("\n");

test("the Trainer view: every switch with what it does and how it is seen; toggles apply to the running sandbox", async () => {
  const b = app.browser;
  const iss = await sandboxIssuer(b);
  await openTrainer(b);
  const rows = await b.$$('[data-testid="trainer-row"]');
  assert.equal(rows.length, 17, "every switch of the sandbox is listed");
  assert.equal(await (await b.$('[data-testid="trainer-banner"]')).isExisting(), false, "no banner while every switch is off");
  const pkce = await b.$('[data-testid="trainer-row"][data-name="pkce-not-enforced"]');
  assert.match(await pkce.getText(), /pkce-not-enforced[\s\S]*code_verifier is not checked[\s\S]*Seen as: audit: pkce-enforced fails/);

  // Two on at once: the sandbox has exactly those, the banner names both.
  await (await b.$('[data-testid="switch-pkce-not-enforced"]')).click();
  await (await b.$('[data-testid="switch-codes-reusable"]')).click();
  await b.waitUntil(async () => (await sandboxOn(iss)).length === 2, { timeout: 5000, timeoutMsg: "two switches on in the sandbox" });
  assert.deepEqual(await sandboxOn(iss), ["pkce-not-enforced", "codes-reusable"]);
  const banner = await b.$('[data-testid="trainer-banner"]');
  await banner.waitForDisplayed({ timeout: 5000 });
  assert.match(await banner.getText(), /^TRAINER MODE — the sandbox misbehaves on purpose: pkce-not-enforced, codes-reusable/);
  assert.equal(await (await b.$('[data-testid="switch-codes-reusable"]')).getAttribute("aria-checked"), "true");
  assert.match(await (await b.$('[data-testid="trainer-count"]')).getText(), /^2 of 17 switches on$/);
  await b.saveScreenshot(join(shots, "trainer-view.png"));

  // The banner follows the app into every view.
  await (await b.$('[data-testid="nav-flows"]')).click();
  assert.ok(await banner.isDisplayed(), "the banner shows in the Flows view too");

  // One off from its toggle, then the rest from "All off".
  await openTrainer(b);
  await (await b.$('[data-testid="switch-pkce-not-enforced"]')).click();
  await b.waitUntil(async () => (await sandboxOn(iss)).join() === "codes-reusable", { timeout: 5000, timeoutMsg: "only codes-reusable left on" });
  await (await b.$('[data-testid="trainer-all-off"]')).click();
  await banner.waitForExist({ reverse: true, timeout: 5000 });
  assert.deepEqual(await sandboxOn(iss), []);
  assert.match(await (await b.$('[data-testid="trainer-count"]')).getText(), /^All 17 switches off/);

  // An unknown name, straight through IPC as the window would send it: refused, named, nothing changed.
  const err = await b.executeAsync((done) => {
    window.__TAURI_INTERNALS__.invoke("set_trainer_switches", { on: ["iss-missing", "pkce-off"] }).then(
      () => done(null),
      (e) => done(e),
    );
  });
  assert.equal(err?.code, "invalid_input", JSON.stringify(err));
  assert.match(err.message, /unknown trainer switch "pkce-off"; expected one of: pkce-not-enforced, .*slow-token-endpoint/);
  assert.deepEqual(await sandboxOn(iss), [], "a refused list turns nothing on");
});

// (switch, what the window must show) — as crates/app/tests/trainer.rs shows it in the core.
const tokenCases = [
  ["expired-tokens", ["Access token checks: exp", "ID token checks: exp"]],
  ["wrong-audience", ["ID token checks: aud"]],
  ["wrong-id-token-issuer", ["ID token checks: iss"]],
  ["at-hash-wrong", ["ID token checks: at_hash"]],
  ["unknown-kid", ["ID token checks: signature", "Access token checks: signature"]],
  ["id-token-alg-none", ["ID token checks: alg"]],
];

for (const [name, expected] of tokenCases) {
  test(`trainer switch ${name}: the run shows its failed token check`, async () => {
    const b = app.browser;
    const iss = await sandboxIssuer(b);
    await switchOnAlone(b, name);
    assert.deepEqual(await sandboxOn(iss), [name]);
    const steps = await runAuthCode(b);
    trainerWarning(steps, name);
    const failed = failedChecks(steps);
    for (const want of expected) {
      const [title, id] = want.split(": ");
      assert.ok(
        failed.some((f) => f.startsWith(title) && f.endsWith(`: ${id}`)),
        `${name}: expected the "${title}" step to show check ${id} failed; failed: ${JSON.stringify(failed)}\n${list(steps)}`,
      );
      const step = steps.find((s) => s.title.startsWith(title));
      assert.equal(step.status, "warning", `${step.title} is marked`);
      assert.match(step.title, /: INVALID \(/, step.title);
    }
    await showStep(b, expected[0].split(": ")[0]);
    await b.saveScreenshot(join(shots, `trainer-${name}.png`));
    await allOffFromBanner(b, iss);
  });
}

for (const name of ["nonce-missing", "nonce-wrong"]) {
  test(`trainer switch ${name}: the nonce step fails and so does the run`, async () => {
    const b = app.browser;
    const iss = await sandboxIssuer(b);
    await switchOnAlone(b, name);
    const steps = await runAuthCode(b);
    trainerWarning(steps, name);
    const nonce = steps.find((s) => s.title.startsWith("ID token nonce"));
    assert.ok(nonce, list(steps));
    assert.equal(nonce.status, "failed", nonce.title);
    assert.equal(nonce.title, "ID token nonce does not match");
    assert.ok(failedChecks(steps).some((f) => f.endsWith(": nonce")), JSON.stringify(failedChecks(steps)));
    assert.match(await (await b.$('[data-testid="saved"]')).getText(), /^Flow failed/);
    assert.match(await (await b.$('[data-testid="flow-error"]')).getText(), /^nonce_mismatch /);
    await showStep(b, "ID token nonce");
    await b.saveScreenshot(join(shots, `trainer-${name}.png`));
    await allOffFromBanner(b, iss);
  });
}

test("trainer switch iss-missing: the callback's iss check fails and no code is redeemed", async () => {
  const b = app.browser;
  const iss = await sandboxIssuer(b);
  await switchOnAlone(b, "iss-missing");
  const steps = await runAuthCode(b);
  trainerWarning(steps, "iss-missing");
  const failed = failedChecks(steps);
  assert.ok(failed.some((f) => f.endsWith(": iss")), `${JSON.stringify(failed)}\n${list(steps)}`);
  const callback = steps.find((s) => (s.details?.checks ?? []).some((c) => c.id === "iss" && c.status === "fail"));
  assert.equal(callback.status, "failed", callback.title);
  assert.ok(!steps.some((s) => s.title.startsWith("Token request")), `no token request after a failed callback:\n${list(steps)}`);
  assert.match(await (await b.$('[data-testid="saved"]')).getText(), /^Flow failed/);
  await showStep(b, callback.title);
  await b.saveScreenshot(join(shots, "trainer-iss-missing.png"));
  await allOffFromBanner(b, iss);
});

test("trainer switch slow-token-endpoint: the token step is marked slow, the run still succeeds", async () => {
  const b = app.browser;
  const iss = await sandboxIssuer(b);
  await switchOnAlone(b, "slow-token-endpoint");
  const steps = await runAuthCode(b);
  trainerWarning(steps, "slow-token-endpoint");
  const token = steps.find((s) => s.title.startsWith("Token request"));
  assert.ok(token, list(steps));
  assert.equal(token.status, "warning", token.title);
  assert.match(token.title, /slow: answered after 6\.\d+ s/);
  assert.match(await (await b.$('[data-testid="saved"]')).getText(), /^Flow succeeded/);
  await showStep(b, "Token request");
  await b.saveScreenshot(join(shots, "trainer-slow-token-endpoint.png"));
  await allOffFromBanner(b, iss);
});

// The flow form has no login timeout, so this run keeps waiting for its real callback (300 s)
// after the wrong one was refused; the test reads the window while it waits, then cancels it.
test("trainer switch wrong-state: the loopback refuses the callback with a warning, the code is not redeemed", async () => {
  const b = app.browser;
  const iss = await sandboxIssuer(b);
  await switchOnAlone(b, "wrong-state");
  await runAuthCode(b, { waitEnd: false });
  let steps = [];
  await b.waitUntil(async () => (steps = await shownSteps(b)).some((s) => s.status === "warning" && /state/i.test(s.title) && !s.title.startsWith("Trainer")), {
    timeout: 20000,
    timeoutMsg: "a warning step about the state",
  });
  trainerWarning(steps, "wrong-state");
  const warned = steps.find((s) => s.status === "warning" && /state/i.test(s.title) && !s.title.startsWith("Trainer"));
  assert.match(warned.title, /rejected a callback with another state/);
  assert.notEqual(warned.details.expected_state, warned.details.actual_state);
  assert.ok(!steps.some((s) => s.title.startsWith("Token request")), `the code is not redeemed:\n${list(steps)}`);
  assert.equal(await (await b.$('[data-testid="run"]')).getText(), "Running…", "the run still waits for this flow's own callback");
  await showStep(b, warned.title);
  await b.saveScreenshot(join(shots, "trainer-wrong-state.png"));
  // The waiting run is cancelled: it ends aborted, its steps kept.
  await (await b.$('[data-testid="cancel"]')).click();
  const error = await b.$('[data-testid="flow-error"]');
  await error.waitForDisplayed({ timeout: 10000 });
  assert.match(await error.getText(), /aborted/);
  await allOffFromBanner(b, iss);
});

test("trainer switch device-slow-down: the first device poll is a slow_down warning, then the run is cancelled", async () => {
  const b = app.browser;
  const iss = await sandboxIssuer(b);
  await switchOnAlone(b, "device-slow-down");
  await (await b.$('[data-testid="nav-flows"]')).click();
  await (await b.$('[data-testid="tab-device"]')).click();
  await (await b.$('[data-testid="run"]')).click();
  let steps = [];
  await b.waitUntil(async () => (steps = await shownSteps(b)).some((s) => /slow_down/.test(s.title)), {
    timeout: 20000,
    timeoutMsg: "a slow_down poll",
  });
  trainerWarning(steps, "device-slow-down");
  const poll = steps.find((s) => /slow_down/.test(s.title));
  assert.equal(poll.status, "warning", `${poll.title}\n${list(steps)}`);
  await showStep(b, poll.title);
  await b.saveScreenshot(join(shots, "trainer-device-slow-down.png"));
  await (await b.$('[data-testid="cancel"]')).click();
  await (await b.$('[data-testid="flow-error"]')).waitForDisplayed({ timeout: 10000 });
  await allOffFromBanner(b, iss);
});
