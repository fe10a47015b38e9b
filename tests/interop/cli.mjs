// Runs the `oauth-inspector` CLI with --json and collects its JSON-lines event stream.
// "action" events (open a URL, enter a user code) are handed to a callback while the CLI waits.
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

export const root = resolve(import.meta.dirname, "../..");
export const CLI = process.env.INSPECTOR_CLI ?? join(root, "target/debug/oauth-inspector");

/**
 * Throws unless the CLI binary is there and executable. Called from each file's `before`, so a
 * missing binary fails every test of the file (and the run) instead of skipping them quietly.
 */
export function requireCli() {
  try {
    accessSync(CLI, constants.X_OK);
  } catch (e) {
    throw new Error(
      `expected the oauth-inspector CLI binary at ${CLI} (${e.code === "ENOENT" ? "not found" : `not executable: ${e.code}`}); ` +
        "build it with `cargo build -p inspector-cli` (make test-interop does), or point INSPECTOR_CLI at one",
    );
  }
}

/**
 * `runCli(["flow", "client-credentials", ...])` → { code, events, stdout, stderr, of(type), last(type) }.
 * --no-save keeps runs out of any session database; --json is appended.
 */
export function runCli(args, { onAction, timeoutMs = 60_000 } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(CLI, ["--no-save", ...args, "--json"], { stdio: ["ignore", "pipe", "pipe"] });
    const events = [];
    const actions = [];
    let stdout = "";
    let stderr = "";
    let actionError;
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);

    child.stderr.on("data", (d) => (stderr += d));
    createInterface({ input: child.stdout }).on("line", (line) => {
      stdout += `${line}\n`;
      if (!line.trim()) return;
      let event;
      try {
        event = JSON.parse(line);
      } catch {
        event = { type: "unparsed", line };
      }
      events.push(event);
      if (event.type === "action" && onAction) {
        // If the "user" fails, the CLI would wait forever: stop it and report why.
        actions.push(Promise.resolve().then(() => onAction(event)).catch((e) => {
          actionError = e;
          child.kill("SIGKILL");
        }));
      }
    });

    child.on("error", reject);
    child.on("close", async (code, signal) => {
      clearTimeout(timer);
      const actionResults = await Promise.all(actions);
      if (actionError) return reject(new Error(`the test user failed: ${actionError.message}\nCLI stderr: ${stderr}`, { cause: actionError }));
      const of = (type) => events.filter((e) => e.type === type);
      resolvePromise({
        code, signal, events, stdout, stderr, actionResults, of,
        last: (type) => of(type).at(-1),
        describe: () => `exit ${code}${signal ? ` (${signal})` : ""}\nstdout:\n${stdout}\nstderr:\n${stderr}`,
      });
    });
  });
}

/** The last HTTP step whose request went to `url` (ignoring the query). */
export function lastStepTo(run, url) {
  return run.of("step").filter((s) => s.kind === "http" && s.request?.url.split("?")[0] === url).at(-1);
}

/** A step's response body parsed as JSON. */
export function responseJson(step) {
  return JSON.parse(step.response.body);
}
