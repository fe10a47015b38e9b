// The sequence diagram with a 500-step session against a 50-step baseline, in the real desktop
// binary under WebDriver (as the e2e tests run it): time to draw a saved session once it is
// opened, and the longest frame while scrolling through it. Prints each figure and the ratio to
// the baseline measured in the same run (linear growth would be 10.0 for drawing; scrolling should
// stay near 1.0). The sessions are a real attack demo's steps, repeated, imported through the CLI.
//
//   xvfb-run -a node bench/diagram.mjs        (make bench-diagram; needs the desktop binary)
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { launch, sandboxIssuer, cliBinary } from "../tests/e2e/driver.mjs";

const RUNS = 3;
const run = promisify(execFile);

async function cli(app, args) {
  const db = join(app.dataDir, "sessions.db");
  const { stdout } = await run(cliBinary, ["--db", db, ...args], { env: { ...process.env, HOME: app.dataDir }, maxBuffer: 64 << 20 });
  return stdout;
}

/** A session of `n` steps: the demo's steps repeated, renumbered, imported. */
async function importSession(app, exported, n) {
  const copy = structuredClone(exported);
  const base = exported.session.steps;
  copy.session.steps = Array.from({ length: n }, (_, i) => ({ ...structuredClone(base[i % base.length]), seq: i + 1 }));
  copy.session.title = `bench ${n} steps`;
  const file = join(app.dataDir, `bench-${n}.json`);
  writeFileSync(file, JSON.stringify(copy));
  const out = await cli(app, ["sessions", "import", file]);
  return Number(out.match(/session (\d+)/)[1]);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Opens the session titled `title` and times it until its diagram stops growing (ms). */
async function drawTime(b, title) {
  return b.executeAsync((title, done) => {
    const row = [...document.querySelectorAll('[data-view="sessions"] [data-testid="session-row"]')].find((r) => r.textContent.includes(title));
    if (!row) return done(-1);
    const t0 = performance.now();
    row.querySelector("button.row, button").click();
    let last = -1, stable = 0, reached = 0;
    const tick = () => {
      const n = document.querySelectorAll('[data-view="sessions"] [data-testid="diagram"] [data-testid="arrow"]').length;
      if (n > 0 && n === last) stable++;
      else { stable = 0; reached = performance.now(); last = n; }
      if (stable >= 10) done(reached - t0);
      else if (performance.now() - t0 > 60000) done(-2);
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }, title);
}

/** Scrolls through the open diagram in 40 steps, one per frame; the longest frame (ms). */
async function scrollFrame(b) {
  return b.executeAsync((done) => {
    const svg = document.querySelector('[data-view="sessions"] [data-testid="diagram"]');
    let el = svg?.parentElement;
    while (el && !(el.scrollHeight > el.clientHeight + 10 && /(auto|scroll)/.test(getComputedStyle(el).overflowY))) el = el.parentElement;
    el = el ?? document.scrollingElement;
    el.scrollTop = 0;
    const stepPx = Math.max(1, (el.scrollHeight - el.clientHeight) / 40);
    let i = 0, prev = performance.now(), worst = 0;
    const tick = () => {
      const now = performance.now();
      if (i > 0) worst = Math.max(worst, now - prev);
      prev = now;
      if (i++ >= 40) return done(worst);
      el.scrollTop += stepPx;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

const app = await launch();
try {
  const b = app.browser;
  const issuer = await sandboxIssuer(b);
  await cli(app, ["demo", "mix-up", "--issuer", issuer]).catch((e) => { throw new Error(`the demo run failed: ${e.stderr ?? e}`); });
  const listed = JSON.parse(await cli(app, ["sessions", "list", "--json"]));
  const demoId = (listed.sessions ?? listed)[0].id;
  const exported = JSON.parse(await cli(app, ["sessions", "export", String(demoId), "--format", "json"]));
  await importSession(app, exported, 50);
  await importSession(app, exported, 500);
  // Saved sessions open on the diagram (the view is remembered), and a slow draw may take a while.
  await b.execute(() => localStorage.setItem("steps-view", "diagram"));
  await b.refresh();
  await sandboxIssuer(b);
  await b.setTimeout({ script: 120000 });
  await (await b.$('[data-testid="nav-sessions"]')).click();
  await b.waitUntil(async () => (await b.$$('[data-testid="session-row"]')).length >= 3, { timeout: 20000, timeoutMsg: "expected the imported sessions in the list" });
  const figures = { 50: { draw: [], scroll: [] }, 500: { draw: [], scroll: [] } };
  for (let r = 0; r < RUNS; r++) {
    for (const n of [50, 500]) {
      const t = await drawTime(b, `bench ${n} steps`);
      if (t < 0) throw new Error(`the ${n}-step session did not draw (${t})`);
      figures[n].draw.push(t);
      figures[n].scroll.push(await scrollFrame(b));
    }
  }
  const d50 = median(figures[50].draw), d500 = median(figures[500].draw);
  const s50 = median(figures[50].scroll), s500 = median(figures[500].scroll);
  console.log(`diagram draw   50 steps: ${d50.toFixed(1)} ms (baseline)`);
  console.log(`diagram draw  500 steps: ${d500.toFixed(1)} ms — ratio ${(d500 / d50).toFixed(2)} (linear = 10.00)`);
  console.log(`scroll, longest frame  50 steps: ${s50.toFixed(1)} ms (baseline)`);
  console.log(`scroll, longest frame 500 steps: ${s500.toFixed(1)} ms — ratio ${(s500 / s50).toFixed(2)} (target ≤ 2.00; 16.7 ms is one frame at 60 Hz)`);
} finally {
  await app.close();
}
