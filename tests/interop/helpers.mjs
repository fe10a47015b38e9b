// Small helpers shared by the interop tests: a loopback callback listener, PKCE, raw token
// endpoint calls, JWT decoding (shape only) and JWT verification with jose (a verifier we did not
// write, so a token is not judged valid only by our own token crate).
import http from "node:http";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { createHash, createPrivateKey, randomBytes, randomUUID, sign } from "node:crypto";
import { readFileSync } from "node:fs";

export const b64url = (buf) => Buffer.from(buf).toString("base64url");

export function pkcePair() {
  const verifier = b64url(randomBytes(32));
  return { verifier, challenge: b64url(createHash("sha256").update(verifier).digest()) };
}

export function decodeJwt(jwt) {
  const [h, p] = jwt.split(".");
  return { header: JSON.parse(Buffer.from(h, "base64url")), payload: JSON.parse(Buffer.from(p, "base64url")) };
}

export const isJwt = (s) => typeof s === "string" && s.split(".").length === 3;

/** A one-shot loopback redirect listener on 127.0.0.1:<ephemeral>/callback, like a native app's. */
export async function callbackListener() {
  let resolveHit;
  const hit = new Promise((res) => (resolveHit = res));
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, `http://${req.headers.host}`);
    if (url.pathname !== "/callback") return res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/plain" }).end("callback received");
    resolveHit(url);
  });
  await new Promise((res) => server.listen(0, "127.0.0.1", res));
  const redirectUri = `http://127.0.0.1:${server.address().port}/callback`;
  return { redirectUri, hit, close: () => new Promise((res) => { server.closeAllConnections(); server.close(() => res()); }) };
}

/** POSTs a form to an endpoint; returns { status, body } with body parsed as JSON when possible. */
export async function postForm(url, params, { basic } = {}) {
  const headers = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
  if (basic) headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(basic[0])}:${encodeURIComponent(basic[1])}`).toString("base64")}`;
  const res = await fetch(url, { method: "POST", headers, body: new URLSearchParams(params) });
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status, body };
}

/** An RFC 7523 client assertion for private_key_jwt, signed RS256 with a PEM key file. */
export function clientAssertion(keyFile, clientId, audience) {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: "RS256", typ: "JWT" }));
  const payload = b64url(JSON.stringify({ iss: clientId, sub: clientId, aud: audience, jti: randomUUID(), iat: now, exp: now + 60 }));
  const signature = sign("sha256", Buffer.from(`${header}.${payload}`), createPrivateKey(readFileSync(keyFile)));
  return `${header}.${payload}.${b64url(signature)}`;
}

export async function discover(issuer) {
  return (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
}

const jwksByUri = new Map();

/**
 * Verifies a JWT with jose against the issuer's JWKS (found through discovery): signature, `iss`,
 * `aud`, `exp` (required and not passed), `typ` when given, and `nonce` when given. Returns
 * { payload, protectedHeader }; throws jose's error, prefixed with what was verified, otherwise.
 */
export async function verifyWithJose(token, { issuer, audience, typ, nonce, label = "token" }) {
  const { jwks_uri: jwksUri } = await discover(issuer);
  if (!jwksUri) throw new Error(`${issuer} advertises no jwks_uri`);
  if (!jwksByUri.has(jwksUri)) jwksByUri.set(jwksUri, createRemoteJWKSet(new URL(jwksUri)));
  let result;
  try {
    result = await jwtVerify(token, jwksByUri.get(jwksUri), {
      issuer, audience, typ, requiredClaims: ["exp", ...(nonce === undefined ? [] : ["nonce"])],
    });
  } catch (e) {
    throw new Error(`jose refused the ${label} (issuer ${issuer}, audience ${audience}): ${e.code ?? ""} ${e.message}`, { cause: e });
  }
  if (nonce !== undefined && result.payload.nonce !== nonce) {
    throw new Error(`the ${label}'s nonce is ${JSON.stringify(result.payload.nonce)}, expected ${JSON.stringify(nonce)}`);
  }
  return result;
}
