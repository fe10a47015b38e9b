// Starts tauri-driver (which starts WebKitWebDriver) and opens a WebDriver session on the real
// desktop binary. The app gets its own temporary database through OAUTH_INSPECTOR_DB.
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { accessSync, constants, mkdtempSync, mkdirSync } from "node:fs";
import { tmpdir, homedir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import net from "node:net";
import { remote } from "webdriverio";

export const root = resolve(import.meta.dirname, "../..");
export const appBinary = process.env.APP_BINARY ?? join(root, "target/debug/oauth-inspector-desktop");
export const cliBinary = process.env.INSPECTOR_CLI ?? join(root, "target/debug/oauth-inspector");

const executable = (path) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};
const onPath = (name) => (process.env.PATH ?? "").split(delimiter).filter(Boolean).map((d) => join(d, name)).find(executable);

/**
 * The three programs an e2e run needs, or an error naming the one missing and how to get it.
 * Called by `launch` (from each file's `before`), so a missing one fails every test, not skips it.
 */
export function requirePrograms() {
  if (!executable(appBinary)) {
    throw new Error(`expected the desktop binary at ${appBinary} (missing or not executable); build it with \`make desktop\` (make test-e2e does), or set APP_BINARY`);
  }
  const cargoDriver = join(homedir(), ".cargo/bin/tauri-driver");
  const driver = process.env.TAURI_DRIVER ?? (executable(cargoDriver) ? cargoDriver : onPath("tauri-driver"));
  if (!driver || !executable(driver)) {
    throw new Error(`expected tauri-driver at ${process.env.TAURI_DRIVER ?? `${cargoDriver} or on PATH`}; install it with \`make tauri-driver\`, or set TAURI_DRIVER`);
  }
  // tauri-driver starts it; without it the session fails later with a less obvious message.
  if (!onPath("WebKitWebDriver")) {
    throw new Error("expected WebKitWebDriver on PATH (tauri-driver starts it); install the webkit2gtk-driver package (make system-deps does)");
  }
  return { driver };
}

/**
 * Runs the CLI on the app's session database (`--db`) and parses its --json output: a second
 * reader of what the desktop wrote, so a test sees the saved session, not only the window.
 */
export async function cliJson(app, args) {
  if (!executable(cliBinary)) {
    throw new Error(`expected the oauth-inspector CLI at ${cliBinary}; build it with \`cargo build -p inspector-cli\`, or set INSPECTOR_CLI`);
  }
  const db = join(app.dataDir, "sessions.db");
  const { stdout } = await promisify(execFile)(cliBinary, ["--db", db, ...args, "--json"], { env: { ...process.env, HOME: app.dataDir } });
  return JSON.parse(stdout);
}

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
  const { driver: driverBin } = requirePrograms();
  mkdirSync(join(root, "target/e2e"), { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), "inspector-e2e-"));
  const port = await freePort();
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
