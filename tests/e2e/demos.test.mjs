// The attack demos in the window: each one played against the app's sandbox shows the attack
// working without its defence and failing with it, with the attacker's lane in the diagram; and a
// waiting run can be cancelled (the device flow's countdown shows while it polls).
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

const ATTACKS = ["code-interception", "login-csrf", "mix-up", "token-replay", "alg-none"];

test("each attack demo works without its defence and fails with it, on an attacker lane", async () => {
  const b = app.browser;
  await sandboxIssuer(b);
  await (await b.$('[data-testid="nav-demos"]')).click();
  for (const attack of ATTACKS) {
    const button = await b.$(`[data-testid="demo-${attack}"]`);
    await button.waitForEnabled({ timeout: 20000 });
    await button.click();
    await b.waitUntil(async () => (await b.$$('[data-view="demos"] [data-testid="demo-part"]')).length === 2, {
      timeout: 30000,
      timeoutMsg: `${attack}: expected two parts`,
    });
    const parts = await b.$$('[data-view="demos"] [data-testid="demo-part"]');
    assert.equal(await parts[0].getAttribute("data-succeeded"), "true", `${attack}: without the defence the attack works`);
    assert.equal(await parts[1].getAttribute("data-succeeded"), "false", `${attack}: with it, it fails`);
    assert.match(await parts[0].getText(), /ATTACK SUCCEEDED/);
    const lanes = await b.$$('[data-view="demos"] [data-testid="lane"]');
    const ids = [];
    for (const l of lanes) ids.push(await l.getAttribute("data-lane"));
    assert.ok(ids.includes("attacker"), `${attack}: an attacker lane, got ${ids}`);
    const marks = await b.$$('[data-view="demos"] [data-testid="mark"][data-mark="fail"]');
    assert.ok(marks.length >= 1, `${attack}: the successful attack is a red mark`);
    await b.saveScreenshot(join(shots, `demo-${attack}.png`));
  }
});

test("presentation mode: one step at a time with the arrow keys, larger type, Esc ends it", async () => {
  const b = app.browser;
  await (await b.$('[data-testid="nav-demos"]')).click();
  const scope = '[data-view="demos"]';
  const arrows = async () => (await b.$$(`${scope} [data-testid="arrow"]`)).length;
  const all = await arrows();
  await (await b.$(`${scope} [data-testid="present"]`)).click();
  assert.equal(await (await b.$(`${scope} [data-testid="present-step"]`)).getText(), "1");
  const one = await arrows();
  assert.ok(one >= 1 && one < all, `one step drawn (${one} of ${all} arrows)`);
  await b.keys(["ArrowRight"]);
  await b.keys(["ArrowRight"]);
  assert.equal(await (await b.$(`${scope} [data-testid="present-step"]`)).getText(), "3");
  assert.ok((await arrows()) > one, "the diagram grows with each step");
  await b.keys(["ArrowLeft"]);
  assert.equal(await (await b.$(`${scope} [data-testid="present-step"]`)).getText(), "2");
  const size = await b.execute(() => getComputedStyle(document.documentElement).fontSize);
  assert.equal(size, "20px", "larger type while presenting");
  await b.saveScreenshot(join(shots, "presentation.png"));
  await b.keys(["Escape"]);
  assert.equal(await (await b.$(`${scope} [data-testid="present-bar"]`)).isExisting(), false);
  assert.equal(await arrows(), all, "every arrow again");
});

test("a device flow shows its countdown while it polls, and Cancel ends it aborted", async () => {
  const b = app.browser;
  await (await b.$('[data-testid="nav-flows"]')).click();
  await (await b.$('[data-testid="tab-device"]')).click();
  await (await b.$('[data-testid="run"]')).click();
  const countdown = await b.$('[data-testid="device-countdown"]');
  await countdown.waitForDisplayed({ timeout: 20000 });
  const first = await countdown.getText();
  assert.match(first, /Expires in \d+:\d\d/);
  await b.waitUntil(async () => (await countdown.getText()) !== first, { timeout: 5000, timeoutMsg: "the countdown moves" });
  await b.saveScreenshot(join(shots, "device-countdown.png"));
  await (await b.$('[data-testid="cancel"]')).click();
  const error = await b.$('[data-testid="flow-error"]');
  await error.waitForDisplayed({ timeout: 10000 });
  assert.match(await error.getText(), /aborted.*cancelled by the user/);
  const runButton = await b.$('[data-testid="run"]');
  await b.waitUntil(async () => !(await runButton.getText()).includes("Running"), { timeout: 10000, timeoutMsg: "the run ends" });
  assert.equal(await (await b.$('[data-testid="device-countdown"]')).isExisting(), false, "the code is no longer shown");
  await b.saveScreenshot(join(shots, "cancelled.png"));
});
