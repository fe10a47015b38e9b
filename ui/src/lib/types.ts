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

export type UserAction =
  | { kind: "open_url"; url: string }
  | { kind: "enter_user_code"; user_code: string; verification_uri: string; verification_uri_complete?: string; expires_in: number };

export type FlowEvent =
  | ({ type: "step" } & Step)
  | ({ type: "tokens" } & TokenSet)
  | ({ type: "action" } & UserAction)
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
}

export interface RunResult {
  ok: boolean;
  session_id?: number;
}

/** What every command rejects with. */
export interface CommandError {
  code: string;
  message: string;
}

export type FlowKind = "client_credentials" | "auth_code" | "device";
export type LoginMode = "system_browser" | "in_app" | "paste";
