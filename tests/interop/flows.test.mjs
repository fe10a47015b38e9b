// The real CLI against a real third-party authorization server (oidc-provider), one per file.
// Tests run in order and later ones reuse the tokens of the auth-code run (refresh, userinfo,
// introspect, revoke), like a person would. A missing CLI binary fails every test.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startProvider, RESOURCE, SECRETS, JWT_CLIENT_KEY } from "./provider.mjs";
import { loginAndConsent, enterUserCode } from "./user.mjs";
import { decodeJwt, discover } from "./helpers.mjs";
import { requireCli, lastStepTo, responseJson, runCli } from "./cli.mjs";

const opts = { timeout: 90_000 };
let op;
let meta;
let session = {}; // tokens of the auth-code run, used by the tests after it

before(async () => {
  requireCli();
  op = await startProvider();
  meta = await discover(op.issuer);
});
after(() => op?.close());

const flow = (name, ...args) => runCli(["flow", name, "--issuer", op.issuer, ...args]);

function assertSucceeded(run) {
  assert.equal(run.code, 0, run.describe());
  assert.equal(run.last("done")?.ok, true, run.describe());
  assert.equal(run.of("error").length, 0, run.describe());
}

function assertAtJwt(accessToken, { scope, sub }) {
  const at = decodeJwt(accessToken);
  assert.equal(at.header.typ, "at+jwt", "RFC 9068 header");
  assert.equal(at.payload.aud, RESOURCE);
  assert.equal(at.payload.iss, op.issuer);
  if (scope) assert.equal(at.payload.scope, scope);
  if (sub) assert.equal(at.payload.sub, sub);
}

/** The test user: logs in at the URL the CLI prints and lets the redirect reach its listener. */
async function userAtBrowser(event) {
  assert.equal(event.kind, "open_url");
  const redirectUri = new URL(event.url).searchParams.get("redirect_uri");
  return loginAndConsent(event.url, { username: "alice", stopAt: redirectUri });
}

async function authCode(...args) {
  const run = await runCli(["flow", "auth-code", "--issuer", op.issuer, "--client-id", "interop-app", "--no-browser", ...args], { onAction: userAtBrowser });
  const open = run.of("action").find((a) => a.kind === "open_url");
  assert.ok(open, `expected an open_url action\n${run.describe()}`);
  return { run, authorize: open && new URL(open.url), callback: run.actionResults[0] };
}

// ---- client credentials ----

test("client credentials, client_secret_basic, with a resource: an at+jwt access token", opts, async () => {
  const secret = SECRETS["interop-service"];
  const run = await flow("client-credentials", "--client-id", "interop-service", "--client-secret", secret, "--scope", "api.read api.write", "--resource", RESOURCE);
  assertSucceeded(run);
  const tokens = run.last("tokens");
  assert.equal(tokens.token_type, "Bearer");
  assert.ok(tokens.expires_in > 0);
  assert.equal(tokens.scope, "api.read api.write");
  assert.equal(tokens.refresh_token ?? undefined, undefined);
  assertAtJwt(tokens.access_token, { scope: "api.read api.write", sub: "interop-service" });
  const step = lastStepTo(run, meta.token_endpoint);
  assert.equal(step.response.status, 200);
  assert.ok(step.request.headers.some(([k]) => k.toLowerCase() === "authorization"), "Basic credentials in the header");
  assert.ok(!run.stdout.includes(secret), "the client secret is never printed");
});

test("client credentials, client_secret_post: credentials in the body, secret redacted", opts, async () => {
  const secret = SECRETS["interop-service-post"];
  const run = await flow("client-credentials", "--client-id", "interop-service-post", "--client-secret", secret, "--auth-method", "client_secret_post", "--scope", "api.read", "--resource", RESOURCE);
  assertSucceeded(run);
  assertAtJwt(run.last("tokens").access_token, { scope: "api.read" });
  const body = new URLSearchParams(lastStepTo(run, meta.token_endpoint).request.body);
  assert.equal(body.get("client_id"), "interop-service-post");
  assert.ok(body.has("client_secret"));
  assert.ok(!run.stdout.includes(secret), "the client secret is never printed");
});

test("client credentials, private_key_jwt with the fixture key", opts, async () => {
  const run = await flow("client-credentials", "--client-id", "interop-jwt", "--auth-method", "private_key_jwt", "--private-key", JWT_CLIENT_KEY, "--scope", "api.read", "--resource", RESOURCE);
  assertSucceeded(run);
  assertAtJwt(run.last("tokens").access_token, { sub: "interop-jwt" });
  const body = new URLSearchParams(lastStepTo(run, meta.token_endpoint).request.body);
  assert.equal(body.get("client_assertion_type"), "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
  assert.ok(body.get("client_assertion"), "an assertion was sent");
});

test("client credentials with a wrong secret: exit 1, an error event, done not ok", opts, async () => {
  const run = await flow("client-credentials", "--client-id", "interop-service", "--client-secret", "wrong-secret", "--resource", RESOURCE);
  assert.equal(run.code, 1, run.describe());
  assert.equal(run.last("done")?.ok, false);
  assert.ok(run.of("error").length >= 1, run.describe());
  assert.equal(lastStepTo(run, meta.token_endpoint).response.status, 401);
  assert.equal(responseJson(lastStepTo(run, meta.token_endpoint)).error, "invalid_client");
});

// ---- authorization code + PKCE, then the token tools on its tokens ----

test("auth code + PKCE S256 with openid offline_access: id_token and refresh_token", opts, async () => {
  const { run, authorize, callback } = await authCode("--scope", "openid profile email offline_access", "--pkce", "S256");
  assertSucceeded(run);
  assert.equal(authorize.searchParams.get("code_challenge_method"), "S256");
  assert.ok(authorize.searchParams.get("code_challenge"));
  assert.ok(authorize.searchParams.get("state"), "a state is sent");
  assert.match(authorize.searchParams.get("redirect_uri"), /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
  assert.equal(callback.callbackStatus, 200, "the CLI's loopback listener answered the redirect");

  const tokens = run.last("tokens");
  assert.equal(tokens.token_type, "Bearer");
  assert.ok(tokens.access_token);
  assert.ok(tokens.refresh_token, "refresh token issued");
  assert.ok(tokens.id_token, "id_token with openid");
  const idToken = decodeJwt(tokens.id_token).payload;
  assert.equal(idToken.iss, op.issuer);
  assert.equal(idToken.aud, "interop-app");
  assert.equal(idToken.sub, "alice");
  session = { ...tokens, sub: idToken.sub };
});

test("auth code with an explicit loopback redirect URI on a port of our choosing", opts, async () => {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const redirectUri = `http://127.0.0.1:${port}/callback`;
  const { run, authorize } = await authCode("--scope", "openid", "--redirect-uri", redirectUri);
  assertSucceeded(run);
  assert.equal(authorize.searchParams.get("redirect_uri"), redirectUri);
  assert.ok(run.last("tokens").id_token);
});

test("auth code with a resource: an at+jwt access token for the API", opts, async () => {
  const { run, authorize } = await authCode("--scope", "openid api.read", "--resource", RESOURCE);
  assertSucceeded(run);
  assert.equal(authorize.searchParams.get("resource"), RESOURCE);
  assertAtJwt(run.last("tokens").access_token, { scope: "api.read", sub: "alice" });
});

test("auth code with plain PKCE: oidc-provider only allows S256, the flow fails with exit 1", opts, async () => {
  const { run, authorize } = await authCode("--scope", "openid", "--pkce", "plain");
  assert.equal(authorize.searchParams.get("code_challenge_method"), "plain");
  assert.equal(run.code, 1, run.describe());
  assert.equal(run.last("done")?.ok, false);
  assert.ok(run.of("error").length >= 1);
  // The run said why not before oidc-provider refused it.
  const steps = run.of("step");
  const warning = steps.find((s) => s.status === "warning");
  assert.match(warning?.title ?? "", /PKCE plain.*DEMONSTRATION ONLY/, run.describe());
  const refusal = steps.find((s) => s.status === "failed");
  assert.ok(refusal && warning.seq < refusal.seq, `the warning precedes the refusal:\n${run.describe()}`);
});

test("refresh: a new access token and a rotated refresh token", opts, async () => {
  assert.ok(session.refresh_token, "needs the auth-code test's tokens");
  const run = await flow("refresh", "--client-id", "interop-app", "--token", session.refresh_token);
  assertSucceeded(run);
  const tokens = run.last("tokens");
  assert.ok(tokens.access_token);
  assert.notEqual(tokens.access_token, session.access_token);
  assert.ok(tokens.refresh_token);
  assert.notEqual(tokens.refresh_token, session.refresh_token, "rotated");
  session = { ...session, access_token: tokens.access_token, refresh_token: tokens.refresh_token };
});

test("userinfo: sub equals the id_token's sub", opts, async () => {
  assert.ok(session.access_token, "needs the auth-code test's tokens");
  const run = await flow("userinfo", "--client-id", "interop-app", "--token", session.access_token);
  assertSucceeded(run);
  const step = lastStepTo(run, meta.userinfo_endpoint);
  assert.equal(step.response.status, 200);
  const claims = responseJson(step);
  assert.equal(claims.sub, session.sub);
  assert.equal(claims.email, "alice@example.test");
});

const introspect = (token, hint = "access_token") => flow("introspect", "--client-id", "interop-introspector", "--client-secret", SECRETS["interop-introspector"], "--token", token, "--token-type-hint", hint);

test("introspect: the access token is active", opts, async () => {
  assert.ok(session.access_token, "needs the auth-code test's tokens");
  const run = await introspect(session.access_token);
  assertSucceeded(run);
  const info = responseJson(lastStepTo(run, meta.introspection_endpoint));
  assert.equal(info.active, true);
  assert.equal(info.client_id, "interop-app");
  assert.equal(info.sub, session.sub);
  assert.ok(!run.stdout.includes(SECRETS["interop-introspector"]));
});

test("revoke, then introspect: inactive", opts, async () => {
  assert.ok(session.access_token, "needs the auth-code test's tokens");
  const run = await flow("revoke", "--client-id", "interop-app", "--token", session.access_token, "--token-type-hint", "access_token");
  assertSucceeded(run);
  assert.equal(lastStepTo(run, meta.revocation_endpoint).response.status, 200);
  const after = await introspect(session.access_token);
  assert.equal(after.code, 0, after.describe());
  assert.equal(responseJson(lastStepTo(after, meta.introspection_endpoint)).active, false);
});

test("revoke the refresh token, then refreshing with it fails with exit 1", opts, async () => {
  assert.ok(session.refresh_token, "needs the auth-code test's tokens");
  const revoke = await flow("revoke", "--client-id", "interop-app", "--token", session.refresh_token, "--token-type-hint", "refresh_token");
  assertSucceeded(revoke);
  const run = await flow("refresh", "--client-id", "interop-app", "--token", session.refresh_token);
  assert.equal(run.code, 1, run.describe());
  assert.equal(responseJson(lastStepTo(run, meta.token_endpoint)).error, "invalid_grant");
});

// ---- device authorization grant ----

test("device flow: user code entered by the test user, CLI polls to tokens", opts, async () => {
  const run = await runCli(["flow", "device", "--issuer", op.issuer, "--client-id", "interop-device", "--scope", "openid offline_access"], {
    onAction: async (event) => {
      assert.equal(event.kind, "enter_user_code");
      assert.ok(event.user_code && event.verification_uri);
      return enterUserCode(event.verification_uri_complete ?? event.verification_uri, { userCode: event.user_code, username: "carol" });
    },
  });
  assertSucceeded(run);
  assert.match(run.actionResults[0].text, /Sign-in Success/);
  const tokens = run.last("tokens");
  assert.ok(tokens.access_token);
  assert.ok(tokens.refresh_token);
  assert.equal(decodeJwt(tokens.id_token).payload.sub, "carol");
  const polls = run.of("step").filter((s) => s.kind === "http" && s.request.url === meta.token_endpoint);
  assert.ok(polls.length >= 1);
});

test("audit provider: oidc-provider in this configuration shows no failure (a strict provider)", opts, async () => {
  const run = await runCli(["audit", "provider", "--issuer", op.issuer]);
  assert.equal(run.code, 0, run.describe());
  const report = run.last("report");
  assert.ok(report, run.describe());
  const fails = report.checks.filter((c) => c.verdict === "fail");
  assert.deepEqual(fails, [], "no failure against a strict provider");
  const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
  for (const id of ["issuer-matches", "pkce-s256", "password-grant", "alg-none", "jwks-keys"]) {
    assert.equal(byId[id]?.verdict, "pass", `${id}: ${JSON.stringify(byId[id])}`);
  }
  assert.ok(byId["https-endpoints"].explanation.includes("loopback"), "loopback http is noted, not failed");
});

/** The test user for an active audit: every sign-in it is asked for. */
async function auditUser(event) {
  assert.equal(event.kind, "open_url");
  const redirectUri = new URL(event.url).searchParams.get("redirect_uri");
  return loginAndConsent(event.url, { username: "alice", stopAt: redirectUri });
}

const auditActive = (issuer) =>
  runCli(["audit", "provider", "--issuer", issuer, "--active", "--client-id", "interop-app", "--no-browser", "--login-timeout", "30"], { onAction: auditUser });

const ACTIVE_IDS = ["pkce-enforced", "pkce-plain-refused", "redirect-uri-exact", "state-echoed", "iss-in-response", "code-single-use", "refresh-rotation", "token-lifetimes"];

test("audit provider --active: the strict oidc-provider passes every active probe", opts, async () => {
  const run = await auditActive(op.issuer);
  assert.equal(run.code, 0, run.describe());
  assert.ok(run.of("action").length >= 1, "the user was asked to sign in");
  const report = run.last("report");
  assert.equal(report.active, true);
  const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
  for (const id of ACTIVE_IDS) {
    assert.equal(byId[id]?.verdict, "pass", `${id}: ${JSON.stringify(byId[id])}`);
    assert.ok(byId[id].steps.length > 0, `${id} has evidence`);
  }
  // stdout: only action lines, then exactly one report line.
  const types = run.events.map((e) => e.type);
  assert.equal(types.at(-1), "report", run.describe());
  assert.ok(types.slice(0, -1).every((t) => t === "action"), run.describe());
});

test("audit provider --active: a lax oidc-provider shows PKCE not enforced, refresh not rotated, day-long tokens", opts, async () => {
  const lax = await startProvider({ lax: true });
  try {
    const run = await auditActive(lax.issuer);
    assert.equal(run.code, 1, run.describe());
    const byId = Object.fromEntries(run.last("report").checks.map((c) => [c.id, c]));
    assert.equal(byId["pkce-enforced"].verdict, "fail", JSON.stringify(byId["pkce-enforced"]));
    assert.equal(byId["refresh-rotation"].verdict, "fail", JSON.stringify(byId["refresh-rotation"]));
    assert.equal(byId["token-lifetimes"].verdict, "warn", JSON.stringify(byId["token-lifetimes"]));
    for (const id of ["redirect-uri-exact", "code-single-use", "state-echoed", "iss-in-response"]) {
      assert.equal(byId[id].verdict, "pass", `${id} is not weakened: ${JSON.stringify(byId[id])}`);
    }
  } finally {
    await lax.close();
  }
});
