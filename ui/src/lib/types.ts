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
} from "./generated/types";
import type { Check, FlowError, HttpRequest, Operation, PendingRequest, SessionSummary, Step, UserAction } from "./generated/types";

export type TokenKind = "access_token" | "refresh_token" | "id_token";

/** A token set as the window gets it: no token values (inspector_app::tokens::TokenSummary). */
export interface TokenSummary {
  token_type: string;
  expires_in?: number;
  scope?: string;
  /** The saved session holding the tokens, to reveal one from. */
  session_id?: number | null;
  tokens: { which: TokenKind; format: string; report?: TokenReportData }[];
}

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

export interface Annotation {
  name: string;
  meaning?: string;
  spec?: string;
  time?: string;
}

export interface TokenReportData {
  format: "jwt" | "jwe" | "opaque" | "malformed";
  encrypted: boolean;
  profile?: string;
  header: Record<string, unknown> | null;
  claims: Record<string, unknown> | null;
  signature?: { bytes: number; hex: string };
  valid: boolean;
  checks: TokenCheck[];
  problems: string[];
  header_info: Annotation[];
  claim_info: Annotation[];
  notes?: string[];
}

export interface Cause {
  code: string;
  summary: string;
  fix: string;
  evidence?: string[];
}

export interface DiagnoseResult {
  diagnosis: {
    status: number;
    challenges: string[];
    token?: { location: string; format: string; problems: string[]; valid: boolean; inspection: TokenReportData } | null;
    causes: Cause[];
  };
  response: string;
}

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
