// Calls several views make the same way: what a failed command threw, as {code, message}; the saved
// sessions that hold tokens (for "token from a saved session"); a probe or audit report exported.
import { invoke } from "@tauri-apps/api/core";
import type { CommandError, SessionSummary } from "./types";

/** A command's rejection as `{code, message}`: the shell sends that shape, a plain string is wrapped. */
export function asCommandError(e: unknown): CommandError {
  if (typeof e === "string") return { code: "error", message: e };
  return (e as CommandError)?.message ? (e as CommandError) : { code: "error", message: String(e) };
}

/** Successful sessions of the flows that obtain tokens, newest first. */
export async function sessionsWithTokens(): Promise<SessionSummary[]> {
  const all = await invoke<SessionSummary[]>("list_sessions", { query: { outcome: "ok", limit: 100 } }).catch(() => []);
  return all.filter((s) => ["client_credentials", "authorization_code", "device_code", "refresh_token"].includes(s.flow));
}

/** Writes the Markdown of a probe or audit report the window was shown; what to tell the user. */
export async function exportReport(session: number): Promise<{ ok: boolean; text: string }> {
  try {
    const r = await invoke<{ path: string }>("export_report", { session });
    return { ok: true, text: `Exported to ${r.path}` };
  } catch (e) {
    return { ok: false, text: asCommandError(e).message };
  }
}
