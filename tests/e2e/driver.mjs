// Starts tauri-driver (which starts WebKitWebDriver) and opens a WebDriver session on the real
// desktop binary. The app gets its own temporary database through OAUTH_INSPECTOR_DB.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir, homedir } from "node:os";
import { join, resolve } from "node:path";
import net from "node:net";
import { remote } from "webdriverio";

export const root = resolve(import.meta.dirname, "../..");
export const appBinary = process.env.APP_BINARY ?? join(root, "target/debug/oauth-inspector-desktop");

function freePort() {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
    srv.on("error", rej);
  });
}

async function waitFor(url, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`expected ${url} to answer within ${ms} ms`);
}

export async function launch() {
  if (!existsSync(appBinary)) throw new Error(`expected the app binary at ${appBinary}; build it first (make test does)`);
  mkdirSync(join(root, "target/e2e"), { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), "inspector-e2e-"));
  const port = await freePort();
  const driverBin = process.env.TAURI_DRIVER ?? (existsSync(join(homedir(), ".cargo/bin/tauri-driver")) ? join(homedir(), ".cargo/bin/tauri-driver") : "tauri-driver");
  const driver = spawn(driverBin, ["--port", String(port), "--native-port", String(await freePort())], {
    // Its own HOME too, so exports land in a temporary Downloads folder, not the user's.
    env: { ...process.env, OAUTH_INSPECTOR_DB: join(dataDir, "sessions.db"), HOME: dataDir, XDG_DOWNLOAD_DIR: join(dataDir, "Downloads") },
    stdio: ["ignore", "inherit", "inherit"],
  });
  await waitFor(`http://127.0.0.1:${port}/status`, 15000);
  const browser = await remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "error",
    capabilities: { "tauri:options": { application: appBinary } },
  });
  return {
    browser,
    dataDir,
    async close() {
      await browser.deleteSession().catch(() => {});
      driver.kill();
    },
  };
}

/** Where screenshots go; created by `launch`. */
export const shots = join(root, "target/e2e");

/** The Sandbox issuer shown in the header, once the app has started it. */
export async function sandboxIssuer(b) {
  const provider = await b.$('[data-testid="provider"]');
  await provider.waitForDisplayed({ timeout: 20000 });
  return (await provider.getText()).match(/http:\/\/127\.0\.0\.1:\d+/)[0];
}

/** Sets a field as a paste would: the whole text at once, then the events Svelte listens to. */
export async function paste(b, element, text) {
  await b.execute(
    (e, v) => {
      e.value = v;
      e.dispatchEvent(new Event("input", { bubbles: true }));
      e.dispatchEvent(new Event("change", { bubbles: true }));
    },
    element,
    text,
  );
}
