// The app's views as data (the nav, the sidebar and the keyboard shortcuts read it) and what a click in
// the sidebar hands to a view. A new view is one entry in `views`.
import type { Operation } from "./types";

export interface ViewEntry {
  id: string;
  label: string;
  /** The digit of its Ctrl+digit shortcut. */
  shortcut: string;
}

/** A client picked in the sidebar, for the Flows form. */
export type ClientPick = { kind: "sandbox"; operation: Operation } | { kind: "saved"; provider: string; client: string };

/** Which operation each Sandbox demo client is for (README: the sandbox's demo clients). */
export const sandboxOperation: Record<string, Operation> = {
  "sandbox-service": "client_credentials",
  "sandbox-app": "authorization_code",
  "sandbox-device": "device_code",
};

/** Whether a key event is the shortcut of one of `views`: Ctrl (or Cmd) and the view's digit. */
export function viewForKey(e: KeyboardEvent, list: ViewEntry[]): ViewEntry | undefined {
  if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return undefined;
  return list.find((v) => v.shortcut === e.key);
}

/** localStorage, tolerating a webview where it is unavailable (the app still works, it only forgets). */
export const remembered = {
  get(key: string): string | null {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set(key: string, value: string) {
    try {
      localStorage.setItem(key, value);
    } catch {
      /* nothing to remember with */
    }
  },
};
