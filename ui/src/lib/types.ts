// Shapes of the engine's events as they cross IPC (serde JSON of inspector-engine's types).

export type StepStatus = "ok" | "warning" | "failed";

export interface FlowError {
  code: string;
  message: string;
  oauth?: { error: string; error_description?: string; error_uri?: string };
}

export interface HttpRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body?: string;
}

export interface HttpResponse {
  status: number;
  headers: [string, string][];
  body: string;
  elapsed_ms: number;
}

export type Step = {
  seq: number;
  at_ms: number;
  title: string;
  status: StepStatus;
  error?: FlowError;
  secrets?: { label: string; value: string }[];
} & (
  | { kind: "http"; request: HttpRequest; response?: HttpResponse }
  | { kind: "local"; details: unknown }
);

export interface TokenSet {
  access_token: string;
  token_type: string;
  expires_in?: number;
  scope?: string;
  refresh_token?: string;
  id_token?: string;
}

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

/** A request held at the gate (step-through), already redacted. */
export interface PendingRequest {
  id: number;
  request: HttpRequest;
}

export type UserAction =
  | { kind: "open_url"; url: string }
  | { kind: "enter_user_code"; user_code: string; verification_uri: string; verification_uri_complete?: string; expires_in: number };

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

/** inspector_app::Operation: the name its sessions are saved under. */
export type Operation = "client_credentials" | "authorization_code" | "device_code" | "refresh_token" | "revoke" | "introspect" | "userinfo";
export type LoginMode = "system_browser" | "in_app" | "paste";

/** inspector-token's report (`token inspect --json`). */
export interface TokenCheck {
  id: string;
  status: "pass" | "fail" | "warn" | "skip";
  message: string;
  expected?: string;
  actual?: string;
  spec: string;
  problem?: string;
}

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

export interface SessionSummary {
  id: number;
  flow: string;
  provider: string;
  client: string;
  title: string;
  outcome: "ok" | "failed" | "running" | "interrupted";
  started_ms: number;
  ended_ms?: number | null;
  step_count: number;
  tags: string[];
  deleted_ms?: number;
}

export interface SessionRecord extends SessionSummary {
  notes: string;
  settings: Record<string, unknown>;
  error?: FlowError | null;
  tokens?: TokenSet | null;
  steps: Step[];
  redacted: boolean;
}

export interface Difference {
  aspect: string;
  name: string;
  left?: unknown;
  right?: unknown;
}

export interface StepRef {
  seq: number;
  title: string;
  status: StepStatus;
  method?: string;
  url?: string;
  http_status?: number;
}

export interface SessionDiff {
  left: SessionSummary;
  right: SessionSummary;
  session: Difference[];
  steps: { left?: StepRef | null; right?: StepRef | null; differences: Difference[] }[];
  same: boolean;
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
