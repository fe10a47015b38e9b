// Generated from the Rust types by crates/app/tests/ui_types.rs (ts-rs); do not edit.
// Regenerate: UPDATE_UI_TYPES=1 cargo test -p inspector-app --test ui_types

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]?: JsonValue } | null;

export type Step = { 
/**
 * Position in the flow, from 1; assigned by the recorder.
 */
seq: number, 
/**
 * When the step started, Unix milliseconds.
 */
at_ms: number, title: string, status: StepStatus, error?: FlowError | null, 
/**
 * Secret values occurring in this step, with what they are ("client_secret", ...).
 */
secrets?: Array<SecretMark>, 
/**
 * Set when the user edited the request at the gate before it was sent: what changed.
 */
edited?: RequestEdit | null, category: StepCategory, lanes: Lanes, 
/**
 * For a device poll: its number and the answer.
 */
poll?: DevicePoll | null, } & ({ "kind": "http", request: HttpRequest, 
/**
 * Absent when nothing came back (connection refused, timeout).
 */
response?: HttpResponse | null, } | { "kind": "local", 
/**
 * Human-readable facts of the action, e.g. `{"expected": ..., "actual": ...}`.
 */
details: JsonValue, });

export type StepStatus = "ok" | "warning" | "failed";

export type StepKind = { "kind": "http", request: HttpRequest, 
/**
 * Absent when nothing came back (connection refused, timeout).
 */
response?: HttpResponse | null, } | { "kind": "local", 
/**
 * Human-readable facts of the action, e.g. `{"expected": ..., "actual": ...}`.
 */
details: JsonValue, };

export type StepCategory = "http_exchange" | "redirect" | "browser_navigation" | "checks" | "device_poll" | "user_action" | "generated_value";

export type Lane = "browser" | "app" | "authorization_server" | "resource_api" | "attacker";

export type Lanes = { from: Lane, to: Lane, };

export type DevicePoll = { number: number, 
/**
 * `authorization_pending`, `slow_down`, `access_denied`, `expired_token`, `tokens`, …
 */
answer: string, };

export type HttpRequest = { method: string, url: string, headers: Array<[string, string]>, body?: string | null, };

export type HttpResponse = { status: number, headers: Array<[string, string]>, body: string, elapsed_ms: number, };

export type SecretMark = { 
/**
 * What the secret is: `client_secret`, `access_token`, `authorization_header`, ...
 */
label: string, value: string, };

export type PendingRequest = { 
/**
 * Unique within the flow, so a front answers the request it was shown.
 */
id: number, request: HttpRequest, secrets?: Array<SecretMark>, };

export type RequestEdit = { changes: Array<Change>, };

export type Change = { 
/**
 * `method`, `url`, `query`, `header`, `form` or `body`.
 */
part: string, 
/**
 * The parameter or header name (empty for `method`, `url`, `body`).
 */
name?: string, before?: string | null, after?: string | null, };

export type Check = { id: string, status: CheckStatus, 
/**
 * Static for the common outcomes, so a passing check allocates nothing.
 */
message: string, expected: string | null, actual: string | null, spec: string, 
/**
 * When it failed: a stable code of what is wrong (`bad_signature`, `state_mismatch`, …).
 */
problem: string | null, };

export type CheckStatus = "pass" | "fail" | "warn" | "skip";

export type FlowError = { code: ErrorCode, message: string, 
/**
 * For `oauth_error`: the server's `error`, `error_description`, `error_uri`.
 */
oauth?: OauthErrorBody | null, };

export type ErrorCode = "invalid_input" | "connection_failed" | "timeout" | "unexpected_status" | "not_json" | "missing_field" | "oauth_error" | "issuer_mismatch" | "state_mismatch" | "nonce_mismatch" | "expired" | "redirect_loop" | "aborted" | "body_too_large";

export type OauthErrorBody = { error: string, error_description?: string | null, error_uri?: string | null, };

export type FlowEvent = { "type": "step" } & Step | { "type": "tokens" } & TokenSet | { "type": "action" } & UserAction | { "type": "pending" } & PendingRequest | { "type": "error" } & FlowError | { "type": "done", ok: boolean, };

export type UserAction = { "kind": "open_url", url: string, } | { "kind": "enter_user_code", user_code: string, verification_uri: string, verification_uri_complete?: string | null, expires_in: number, };

export type TokenSet = { access_token: string, token_type: string, expires_in?: number | null, scope?: string | null, refresh_token?: string | null, id_token?: string | null, };

export type Endpoints = { issuer?: string | null, authorization_endpoint?: string | null, token_endpoint?: string | null, device_authorization_endpoint?: string | null, userinfo_endpoint?: string | null, revocation_endpoint?: string | null, introspection_endpoint?: string | null, jwks_uri?: string | null, 
/**
 * RFC 9207: the server puts `iss` in authorization responses.
 */
authorization_response_iss_parameter_supported?: boolean | null, };

export type ProviderSource = { "source": "issuer", issuer: string, } | { "source": "manual", endpoints: Endpoints, };

export type AuthMethod = "client_secret_basic" | "client_secret_post" | "client_secret_jwt" | "private_key_jwt" | "none";

export type PkceMethod = "S256" | "plain" | "none";

export type SessionSummary = { id: number, flow: string, provider: string, 
/**
 * The client id the flow ran as ("" when the flow has none).
 */
client: string, title: string, 
/**
 * `running`, `ok`, `failed`, or `interrupted` (left running by a process that has ended).
 */
outcome: string, started_ms: number, ended_ms: number | null, step_count: number, tags: Array<string>, 
/**
 * Set when the session was deleted and can still be restored.
 */
deleted_ms?: number | null, };

export type SessionRecord = { notes: string, settings: JsonValue, error: FlowError | null, tokens: TokenSet | null, steps: Array<Step>, 
/**
 * Whether secrets are replaced by `<redacted:label>` markers in this copy.
 */
redacted: boolean, id: number, flow: string, provider: string, 
/**
 * The client id the flow ran as ("" when the flow has none).
 */
client: string, title: string, 
/**
 * `running`, `ok`, `failed`, or `interrupted` (left running by a process that has ended).
 */
outcome: string, started_ms: number, ended_ms: number | null, step_count: number, tags: Array<string>, 
/**
 * Set when the session was deleted and can still be restored.
 */
deleted_ms?: number | null, };

export type SessionDiff = { left: SessionSummary, right: SessionSummary, session: Array<Difference>, steps: Array<StepDiff>, 
/**
 * No difference anywhere (volatile values aside).
 */
same: boolean, };

export type StepDiff = { left: StepRef | null, right: StepRef | null, differences: Array<Difference>, };

export type StepRef = { seq: number, title: string, status: StepStatus, method?: string | null, url?: string | null, http_status?: number | null, };

export type Difference = { aspect: Aspect, 
/**
 * What differs: a parameter, member or claim name (`access_token.scope` for a claim).
 */
name: string, 
/**
 * Absent when the left session does not have it.
 */
left: JsonValue | null, right: JsonValue | null, };

export type Aspect = "outcome" | "error" | "flow" | "provider" | "client" | "step_status" | "url" | "request_param" | "request_header" | "http_status" | "response_header" | "response_member" | "claim";

export type Report = { format: Format, 
/**
 * True for JWE: the header is the protected header, the claims are unreadable.
 */
encrypted: boolean, profile: Profile | null, header: JsonValue, claims: JsonValue, signature: SignatureInfo | null, valid: boolean, 
/**
 * Paste mistakes removed before checking (quotes, whitespace, line breaks, `Bearer `); the
 * `paste` check says what they were. The other checks and `valid` are of the cleaned token.
 */
paste: Array<PasteMistake>, checks: Array<Check>, problems: Array<Problem>, header_info: Array<Annotation>, claim_info: Array<Annotation>, notes: Array<string>, };

export type Annotation = { name: string, meaning: string | null, spec: string | null, time: string | null, };

export type SignatureInfo = { bytes: number, hex: string, };

export type Format = "jwt" | "jwe" | "malformed" | "opaque";

export type Profile = "jwt" | "id_token" | "access_token";

export type Problem = "malformed" | "alg_none" | "alg_not_allowed" | "bad_signature" | "unknown_key" | "expired" | "not_yet_valid" | "issued_in_future" | "issuer_mismatch" | "audience_mismatch" | "missing_claim" | "insufficient_scope" | "nonce_mismatch" | "at_hash_mismatch" | "azp_mismatch" | "crit_unsupported";

export type PasteMistake = "quotes" | "whitespace" | "line_breaks" | "bearer_prefix";

export type Diagnosis = { status: number, challenges: Array<string>, token: DiagnosedToken | null, causes: Array<Cause>, };

export type DiagnosedToken = { 
/**
 * Where the token was found: "Authorization: Bearer", "query string", "form body".
 */
location: string, format: Format, problems: Array<Problem>, valid: boolean, 
/**
 * Paste mistakes around the token as sent (quotes, a second `Bearer `); `inspection` is of
 * the token without them.
 */
paste: Array<PasteMistake>, 
/**
 * The full inspection (header, claims, checks); the token string itself is never echoed.
 */
inspection: Report, };

export type Cause = { code: CauseCode, summary: string, fix: string, evidence: Array<string>, };

export type CauseCode = "missing_token" | "wrong_scheme" | "malformed" | "expired" | "not_yet_valid" | "bad_signature" | "unknown_key" | "alg_none" | "issuer_mismatch" | "audience_mismatch" | "missing_claim" | "insufficient_scope" | "revoked_or_inactive" | "dpop_required" | "invalid_request" | "token_in_query" | "unknown";

export type TokenSummary = { token_type: string, expires_in: number | null, scope: string | null, 
/**
 * The tokens the set holds, access token first.
 */
tokens: Array<TokenEntry>, };

export type TokenEntry = { which: TokenKind, format: Format, 
/**
 * JWT and JWE only: decoded header and claims and the ordered checks (see [`shown`]).
 */
report: Report | null, };

export type TokenKind = "access_token" | "refresh_token" | "id_token";

export type Diagnosed = { 
/**
 * The diagnosis, with substituted tokens shown as their placeholders.
 */
diagnosis: JsonValue, 
/**
 * The response diagnosed, as raw HTTP (the one received when the request was sent).
 */
response: string, };

export type Operation = "client_credentials" | "authorization_code" | "device_code" | "refresh_token" | "revoke" | "introspect" | "userinfo";

export type ProbeRequest = { 
/**
 * Default `GET`.
 */
method?: string, url: string, 
/**
 * Headers of the baseline request, as given; not `Authorization` (the probe sets it).
 */
headers: Array<[string, string]>, body?: string, 
/**
 * The valid token…
 */
token: string, 
/**
 * …or a saved session holding it (whose client, if any, also serves for client credentials).
 */
session?: number, 
/**
 * A scope the call needs: the probe then sends a token without it and expects 403.
 */
scope_required?: string, 
/**
 * A client for client credentials (a token now, a narrower one, one to revoke): `issuer`,
 * `client_id`, `client_secret`, or a saved `provider`/`client`. The operation is ignored.
 */
client?: RunRequest, 
/**
 * The user agreed to send to hosts that are not loopback.
 */
confirmed: boolean, 
/**
 * Milliseconds between requests; never less than [`MIN_INTERVAL`].
 */
interval_ms?: number, timeout_secs?: number, };

export type ProbeReport = { session_id: number | null, baseline: Baseline, rows: Array<ProbeRow>, 
/**
 * A failure to save, reported apart from the probe's result.
 */
store_error: string | null, };

export type ProbeRow = { 
/**
 * Stable: `no-token`, `expired-token`, …
 */
id: string, verdict: Verdict, 
/**
 * What a correct API answers.
 */
expected: string, 
/**
 * What came (`401 invalid_token`, `200`, …), or why nothing was sent.
 */
actual: string, explanation: string, spec: string, 
/**
 * The steps (their `seq`) that show it: minting or revoking, and the request itself.
 */
steps: Array<number>, };

export type Baseline = { ok: boolean, actual: string, explanation: string, };

export type Verdict = "secure" | "vulnerable" | "inconclusive";

export type AuditRequest = { issuer: string, timeout_secs?: number, 
/**
 * The user consents to active probes (requests that try what a weak provider allows).
 */
active: boolean, client_id?: string, client_secret: string, 
/**
 * A registered redirect URI (default: a loopback one, `http://127.0.0.1:PORT/callback`).
 */
redirect_uri?: string, 
/**
 * Scopes to ask for (default `openid offline_access`, so refresh rotation can be probed).
 */
scope?: string, login: Login, login_timeout_secs?: number, };

export type AuditReport = { session_id: number | null, issuer: string, 
/**
 * Whether the active probes were run (else they are listed as skipped).
 */
active: boolean, findings: Array<Finding>, store_error: string | null, };

export type Finding = { severity: Severity, steps: Array<number>, id: string, status: CheckStatus, 
/**
 * Static for the common outcomes, so a passing check allocates nothing.
 */
message: string, expected: string | null, actual: string | null, spec: string, 
/**
 * When it failed: a stable code of what is wrong (`bad_signature`, `state_mismatch`, …).
 */
problem: string | null, };

export type Severity = "high" | "medium" | "low" | "info";

export type Attack = "code-interception" | "login-csrf" | "mix-up" | "token-replay" | "alg-none";

export type DemoRequest = { attack: Attack, 
/**
 * The sandbox's issuer.
 */
issuer: string, timeout_secs?: number, };

export type DemoReport = { session_id: number | null, attack: Attack, title: string, parts: Array<DemoPart>, store_error: string | null, };

export type DemoPart = { title: string, 
/**
 * Whether the defence was in place.
 */
defended: boolean, 
/**
 * Whether the attacker got what they wanted.
 */
attack_succeeded: boolean, explanation: string, 
/**
 * The steps (their `seq`) of this part.
 */
steps: Array<number>, };

export type Login = "system_browser" | "in_app" | "paste" | "print";

export type RunRequest = { operation: Operation, 
/**
 * A saved provider by name.
 */
provider?: string, 
/**
 * A saved client of `provider` (default: its only client).
 */
client?: string, 
/**
 * An issuer to discover endpoints from…
 */
issuer?: string, 
/**
 * …or endpoints given by hand.
 */
endpoints: Endpoints, client_id?: string, client_secret: string, auth_method?: AuthMethod, 
/**
 * PEM text of the private key for `private_key_jwt`.
 */
private_key: string, scope?: string, 
/**
 * RFC 8707 resource indicators.
 */
resource: Array<string>, audience?: string, 
/**
 * Extra request parameters, as given.
 */
params: Array<[string, string]>, redirect_uri?: string, pkce?: PkceMethod, login: Login, login_timeout_secs?: number, 
/**
 * The token a token operation acts on (else taken from `session`).
 */
token: string, 
/**
 * `access_token` | `refresh_token` (revoke, introspect).
 */
token_type_hint?: string, 
/**
 * A saved session: re-run it (its settings fill what is not given, and the secret it sent is
 * reused for the same provider only), or take the token of a token operation from it.
 */
session?: number, 
/**
 * Seconds to wait for each HTTP response (default 30).
 */
timeout_secs?: number, };

