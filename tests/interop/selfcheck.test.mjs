// Proves the harness (provider.mjs + user.mjs) against oidc-provider without our CLI: every flow
// the CLI tests rely on is done here by hand, so a CLI test failure is the CLI's, not the harness's.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { startProvider, RESOURCE, SECRETS, JWT_CLIENT_KEY } from "./provider.mjs";
import { loginAndConsent, enterUserCode } from "./user.mjs";
import { callbackListener, clientAssertion, decodeJwt, discover, isJwt, pkcePair, postForm } from "./helpers.mjs";

let op;
let meta;
before(async () => {
  op = await startProvider();
  meta = await discover(op.issuer);
});
after(() => op?.close());

const introspector = ["interop-introspector", SECRETS["interop-introspector"]];

/** Auth code + PKCE S256 as a native app would do it; returns the token response. */
async function authCode({ scope, authorizeExtra = {}, tokenExtra = {} }) {
  const cb = await callbackListener();
  try {
    const { verifier, challenge } = pkcePair();
    const authorize = new URL(meta.authorization_endpoint);
    authorize.search = new URLSearchParams({
      client_id: "interop-app", response_type: "code", redirect_uri: cb.redirectUri, scope,
      state: "st-123", code_challenge: challenge, code_challenge_method: "S256", ...authorizeExtra,
    });
    const result = await loginAndConsent(authorize.href, { username: "alice", stopAt: cb.redirectUri });
    assert.equal(result.callbackStatus, 200);
    assert.equal(result.callbackBody, "callback received");
    const hit = await cb.hit; // the listener really got the redirect
    assert.equal(hit.searchParams.get("state"), "st-123");
    assert.equal(hit.searchParams.get("iss"), op.issuer, "RFC 9207 iss in the authorization response");
    const code = hit.searchParams.get("code");
    assert.ok(code, `expected a code in ${hit}`);
    const token = await postForm(meta.token_endpoint, {
      grant_type: "authorization_code", code, redirect_uri: cb.redirectUri, client_id: "interop-app", code_verifier: verifier, ...tokenExtra,
    });
    assert.equal(token.status, 200, JSON.stringify(token.body));
    return token.body;
  } finally {
    await cb.close();
  }
}

test("discovery advertises what the CLI tests use", () => {
  assert.equal(meta.issuer, op.issuer);
  assert.deepEqual(meta.code_challenge_methods_supported, ["S256"]);
  for (const k of ["device_authorization_endpoint", "introspection_endpoint", "revocation_endpoint", "userinfo_endpoint"]) assert.ok(meta[k], k);
});

test("auth code + PKCE S256: id_token, refresh rotation, userinfo, introspection, revocation", async () => {
  const t = await authCode({ scope: "openid profile email offline_access", authorizeExtra: { prompt: "consent" } });
  assert.equal(t.token_type, "Bearer");
  assert.ok(!isJwt(t.access_token), "without a resource the access token is opaque");
  assert.ok(t.refresh_token);
  assert.match(t.scope, /openid/);
  assert.match(t.scope, /offline_access/);
  const idToken = decodeJwt(t.id_token);
  assert.equal(idToken.payload.sub, "alice");
  assert.equal(idToken.payload.aud, "interop-app");
  assert.equal(idToken.payload.email, "alice@example.test");

  const ui = await fetch(meta.userinfo_endpoint, { headers: { authorization: `Bearer ${t.access_token}` } });
  assert.equal(ui.status, 200);
  assert.equal((await ui.json()).sub, idToken.payload.sub);

  const refreshed = await postForm(meta.token_endpoint, { grant_type: "refresh_token", refresh_token: t.refresh_token, client_id: "interop-app" });
  assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
  assert.ok(refreshed.body.refresh_token);
  assert.notEqual(refreshed.body.refresh_token, t.refresh_token, "refresh token rotated");
  const at = refreshed.body.access_token;
  let info = await postForm(meta.introspection_endpoint, { token: at, token_type_hint: "access_token" }, { basic: introspector });
  assert.equal(info.status, 200);
  assert.equal(info.body.active, true);
  assert.equal(info.body.client_id, "interop-app");
  assert.equal(info.body.sub, "alice");

  // A public client revokes its own token (no secret), then the introspector sees it inactive.
  const revoked = await postForm(meta.revocation_endpoint, { token: at, token_type_hint: "access_token", client_id: "interop-app" });
  assert.equal(revoked.status, 200);
  info = await postForm(meta.introspection_endpoint, { token: at }, { basic: introspector });
  assert.deepEqual(info.body, { active: false });

  // Replaying a rotated refresh token is treated as theft: the whole grant is revoked.
  const reused = await postForm(meta.token_endpoint, { grant_type: "refresh_token", refresh_token: t.refresh_token, client_id: "interop-app" });
  assert.equal(reused.body.error, "invalid_grant");
  info = await postForm(meta.introspection_endpoint, { token: refreshed.body.refresh_token }, { basic: introspector });
  assert.equal(info.body.active, false, "the newest refresh token died with the grant");
});

test("auth code with offline_access but no prompt=consent: offline_access dropped, refresh token still issued", async () => {
  const t = await authCode({ scope: "openid offline_access" });
  assert.ok(t.refresh_token);
  assert.equal(t.scope, "openid", "oidc-provider drops offline_access without prompt=consent");
});

test("auth code with a resource: RFC 9068 JWT access token when the token request names it", async () => {
  const t = await authCode({
    scope: "openid api.read", authorizeExtra: { resource: RESOURCE }, tokenExtra: { resource: RESOURCE },
  });
  assert.ok(isJwt(t.access_token));
  const at = decodeJwt(t.access_token);
  assert.equal(at.header.typ, "at+jwt");
  assert.equal(at.payload.aud, RESOURCE);
  assert.equal(at.payload.scope, "api.read");
  assert.equal(at.payload.client_id, "interop-app");
  assert.equal(at.payload.sub, "alice");
  assert.equal(t.scope, "api.read", "the scope returned is the resource's, openid is not in it");
  assert.ok(t.id_token);
});

test("auth code with a resource only at authorize + openid: opaque token for userinfo", async () => {
  const t = await authCode({ scope: "openid api.read", authorizeExtra: { resource: RESOURCE } });
  assert.ok(!isJwt(t.access_token));
  assert.equal(t.scope, "openid api.read");
  const ui = await fetch(meta.userinfo_endpoint, { headers: { authorization: `Bearer ${t.access_token}` } });
  assert.equal(ui.status, 200);
});

test("any loopback port is accepted for the native client, localhost is not", async () => {
  const authorize = (redirect_uri) => `${meta.authorization_endpoint}?${new URLSearchParams({
    client_id: "interop-app", response_type: "code", redirect_uri, scope: "openid", code_challenge: pkcePair().challenge, code_challenge_method: "S256",
  })}`;
  const ok = await fetch(authorize("http://127.0.0.1:54321/callback"), { redirect: "manual" });
  assert.equal(ok.status, 303);
  assert.match(ok.headers.get("location"), /\/interaction\//);
  const bad = await fetch(authorize("http://localhost:54321/callback"), { redirect: "manual" });
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /redirect_uri did not match/);
});

test("PKCE is required for the public client", async () => {
  const res = await fetch(`${meta.authorization_endpoint}?${new URLSearchParams({
    client_id: "interop-app", response_type: "code", redirect_uri: "http://127.0.0.1:5000/callback", scope: "openid",
  })}`, { redirect: "manual" });
  const loc = new URL(res.headers.get("location"));
  assert.equal(loc.searchParams.get("error"), "invalid_request");
  assert.match(loc.searchParams.get("error_description"), /PKCE/);
});

test("client credentials: basic, post and private_key_jwt with a resource give at+jwt", async () => {
  const params = { grant_type: "client_credentials", scope: "api.read api.write", resource: RESOURCE };
  const basic = await postForm(meta.token_endpoint, params, { basic: ["interop-service", SECRETS["interop-service"]] });
  const post = await postForm(meta.token_endpoint, { ...params, client_id: "interop-service-post", client_secret: SECRETS["interop-service-post"] });
  const jwt = await postForm(meta.token_endpoint, {
    ...params, client_id: "interop-jwt",
    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    client_assertion: clientAssertion(JWT_CLIENT_KEY, "interop-jwt", op.issuer),
  });
  for (const [name, r] of Object.entries({ basic, post, jwt })) {
    assert.equal(r.status, 200, `${name}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.token_type, "Bearer");
    assert.equal(r.body.scope, "api.read api.write");
    assert.equal(r.body.refresh_token, undefined);
    const at = decodeJwt(r.body.access_token);
    assert.equal(at.header.typ, "at+jwt", name);
    assert.equal(at.payload.aud, RESOURCE);
  }
  assert.equal(decodeJwt(jwt.body.access_token).payload.client_id, "interop-jwt");
});

test("client credentials: wrong secret is invalid_client, unknown resource is invalid_target", async () => {
  const wrong = await postForm(meta.token_endpoint, { grant_type: "client_credentials" }, { basic: ["interop-service", "nope"] });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.error, "invalid_client");
  const target = await postForm(meta.token_endpoint, { grant_type: "client_credentials", resource: "urn:other" }, { basic: ["interop-service", SECRETS["interop-service"]] });
  assert.equal(target.status, 400);
  assert.equal(target.body.error, "invalid_target");
});

test("client credentials without a resource: opaque token, introspectable", async () => {
  const r = await postForm(meta.token_endpoint, { grant_type: "client_credentials", scope: "api.read" }, { basic: ["interop-service", SECRETS["interop-service"]] });
  assert.equal(r.status, 200);
  assert.ok(!isJwt(r.body.access_token));
  const info = await postForm(meta.introspection_endpoint, { token: r.body.access_token }, { basic: introspector });
  assert.equal(info.body.active, true);
  assert.equal(info.body.client_id, "interop-service");
  assert.equal(info.body.scope, "api.read");
});

test("JWT access tokens cannot be introspected (oidc-provider refuses structured tokens)", async () => {
  const r = await postForm(meta.token_endpoint, { grant_type: "client_credentials", resource: RESOURCE }, { basic: ["interop-service", SECRETS["interop-service"]] });
  const info = await postForm(meta.introspection_endpoint, { token: r.body.access_token }, { basic: introspector });
  assert.equal(info.status, 400);
  assert.equal(info.body.error, "unsupported_token_type");
});

for (const mode of ["verification_uri_complete", "verification_uri + user_code"]) {
  test(`device flow via ${mode}, with polling`, async () => {
    const start = await postForm(meta.device_authorization_endpoint, { client_id: "interop-device", scope: "openid offline_access" });
    assert.equal(start.status, 200, JSON.stringify(start.body));
    const { device_code, user_code, verification_uri, verification_uri_complete, interval } = start.body;
    assert.ok(device_code && user_code && verification_uri && verification_uri_complete);
    const poll = () => postForm(meta.token_endpoint, { grant_type: "urn:ietf:params:oauth:grant-type:device_code", device_code, client_id: "interop-device" });

    assert.equal((await poll()).body.error, "authorization_pending");
    const page = mode === "verification_uri_complete"
      ? await enterUserCode(verification_uri_complete, { username: "bob" })
      : await enterUserCode(verification_uri, { userCode: user_code, username: "bob" });
    assert.match(page.text, /Sign-in Success/);

    let token;
    for (let i = 0; i < 10 && !token; i++) {
      const r = await poll();
      if (r.status === 200) token = r.body;
      else if (r.body.error === "slow_down") await new Promise((res) => setTimeout(res, (interval ?? 5) * 1000));
      else assert.fail(`unexpected poll answer ${JSON.stringify(r.body)}`);
    }
    assert.ok(token.access_token);
    assert.ok(token.refresh_token);
    assert.equal(decodeJwt(token.id_token).payload.sub, "bob");
  });
}

test("device flow: a wrong user code is reported, not looped on", async () => {
  await assert.rejects(enterUserCode(`${op.issuer}/device`, { userCode: "BCDF-GHJK" }), /same form again|incorrect/);
});

test("user.mjs also drives plain forms: username login, then an Allow/Deny consent", async () => {
  // A stand-in for our own sandbox's pages: one login form, one consent form with two buttons.
  const seen = [];
  const server = http.createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    seen.push(`${req.method} ${req.url} ${body}`);
    const page = (html) => res.writeHead(200, { "content-type": "text/html" }).end(`<html><body>${html}</body></html>`);
    if (req.url.startsWith("/authorize")) return page(`<form method="post" action="/login"><input type="hidden" name="req" value="r1"><input name="username"><button>Log in</button></form>`);
    if (req.url === "/login") return res.writeHead(302, { location: "/consent", "set-cookie": "sid=s1; Path=/; HttpOnly" }).end();
    if (req.url === "/consent") return page(`<form method="post" action="/decide"><button name="decision" value="deny">Deny</button><button name="decision" value="allow">Allow</button></form>`);
    if (req.url === "/decide") return res.writeHead(302, { location: `http://127.0.0.1:${cb.port}/callback?code=c1&cookie=${encodeURIComponent(req.headers.cookie ?? "")}` }).end();
    res.writeHead(404).end();
  });
  await new Promise((res) => server.listen(0, "127.0.0.1", res));
  const cb = await callbackListener();
  cb.port = new URL(cb.redirectUri).port;
  try {
    const r = await loginAndConsent(`http://127.0.0.1:${server.address().port}/authorize?x=1`, { username: "dora", stopAt: cb.redirectUri });
    assert.equal(r.callbackStatus, 200);
    const hit = new URL(r.callbackUrl);
    assert.equal(hit.searchParams.get("code"), "c1");
    assert.equal(hit.searchParams.get("cookie"), "sid=s1", "cookies kept per origin");
    assert.deepEqual(seen.slice(1).map((s) => s.split(" ").slice(0, 3).join(" ")), ["POST /login req=r1&username=dora", "GET /consent ", "POST /decide decision=allow"]);
  } finally {
    await cb.close();
    server.closeAllConnections();
    server.close();
  }
});
