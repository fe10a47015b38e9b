// The window's layout in the real desktop app: each view by its Ctrl+digit shortcut (shown in its
// tooltip), the first-launch hint shown then dismissed for good (also after a reload), the key-location
// notice dismissed for good, the last view remembered, the sidebar's providers and recent sessions, a
// screenshot of every view; then the same app in a dark GTK theme, to see whether the page follows.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { launch, sandboxIssuer, shots } from "./driver.mjs";

const views = [
  ["flows", "1"],
  ["sessions", "2"],
  ["token", "3"],
  ["diagnose", "4"],
  ["compare", "5"],
];

/** The view shown: the one view container not hidden. */
const shownView = (b) => b.execute(() => [...document.querySelectorAll("[data-view]")].filter((d) => !d.hidden).map((d) => d.dataset.view));

async function pressCtrl(b, key) {
  await b.performActions([
    {
      type: "key",
      id: "keyboard",
      actions: [{ type: "keyDown", value: "\uE009" }, { type: "keyDown", value: key }, { type: "keyUp", value: key }, { type: "keyUp", value: "\uE009" }],
    },
  ]);
  await b.releaseActions();
}

let app;
before(async () => {
  app = await launch();
  await sandboxIssuer(app.browser);
});
after(async () => {
  await app?.close();
});

test("first launch: the Sandbox selected, the hint shown; dismissed for good, also after a reload", async () => {
  const b = app.browser;
  assert.deepEqual(await shownView(b), ["flows"]);
  const hint = await b.$('[data-testid="first-hint"]');
  await hint.waitForDisplayed({ timeout: 10000 });
  assert.match(await hint.getText(), /^Start here/);
  assert.equal(await hint.getAttribute("aria-label"), "What to try first");
  assert.match(await (await b.$('[data-testid="sidebar-sandbox"]')).getAttribute("class"), /selected/);
  // The Sandbox's demo clients are in the sidebar; one click puts its operation in the form.
  const clients = await b.execute(() => [...document.querySelectorAll('[data-testid="sidebar-client"]')].map((e) => e.dataset.client));
  assert.deepEqual(clients, ["sandbox-service", "sandbox-app", "sandbox-device"]);
  await b.saveScreenshot(join(shots, "layout-first-launch.png"));

  await (await b.$('[data-testid="sidebar-client"][data-client="sandbox-device"]')).click();
  await b.waitUntil(async () => (await (await b.$('[data-testid="run"]')).getText()) === "Run device flow", { timeout: 5000, timeoutMsg: "the device client picks the device flow" });
  await (await b.$('[data-testid="sidebar-client"][data-client="sandbox-service"]')).click();
  await b.waitUntil(async () => (await (await b.$('[data-testid="run"]')).getText()) === "Run client credentials", { timeout: 5000 });

  await (await b.$('[data-testid="hint-dismiss"]')).click();
  assert.equal(await (await b.$('[data-testid="first-hint"]')).isExisting(), false);
  // The key-location notice (no OS keychain here) can go for good too.
  const notice = await b.$('[data-testid="store-notice"]');
  if (await notice.isExisting()) {
    await (await b.$('[data-testid="store-notice-dismiss"]')).click();
    assert.equal(await (await b.$('[data-testid="store-notice"]')).isExisting(), false);
  }
  await b.refresh();
  await sandboxIssuer(b);
  assert.equal(await (await b.$('[data-testid="first-hint"]')).isExisting(), false, "the hint stays dismissed after a reload");
  assert.equal(await (await b.$('[data-testid="store-notice"]')).isExisting(), false, "the notice stays dismissed after a reload");
});

test("each view by its Ctrl+digit shortcut, named in its tooltip; a run appears in the sidebar; the last view is remembered", async () => {
  const b = app.browser;
  // One saved session, so Sessions, Compare and the sidebar have something to show.
  await (await b.$('[data-testid="nav-flows"]')).click();
  await (await b.$('[data-testid="run"]')).click();
  await (await b.$('[data-testid="saved"]')).waitForDisplayed({ timeout: 30000 });
  await b.waitUntil(async () => (await b.$$('[data-testid="sidebar-session"]')).length === 1, { timeout: 10000, timeoutMsg: "the run listed in the sidebar" });
  await (await b.$('[data-testid="run"]')).click();
  await b.waitUntil(async () => (await b.$$('[data-testid="sidebar-session"]')).length === 2, { timeout: 30000, timeoutMsg: "the second run listed" });

  for (const [id, key] of views) {
    const nav = await b.$(`[data-testid="nav-${id}"]`);
    assert.match(await nav.getAttribute("title"), new RegExp(`\\(Ctrl\\+${key}\\)$`));
    // Start elsewhere, so the shortcut is what changes the view.
    await (await b.$(`[data-testid="nav-${id === "flows" ? "sessions" : "flows"}"]`)).click();
    await pressCtrl(b, key);
    await b.waitUntil(async () => (await shownView(b))[0] === id, { timeout: 5000, timeoutMsg: `Ctrl+${key} shows ${id}` });
    assert.equal(await nav.getAttribute("aria-current"), "page");
    if (id === "compare") {
      await (await b.$('[data-testid="compare-run"]')).click();
      await (await b.$('[data-testid="diff"]')).waitForDisplayed({ timeout: 10000 });
    }
    await b.saveScreenshot(join(shots, `layout-view-${id}.png`));
  }

  // A recent session in the sidebar opens it in Sessions.
  await (await b.$('[data-testid="sidebar-session"]')).click();
  await b.waitUntil(async () => (await shownView(b))[0] === "sessions", { timeout: 5000 });
  await (await b.$('[data-testid="session-title"]')).waitForDisplayed({ timeout: 10000 });
  await b.saveScreenshot(join(shots, "layout-sidebar-session.png"));

  // Keyboard focus is visible: Tab onto a nav button draws an outline.
  await pressCtrl(b, "4");
  await b.execute(() => document.querySelector('[data-testid="nav-token"]').focus({ focusVisible: true }));
  await b.keys(["Tab"]);
  const outline = await b.execute(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, "none", "the focused element shows an outline");

  await b.refresh();
  await sandboxIssuer(b);
  assert.deepEqual(await shownView(b), ["diagnose"], "the last view open comes back");
  await pressCtrl(b, "1");
});

test("dark: with a dark GTK theme the window follows prefers-color-scheme (diagram included)", async () => {
  // A second app, started with the dark Adwaita theme: WebKitGTK takes the colour scheme from GTK.
  const saved = process.env.GTK_THEME;
  process.env.GTK_THEME = "Adwaita:dark";
  const dark = await launch();
  if (saved === undefined) delete process.env.GTK_THEME;
  else process.env.GTK_THEME = saved;
  try {
    const b = dark.browser;
    await sandboxIssuer(b);
    const scheme = await b.execute(() => ({
      dark: matchMedia("(prefers-color-scheme: dark)").matches,
      bg: getComputedStyle(document.documentElement).getPropertyValue("--bg").trim(),
    }));
    console.log(`# GTK_THEME=Adwaita:dark: prefers-color-scheme dark = ${scheme.dark}, --bg = ${scheme.bg}`);
    assert.equal(scheme.dark, true, "WebKitGTK reports a dark colour scheme under a dark GTK theme");
    assert.equal(scheme.bg, "#0f1620", "the dark palette is in force");
    await (await b.$('[data-testid="hint-dismiss"]')).click();
    await (await b.$('[data-testid="run"]')).click();
    await (await b.$('[data-testid="saved"]')).waitForDisplayed({ timeout: 30000 });
    await (await b.$('[data-testid="view-diagram"]')).click();
    const arrow = await b.$('[data-testid="arrow"][data-kind="request"][data-label="POST /token"]');
    await b.execute((e) => e.dispatchEvent(new MouseEvent("click", { bubbles: true })), arrow);
    await b.saveScreenshot(join(shots, "layout-dark-flows.png"));
    await b.execute(() => document.querySelector('[data-testid="step"][open]').scrollIntoView({ block: "start" }));
    await b.saveScreenshot(join(shots, "layout-dark-step.png"));
    for (const [id, key] of views.slice(1)) {
      await pressCtrl(b, key);
      await b.waitUntil(async () => (await shownView(b))[0] === id, { timeout: 5000 });
      await b.saveScreenshot(join(shots, `layout-dark-${id}.png`));
    }
  } finally {
    await dark.close();
  }
});
