// What a held request is for, in words: the step-through panel's explanation of what happens, why, and
// what could go wrong. Keyed by what the request is (discovery, JWKS, token request per grant_type, …),
// told from the request alone, as it waits at the gate.
import type { HttpRequest } from "./types";

export interface Explanation {
  /** Stable key: `discovery`, `jwks`, `token:authorization_code`, `device_authorization`, … */
  kind: string;
  title: string;
  what: string;
  why: string;
  risks: string[];
  spec: string;
}

const E = (kind: string, title: string, what: string, why: string, risks: string[], spec: string): Explanation => ({
  kind,
  title,
  what,
  why,
  risks,
  spec,
});

export const explanations: Record<string, Explanation> = {
  discovery: E(
    "discovery",
    "Discovery: fetching the provider's metadata",
    "The app asks the issuer for its metadata document: the URLs of its endpoints, the grants, scopes and signing algorithms it supports.",
    "So nothing is configured by hand: every later request goes where the provider says.",
    [
      "The document's issuer differs from the URL asked: it must be refused (a mix-up or a misconfigured proxy).",
      "An HTML login page or a 404 instead of JSON: the issuer URL is wrong (missing a path such as /realms/NAME).",
      "Endpoints on another host: a sign of a wrong or hijacked issuer.",
    ],
    "RFC 8414 §3, OIDC Discovery §4",
  ),
  jwks: E(
    "jwks",
    "JWKS: fetching the provider's public keys",
    "The app downloads the JSON Web Key Set published at jwks_uri.",
    "To verify the signatures of the ID token and of JWT access tokens: the key is chosen by the token's kid.",
    [
      "No key with the token's kid: the provider rotated its keys (fetch again) or the token is forged.",
      "A key of the wrong type for the token's alg (an RSA key for ES256).",
      "Keys fetched from a URL the metadata did not name: never trust a jku/x5u taken from the token itself.",
    ],
    "RFC 7517 §5, OIDC Core §10.1.1",
  ),
  "token:authorization_code": E(
    "token:authorization_code",
    "Token request: redeeming the authorization code",
    "The app sends the code from the callback, the same redirect_uri and the PKCE code_verifier to the token endpoint, and gets tokens back.",
    "The code alone proves nothing: the verifier shows this is the client that started the login, and client authentication (if any) who it is.",
    [
      "invalid_grant: the code expired, was already used, or the code_verifier does not match the challenge (try changing it).",
      "invalid_grant or invalid_request: redirect_uri differs from the one in the authorization request.",
      "invalid_client: wrong client authentication (secret, method, or a public client sending none).",
      "Dropping code_verifier: a server that still answers with tokens does not enforce PKCE.",
    ],
    "RFC 6749 §4.1.3, RFC 7636 §4.5",
  ),
  "token:client_credentials": E(
    "token:client_credentials",
    "Token request: client credentials",
    "The client authenticates itself at the token endpoint and asks for a token for itself, with no user involved.",
    "For machine-to-machine calls: the token carries the client's own permissions.",
    [
      "invalid_client: wrong secret or authentication method (Basic versus form).",
      "invalid_scope: a scope the client is not allowed (try widening it).",
      "A token whose audience is not the API you call: pass resource or audience.",
    ],
    "RFC 6749 §4.4.2",
  ),
  "token:refresh_token": E(
    "token:refresh_token",
    "Token request: refreshing",
    "The app sends the refresh token to get a new access token (and often a new refresh token) without the user.",
    "Access tokens are short-lived; the refresh token keeps the session going.",
    [
      "invalid_grant: the refresh token expired, was revoked, or was already used (rotation: only the newest works).",
      "A scope wider than the original grant must be refused.",
      "A refresh token used twice: with rotation, the server should revoke the whole family (replay detection).",
    ],
    "RFC 6749 §6, RFC 9700 §4.14.2",
  ),
  "token:urn:ietf:params:oauth:grant-type:device_code": E(
    "token:urn:ietf:params:oauth:grant-type:device_code",
    "Token request: polling for the device's tokens",
    "The device asks the token endpoint whether the user has approved its user code yet.",
    "The device cannot receive a redirect: it polls at the interval the server set until the user finishes.",
    [
      "authorization_pending: not yet approved; poll again after the interval.",
      "slow_down: polling too fast; add 5 seconds to the interval.",
      "expired_token: the device code expired; start again.",
      "access_denied: the user refused.",
    ],
    "RFC 8628 §3.4, §3.5",
  ),
  "token:urn:ietf:params:oauth:grant-type:token-exchange": E(
    "token:urn:ietf:params:oauth:grant-type:token-exchange",
    "Token request: token exchange",
    "The app trades a subject token for another token, for another audience or with other rights.",
    "For a service to call another on a user's behalf without reusing the user's token.",
    ["invalid_target: the audience or resource asked for is not allowed.", "invalid_request: an unsupported subject_token_type."],
    "RFC 8693 §2.1",
  ),
  "token:other": E(
    "token:other",
    "Token request",
    "A request to the token endpoint.",
    "To obtain tokens with the grant named by grant_type.",
    ["unsupported_grant_type: the server does not allow this grant for this client.", "invalid_client: wrong client authentication."],
    "RFC 6749 §3.2",
  ),
  device_authorization: E(
    "device_authorization",
    "Device authorization: asking for a user code",
    "The device asks the server for a device code (kept secret) and a user code (shown to the user) with the page to enter it on.",
    "A TV or CLI cannot show a login page: the user logs in on another device.",
    [
      "A very long interval or expiry: the user waits, or the code runs out before they finish.",
      "A user code shown to someone else: whoever enters it first links the device to their account (phishing).",
    ],
    "RFC 8628 §3.1, §3.2",
  ),
  revoke: E(
    "revoke",
    "Revocation: invalidating a token",
    "The client tells the server it no longer needs the token (logout, uninstall).",
    "A leaked token stops working at once instead of at its expiry.",
    [
      "200 even for an unknown token: correct per the spec, so a 200 proves little; introspect afterwards.",
      "A JWT access token stays valid at APIs that do not check revocation until it expires.",
      "Revoking a refresh token may or may not revoke its access tokens (provider-specific).",
    ],
    "RFC 7009 §2.1, §2.2",
  ),
  introspect: E(
    "introspect",
    "Introspection: asking whether a token is active",
    "The caller (usually an API) sends a token and its own credentials; the server answers active true or false, with the token's scope, client and expiry.",
    "Opaque tokens cannot be read by the API; introspection also sees revocation.",
    [
      "active: false for a token that looks valid: revoked, expired, or issued by another server.",
      "401: the introspection endpoint needs the caller's own client authentication.",
    ],
    "RFC 7662 §2.1, §2.2",
  ),
  userinfo: E(
    "userinfo",
    "UserInfo: the user's claims",
    "The app presents the access token and gets claims about the user (sub, name, email…).",
    "Claims not carried in the ID token are fetched here.",
    [
      "The UserInfo sub differs from the ID token's sub: the response must be discarded.",
      "401 with WWW-Authenticate: the access token expired or lacks the openid scope.",
    ],
    "OIDC Core §5.3",
  ),
  api: E(
    "api",
    "API call with the access token",
    "The app calls the resource API, presenting the access token in the Authorization header.",
    "This is what the token is for: the API checks its signature, issuer, audience, expiry and scope.",
    [
      "401 invalid_token: expired, wrong audience or issuer, bad signature — the WWW-Authenticate header says which.",
      "403 insufficient_scope: the token lacks a scope the endpoint needs.",
      "A token sent in the query string can leak through logs and Referer headers.",
    ],
    "RFC 6750 §2.1, §3.1",
  ),
  other: E(
    "other",
    "HTTP request",
    "A request the flow is about to send.",
    "It is part of the flow's steps.",
    ["Check the URL and the parameters before sending."],
    "",
  ),
};

function pathOf(url: string): string {
  try {
    return new URL(url).pathname.toLowerCase();
  } catch {
    return url.toLowerCase();
  }
}

/** The explanation for a request held at the gate. */
export function explain(r: HttpRequest): Explanation {
  const path = pathOf(r.url);
  const form = new URLSearchParams(r.body ?? "");
  const grant = form.get("grant_type");
  if (path.includes("/.well-known/")) return explanations.discovery;
  if (grant) return explanations[`token:${grant}`] ?? explanations["token:other"];
  if (/jwks|certs|\/keys$/.test(path)) return explanations.jwks;
  if (path.includes("device")) return explanations.device_authorization;
  if (path.includes("revo")) return explanations.revoke;
  if (path.includes("introspect")) return explanations.introspect;
  if (path.includes("userinfo")) return explanations.userinfo;
  if (r.headers.some(([k, v]) => k.toLowerCase() === "authorization" && /^(bearer|dpop) /i.test(v))) return explanations.api;
  return explanations.other;
}
