// Shapes of the engine's events as they cross IPC (serde JSON of inspector-engine's types).

// The engine's and the core's types come generated from Rust (ts-rs): see ./generated/types.ts.
export type {
  Change,
  Check,
  CheckStatus,
  DevicePoll,
  ErrorCode,
  FlowError,
  HttpRequest,
  HttpResponse,
  Lane,
  Lanes,
  Login,
  Operation,
  PendingRequest,
  RequestEdit,
  RunRequest,
  SessionRecord,
  SessionSummary,
  Step,
  StepCategory,
  StepKind,
  StepStatus,
  TokenSet,
  UserAction,
  SessionDiff,
  StepDiff,
  StepRef,
  Difference,
  Aspect,
  Annotation,
  Cause,
  CauseCode,
  Diagnosis,
  DiagnosedToken,
  Report,
  TokenEntry,
  TokenKind,
} from "./generated/types";
import type { Check, Diagnosis, FlowError, Operation, PendingRequest, Report, SessionSummary, Step, UserAction } from "./generated/types";
import type { TokenSummary as GeneratedTokenSummary } from "./generated/types";

/** A token set as the window gets it: no token values, and the session to reveal one from. */
export type TokenSummary = GeneratedTokenSummary & { session_id?: number | null };
/** inspector-token's report (`token inspect --json`), signature bytes dropped by the core. */
export type TokenReportData = Report;
/** What Diagnose shows: the diagnosis (tokens shown as their placeholders) and the response. */
export type DiagnoseResult = { diagnosis: Diagnosis; response: string };

/** A token set as the window gets it: no token values (inspector_app::tokens::TokenSummary). */

/** What `run_flow` streams to the window. */
export type FlowEvent =
  | { type: "run"; run_id: number }
  | { type: "session"; session_id?: number | null }
  | ({ type: "step" } & Step)
  | ({ type: "tokens" } & TokenSummary)
  | ({ type: "action" } & UserAction)
  | ({ type: "pending" } & PendingRequest)
  | ({ type: "error" } & FlowError)
  | { type: "done"; ok: boolean };

export interface DemoClient {
  client_id: string;
  client_secret?: string;
  description: string;
}

export interface SandboxInfo {
  issuer: string;
  clients: DemoClient[];
  store_notice?: string | null;
}

export interface RunResult {
  ok: boolean;
  session_id?: number;
  run_id: number;
  /** Introspection or UserInfo: what the server answered. */
  result?: unknown;
}

/** What every command rejects with. */
export interface CommandError {
  code: string;
  message: string;
}

export type LoginMode = "system_browser" | "in_app" | "paste";

/** inspector-token's report (`token inspect --json`); its checks are the one Check type. */
export type TokenCheck = Check;





/** What a re-run needs: the session to name in the request, and its settings to show. */
export interface RerunForm {
  operation: Operation;
  session: number;
  settings: Record<string, any>;
  sent_secret: boolean;
}

export interface SavedClient {
  id: number;
  provider: string;
  name: string;
  client_id: string;
  auth_method: string;
  redirect_uri?: string;
  scope?: string;
  has_secret: boolean;
}

export interface ProviderEntry {
  id: number;
  name: string;
  source: "issuer" | "manual";
  issuer?: string;
  clients: SavedClient[];
}
