// A real third-party authorization server for interop tests: panva's oidc-provider (v9) on
// 127.0.0.1 with an ephemeral port. Test-only configuration; nothing here is fit for production.
//
// Clients (fixed ids):
//   interop-app           public native app: auth code + PKCE S256 + refresh_token, auth "none",
//                         redirect http://127.0.0.1/callback on ANY port (RFC 8252 §7.3).
//   interop-service       confidential, client_secret_basic, secret "interop-service-secret", client_credentials.
//   interop-service-post  same secret and grant, but client_secret_post.
//   interop-jwt           private_key_jwt; its key is fixtures/interop-jwt.key.pem (test-only), client_credentials.
//   interop-device        public, auth "none", device_code + refresh_token.
//   interop-introspector  confidential, client_secret_basic, may introspect and revoke any client's tokens.
//
// Resource server: urn:inspector:api, scopes "api.read api.write", RFC 9068 JWT access tokens (typ at+jwt).
// Tokens requested without a resource (e.g. openid + userinfo) are opaque.
import http from "node:http";
import { createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Provider, { errors } from "oidc-provider";

export const RESOURCE = "urn:inspector:api";
export const RESOURCE_SCOPES = "api.read api.write";
export const JWT_CLIENT_KEY = join(import.meta.dirname, "fixtures/interop-jwt.key.pem");
export const SECRETS = {
  "interop-service": "interop-service-secret",
  "interop-service-post": "interop-service-secret",
  "interop-introspector": "interop-introspector-secret",
};

function clients() {
  // The public half of the committed test key, computed so the PEM stays the single source.
  const jwtClientKey = { ...createPublicKey(readFileSync(JWT_CLIENT_KEY)).export({ format: "jwk" }), use: "sig", alg: "RS256" };
  const service = { grant_types: ["client_credentials"], response_types: [], redirect_uris: [], scope: RESOURCE_SCOPES };
  return [
    {
      client_id: "interop-app",
      application_type: "native",
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      redirect_uris: ["http://127.0.0.1/callback"],
    },
    { ...service, client_id: "interop-service", client_secret: SECRETS["interop-service"], token_endpoint_auth_method: "client_secret_basic" },
    { ...service, client_id: "interop-service-post", client_secret: SECRETS["interop-service-post"], token_endpoint_auth_method: "client_secret_post" },
    { ...service, client_id: "interop-jwt", token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [jwtClientKey] } },
    {
      client_id: "interop-device",
      application_type: "native",
      token_endpoint_auth_method: "none",
      grant_types: ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
      response_types: [],
      redirect_uris: [],
    },
    {
      client_id: "interop-introspector",
      client_secret: SECRETS["interop-introspector"],
      token_endpoint_auth_method: "client_secret_basic",
      grant_types: [],
      response_types: [],
      redirect_uris: [],
    },
  ];
}

// Accounts are whatever username the test user types; claims are derived from it.
async function findAccount(_ctx, sub) {
  return {
    accountId: sub,
    async claims() {
      return { sub, name: `Test ${sub}`, preferred_username: sub, email: `${sub}@example.test`, email_verified: true };
    },
  };
}

// The same client may always act on its own tokens; interop-introspector may act on anyone's.
function mayActOn(_ctx, client, token) {
  return client.clientId === "interop-introspector" || token.clientId === client.clientId;
}

// A lax configuration for the audit to find weaknesses in: PKCE optional for public clients,
// refresh tokens not rotated, access tokens that live a day.
const LAX = {
  pkce: { required: () => false },
  rotateRefreshToken: false,
  ttl: { AccessToken: 86400 },
};

function configuration({ lax = false } = {}) {
  // Fresh signing key per run; no dev keys, no secrets on disk.
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: "jwk" }), use: "sig", alg: "RS256", kid: "interop-rs256" };
  const config = {
    clients: clients(),
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    findAccount,
    scopes: ["openid", "offline_access", "profile", "email", ...RESOURCE_SCOPES.split(" ")],
    claims: {
      openid: ["sub"],
      profile: ["name", "preferred_username"],
      email: ["email", "email_verified"],
    },
    conformIdTokenClaims: false,
    // Explicit lifetimes (seconds) so oidc-provider does not print a notice per token kind.
    ttl: { AccessToken: 600, AuthorizationCode: 60, ClientCredentials: 600, DeviceCode: 600, Grant: 3600, IdToken: 600, Interaction: 600, RefreshToken: 3600, Session: 3600 },
    pkce: { required: (_ctx, client) => client.clientAuthMethod === "none" }, // v9 only offers S256
    // Refresh tokens for every code/device grant of a client allowed to refresh, not only for
    // offline_access (oidc-provider drops offline_access unless prompt=consent was requested).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    rotateRefreshToken: true,
    features: {
      devInteractions: { enabled: true },
      deviceFlow: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: mayActOn },
      revocation: { enabled: true, allowedPolicy: mayActOn },
      userinfo: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf,
        // Only our one API is known; anything else is invalid_target.
        getResourceServerInfo(_ctx, indicator) {
          if (indicator !== RESOURCE) throw new errors.InvalidTarget();
          return { scope: RESOURCE_SCOPES, audience: RESOURCE, accessTokenFormat: "jwt", accessTokenTTL: 600, jwt: { sign: { alg: "RS256" } } };
        },
      },
    },
  };
  if (lax) {
    config.pkce = LAX.pkce;
    config.rotateRefreshToken = LAX.rotateRefreshToken;
    config.ttl = { ...config.ttl, ...LAX.ttl };
  }
  return config;
}

/** Starts oidc-provider; `{ lax: true }` weakens it on purpose (see LAX). */
export async function startProvider({ lax = false } = {}) {
  const server = http.createServer();
  await new Promise((res, rej) => server.once("error", rej).listen(0, "127.0.0.1", res));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, configuration({ lax }));
  server.on("request", provider.callback());
  return {
    issuer,
    provider,
    clients: { ids: clients().map((c) => c.client_id), secrets: SECRETS, jwtKeyFile: JWT_CLIENT_KEY },
    close: () => new Promise((res) => {
      server.closeAllConnections();
      server.close(() => res());
    }),
  };
}
