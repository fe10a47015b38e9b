// The same flows as flows.test.mjs, against our own sandbox (`oauth-inspector sandbox` as a
// separate process), through the real CLI and the same headless test user; plus the sandbox's
// demo API answering 200/401/403 with RFC 6750 challenges, `token inspect` on its tokens, and the
// same tokens verified by jose against the sandbox's JWKS (so not only our own crate judges them).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { loginAndConsent, enterUserCode } from "./user.mjs";
import { decodeJwt, verifyWithJose } from "./helpers.mjs";
import { CLI, requireCli, runCli } from "./cli.mjs";

const opts = { timeout: 90_000 };
let sandbox;
let issuer;
let tokens; // of the auth-code run, used by the tests after it

before(async () => {
  requireCli();
  sandbox = spawn(CLI, ["sandbox", "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
  issuer = await new Promise((res) => createInterface({ input: sandbox.stdout }).once("line", res));
  assert.match(issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
});
after(() => sandbox?.kill());

const flow = (name, ...args) => runCli(["flow", name, "--issuer", issuer, ...args]);
function assertSucceeded(run) {
  assert.equal(run.code, 0, run.describe());
  assert.equal(run.last("done")?.ok, true, run.describe());
}

test("sandbox: client credentials, basic and post", opts, async () => {
  for (const method of ["client_secret_basic", "client_secret_post"]) {
    const run = await flow("client-credentials", "--client-id", "sandbox-service", "--client-secret", "sandbox-service-secret", "--auth-method", method, "--scope", "orders.read");
    assertSucceeded(run);
    const at = decodeJwt(run.last("tokens").access_token);
    assert.equal(at.header.typ, "at+jwt");
    assert.equal(at.payload.client_id, "sandbox-service");
    assert.equal(at.payload.scope, "orders.read");
    assert.ok(!run.stdout.includes("sandbox-service-secret"));
    const { payload } = await verifyWithJose(run.last("tokens").access_token, { issuer, audience: `${issuer}/api`, typ: "at+jwt", label: `${method} access token` });
    assert.equal(payload.sub, "sandbox-service");
    assert.ok(payload.exp > Date.now() / 1000, "exp is in the future");
  }
});

test("sandbox: jose refuses a sandbox token with a changed payload, another audience or another typ", opts, async () => {
  // Proves verifyWithJose really verifies: the same calls that pass above must throw here.
  const run = await flow("client-credentials", "--client-id", "sandbox-service", "--client-secret", "sandbox-service-secret", "--scope", "orders.read");
  assertSucceeded(run);
  const token = run.last("tokens").access_token;
  const [h, p, sig] = token.split(".");
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, "base64url")), scope: "orders.read orders.write" })).toString("base64url");
  await assert.rejects(verifyWithJose(`${h}.${forged}.${sig}`, { issuer, audience: `${issuer}/api` }), /ERR_JWS_SIGNATURE_VERIFICATION_FAILED/);
  await assert.rejects(verifyWithJose(token, { issuer, audience: "sandbox-app" }), /ERR_JWT_CLAIM_VALIDATION_FAILED.*aud/);
  await assert.rejects(verifyWithJose(token, { issuer, audience: `${issuer}/api`, typ: "JWT" }), /typ/);
});

test("sandbox: auth code + PKCE S256, openid profile email offline_access orders.read", opts, async () => {
  const run = await runCli(["flow", "auth-code", "--issuer", issuer, "--client-id", "sandbox-app", "--scope", "openid profile email offline_access orders.read", "--no-browser"], {
    onAction: (ev) => loginAndConsent(ev.url, { username: "erin", stopAt: new URL(ev.url).searchParams.get("redirect_uri") }),
  });
  assertSucceeded(run);
  const url = new URL(run.of("action")[0].url);
  assert.equal(url.searchParams.get("code_challenge_method"), "S256");
  assert.ok(url.searchParams.get("nonce"), "nonce sent for openid");
  assert.equal(run.actionResults[0].callbackStatus, 200, "the loopback listener thanked the browser");
  tokens = run.last("tokens");
  assert.ok(tokens.refresh_token && tokens.id_token);
  const id = decodeJwt(tokens.id_token).payload;
  assert.equal(id.sub, "erin");
  assert.equal(id.email, "erin@sandbox.example");
  assert.equal(id.nonce, url.searchParams.get("nonce"));
  await verifyWithJose(tokens.id_token, { issuer, audience: "sandbox-app", nonce: url.searchParams.get("nonce"), label: "ID token" });
  await assert.rejects(verifyWithJose(tokens.id_token, { issuer, audience: "sandbox-app", nonce: "another-nonce" }), /nonce is/);
  const at = await verifyWithJose(tokens.access_token, { issuer, audience: `${issuer}/api`, typ: "at+jwt", label: "access token" });
  assert.equal(at.payload.sub, "erin");
  assert.equal(at.payload.client_id, "sandbox-app");
  const callback = run.of("step").find((s) => s.title === "Authorization response received");
  assert.equal(callback.status, "ok");
  assert.ok(callback.details.checks.some((c) => c.id === "iss" && c.status === "pass"), "RFC 9207 iss checked");
});

test("sandbox: token inspect validates the access and ID tokens against the sandbox's JWKS", opts, async () => {
  assert.ok(tokens, "needs the auth-code run");
  const at = await runCli(["token", "inspect", tokens.access_token, "--issuer", issuer, "--audience", `${issuer}/api`, "--scope", "orders.read"]);
  const report = JSON.parse(at.stdout);
  assert.equal(report.valid, true, at.stdout);
  assert.equal(at.code, 0);
  const wrongScope = await runCli(["token", "inspect", tokens.access_token, "--issuer", issuer, "--scope", "orders.write"]);
  assert.equal(wrongScope.code, 1);
  assert.deepEqual(JSON.parse(wrongScope.stdout).problems, ["insufficient_scope"]);
  const id = await runCli(["token", "inspect", tokens.id_token, "--issuer", issuer, "--client-id", "sandbox-app", "--access-token", tokens.access_token]);
  assert.equal(JSON.parse(id.stdout).valid, true, id.stdout);
});

test("sandbox: the demo API answers 200, 401 and 403 with RFC 6750 challenges", opts, async () => {
  const call = (method, token) => fetch(`${issuer}/api/orders`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const ok = await call("GET", tokens.access_token);
  assert.equal(ok.status, 200);
  assert.equal((await ok.json()).caller.sub, "erin");
  const missing = await call("GET");
  assert.equal(missing.status, 401);
  assert.equal(missing.headers.get("www-authenticate"), 'Bearer realm="sandbox-api"');
  const forbidden = await call("POST", tokens.access_token);
  assert.equal(forbidden.status, 403);
  assert.match(forbidden.headers.get("www-authenticate"), /error="insufficient_scope".*scope="orders\.write"/);
});

test("sandbox: refresh rotates, userinfo answers, introspect then revoke", opts, async () => {
  const refreshed = await flow("refresh", "--client-id", "sandbox-app", "--token", tokens.refresh_token);
  assertSucceeded(refreshed);
  const fresh = refreshed.last("tokens");
  assert.notEqual(fresh.refresh_token, tokens.refresh_token);
  assert.ok(refreshed.of("step").some((s) => s.title.startsWith("The server rotated the refresh token")));
  const info = await flow("userinfo", "--client-id", "sandbox-app", "--token", fresh.access_token);
  assertSucceeded(info);
  assert.equal(JSON.parse(info.of("step").at(-1).response.body).sub, "erin");

  const svc = ["--client-id", "sandbox-service", "--client-secret", "sandbox-service-secret"];
  const active = await flow("introspect", ...svc, "--token", fresh.access_token);
  assertSucceeded(active);
  assert.ok(active.of("step").some((s) => s.title === "The token is active"));
  assertSucceeded(await flow("revoke", "--client-id", "sandbox-app", "--token", fresh.access_token));
  const inactive = await flow("introspect", ...svc, "--token", fresh.access_token);
  assert.ok(inactive.of("step").some((s) => s.title.startsWith("The token is NOT active")), inactive.describe());

  // The rotated-out refresh token is refused, and its replay revokes the grant: the new one too.
  const replay = await flow("refresh", "--client-id", "sandbox-app", "--token", tokens.refresh_token);
  assert.equal(replay.code, 1, "the rotated-out refresh token is refused");
  const after = await flow("refresh", "--client-id", "sandbox-app", "--token", fresh.refresh_token);
  assert.equal(after.code, 1, "reuse detected: the grant is revoked");
});

test("sandbox: device flow, the user enters the code on the verification page", opts, async () => {
  const run = await runCli(["flow", "device", "--issuer", issuer, "--client-id", "sandbox-device", "--scope", "openid offline_access"], {
    onAction: (ev) => enterUserCode(ev.verification_uri_complete, { userCode: ev.user_code, username: "frank" }),
  });
  assertSucceeded(run);
  const action = run.of("action")[0];
  assert.equal(action.kind, "enter_user_code");
  assert.match(action.user_code, /^[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}$/);
  assert.equal(decodeJwt(run.last("tokens").access_token).payload.sub, "frank");
  assert.ok(run.of("step").filter((s) => s.title.startsWith("Poll #")).length >= 1, "each poll is a step");
});

// `--pkce plain` and `--pkce none` exist to show why not: each run must say so in a Warning step
// before the authorization request goes out, whatever the server then does with it. The strict
// sandbox refuses both from its public client (plain only passes with the trainer's
// pkce-plain-accepted, see crates/engine/tests/flows.rs).
for (const [pkce, risk] of [
  ["plain", /PKCE plain.*DEMONSTRATION ONLY.*challenge equals the verifier/],
  ["none", /PKCE OFF.*DEMONSTRATION ONLY.*stolen authorization code/],
]) {
  test(`sandbox: auth code with --pkce ${pkce} records a warning step naming the risk`, opts, async () => {
    const run = await runCli(["flow", "auth-code", "--issuer", issuer, "--client-id", "sandbox-app", "--scope", "openid", "--pkce", pkce, "--no-browser"], {
      onAction: (ev) => loginAndConsent(ev.url, { username: "erin", stopAt: new URL(ev.url).searchParams.get("redirect_uri") }),
    });
    const steps = run.of("step");
    const warnings = steps.filter((s) => s.status === "warning");
    assert.equal(warnings.length, 1, `one warning step expected:\n${run.describe()}`);
    const [warning] = warnings;
    assert.equal(warning.kind, "local");
    assert.match(warning.title, risk);
    assert.match(warning.title, /RFC 9700/);
    // Recorded before anything is asked of the server.
    const authorize = steps.find((s) => s.title.startsWith("Authorization request"));
    assert.ok(authorize && warning.seq < authorize.seq, `the warning precedes the authorization request:\n${run.describe()}`);
    const url = new URL(run.of("action")[0].url);

    if (pkce === "plain") {
      assert.equal(url.searchParams.get("code_challenge_method"), "plain");
      assert.equal(warning.details.code_challenge_method, "plain");
    } else {
      assert.equal(url.searchParams.get("code_challenge"), null, "no challenge sent");
      assert.equal(warning.details.pkce, "none");
    }
    // Refused: the run fails on the authorization response, and the warning is still in the record before it.
    assert.equal(run.code, 1, run.describe());
    assert.equal(run.last("done")?.ok, false);
    const refusal = steps.find((s) => s.status === "failed");
    assert.equal(refusal?.title, "Authorization response received", run.describe());
    assert.equal(refusal.details.parameters.error, "invalid_request");
    assert.match(refusal.details.parameters.error_description, pkce === "plain" ? /plain is refused/ : /PKCE is required/);
    assert.ok(warning.seq < refusal.seq, "the warning comes before the refusal");
  });
}

// ---- the provider audit against the sandbox with trainer switches on ----

async function startSandbox(switches) {
  const proc = spawn(CLI, ["sandbox", "--port", "0", "--trainer", switches.join(",")], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: proc.stdout });
  const url = await new Promise((res) => lines.once("line", res));
  return { proc, url };
}

async function auditUser(event) {
  assert.equal(event.kind, "open_url");
  const redirectUri = new URL(event.url).searchParams.get("redirect_uri");
  return loginAndConsent(event.url, { username: "alice", stopAt: redirectUri });
}

for (const [switches, failing] of [
  [["pkce-plain-accepted", "any-redirect-uri", "codes-reusable", "refresh-not-rotated"], ["pkce-plain-refused", "redirect-uri-exact", "code-single-use", "refresh-rotation"]],
  [["pkce-not-enforced", "wrong-state", "iss-missing", "expired-tokens"], ["pkce-enforced", "state-echoed", "iss-in-response", "token-lifetimes"]],
]) {
  test(`audit provider --active: the sandbox with ${switches.join(", ")} fails exactly those probes`, opts, async () => {
    const sb = await startSandbox(switches);
    try {
      const run = await runCli(["audit", "provider", "--issuer", sb.url, "--active", "--client-id", "sandbox-app", "--no-browser", "--login-timeout", "20"], { onAction: auditUser });
      assert.equal(run.code, 1, run.describe());
      const report = run.last("report");
      const failed = report.checks.filter((c) => c.verdict === "fail").map((c) => c.id).sort();
      assert.deepEqual(failed, [...failing].sort(), run.describe());
    } finally {
      sb.proc.kill();
    }
  });
}

test("audit provider --active: the strict sandbox shows no failure", opts, async () => {
  const run = await runCli(["audit", "provider", "--issuer", issuer, "--active", "--client-id", "sandbox-app", "--no-browser", "--login-timeout", "20"], { onAction: auditUser });
  assert.equal(run.code, 0, run.describe());
  assert.deepEqual(run.last("report").checks.filter((c) => c.verdict !== "pass").map((c) => c.id), []);
});
