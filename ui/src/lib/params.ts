// What each OAuth 2.0 / OpenID Connect parameter, response member and header means, in one line, with the
// section that defines it: the step view's parameter tables read this. Names are matched case-insensitively.

export interface ParamInfo {
  meaning: string;
  spec: string;
}

const P = (meaning: string, spec: string): ParamInfo => ({ meaning, spec });

/** Query, form and JSON parameters (authorization, token, device, revocation, introspection, UserInfo). */
export const params: Record<string, ParamInfo> = {
  // Authorization request and response (RFC 6749 §4.1, OIDC Core §3.1.2.1)
  response_type: P("What the authorization endpoint returns: \"code\" for the authorization code flow", "RFC 6749 §3.1.1"),
  client_id: P("The client's identifier, issued at registration", "RFC 6749 §2.2"),
  client_secret: P("The client's password, for client_secret_post (better sent as Basic credentials)", "RFC 6749 §2.3.1"),
  redirect_uri: P("Where the authorization server sends the browser back; must match a registered URI exactly", "RFC 6749 §3.1.2"),
  scope: P("Space-separated permissions asked for (or granted, in a response)", "RFC 6749 §3.3"),
  state: P("Opaque value the client checks on the callback: binds the response to this browser (CSRF)", "RFC 6749 §10.12"),
  code: P("The authorization code: single use, short-lived, exchanged at the token endpoint", "RFC 6749 §4.1.2"),
  iss: P("Issuer of the authorization response: tells which server answered (mix-up defence)", "RFC 9207 §2"),
  response_mode: P("How the response parameters come back: query, fragment or form_post", "OAuth 2.0 Multiple Response Types §2.1"),
  nonce: P("Random value bound to the ID token: the client checks it comes back unchanged (replay)", "OIDC Core §3.1.2.1"),
  prompt: P("Whether the server should show login or consent again: none, login, consent, select_account", "OIDC Core §3.1.2.1"),
  login_hint: P("Who is expected to log in (an email or user name), to prefill the login page", "OIDC Core §3.1.2.1"),
  max_age: P("Maximum seconds since the user last actively authenticated; older means log in again", "OIDC Core §3.1.2.1"),
  display: P("How the login page is displayed: page, popup, touch or wap", "OIDC Core §3.1.2.1"),
  ui_locales: P("Preferred languages for the login pages", "OIDC Core §3.1.2.1"),
  id_token_hint: P("A previous ID token, naming the user the client expects", "OIDC Core §3.1.2.1"),
  acr_values: P("Authentication context classes asked for (strength of the login)", "OIDC Core §3.1.2.1"),
  claims: P("Individual claims asked for in the ID token or UserInfo", "OIDC Core §5.5"),
  request: P("The authorization request as a signed JWT (request object), passed by value", "RFC 9101 §5.1"),
  request_uri: P("Reference to a request pushed beforehand (PAR) or published by the client", "RFC 9126 §2.2"),
  // PKCE (RFC 7636)
  code_challenge: P("Hash (S256) or copy (plain) of the code_verifier, sent with the authorization request", "RFC 7636 §4.2"),
  code_challenge_method: P("How the challenge was made from the verifier: S256 or plain", "RFC 7636 §4.3"),
  code_verifier: P("The secret random string behind the code_challenge, proving the same client redeems the code", "RFC 7636 §4.5"),
  // Token request (RFC 6749 §4.1.3, §4.4.2, §6)
  grant_type: P("Which grant is used: authorization_code, client_credentials, refresh_token, device_code…", "RFC 6749 §4.1.3"),
  username: P("Resource owner's user name (password grant, deprecated)", "RFC 6749 §4.3.2"),
  password: P("Resource owner's password (password grant, deprecated)", "RFC 6749 §4.3.2"),
  client_assertion: P("A JWT signed by the client that authenticates it (client_secret_jwt, private_key_jwt)", "RFC 7523 §2.2"),
  client_assertion_type: P("Kind of client_assertion: urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "RFC 7523 §2.2"),
  assertion: P("A JWT presented as the grant itself (JWT bearer grant)", "RFC 7523 §2.1"),
  resource: P("The API (absolute URI) the token is meant for: the server can restrict its audience", "RFC 8707 §2"),
  audience: P("Logical name of the service the token is meant for", "RFC 8693 §2.1"),
  subject_token: P("The token exchanged for a new one (token exchange)", "RFC 8693 §2.1"),
  subject_token_type: P("Type of the subject_token", "RFC 8693 §2.1"),
  actor_token: P("Token of the party acting on behalf of the subject (token exchange)", "RFC 8693 §2.1"),
  requested_token_type: P("Type of token wanted from the exchange", "RFC 8693 §2.1"),
  issued_token_type: P("Type of the token issued by the exchange", "RFC 8693 §2.2.1"),
  // Token response (RFC 6749 §5)
  access_token: P("The token the client presents to the API", "RFC 6749 §5.1"),
  token_type: P("How to present the access token: Bearer (or DPoP)", "RFC 6749 §7.1"),
  expires_in: P("Lifetime in seconds (of the access token; of the device code in a device response)", "RFC 6749 §5.1"),
  refresh_token: P("Long-lived token to get new access tokens without the user", "RFC 6749 §6"),
  id_token: P("A signed JWT saying who logged in, when and how, for the client", "OIDC Core §2"),
  error: P("Error code of a failed request (invalid_grant, invalid_client, access_denied…)", "RFC 6749 §5.2"),
  error_description: P("Human-readable text explaining the error", "RFC 6749 §5.2"),
  error_uri: P("A page about the error", "RFC 6749 §5.2"),
  // Device authorization (RFC 8628)
  device_code: P("The device's secret code, polled for at the token endpoint", "RFC 8628 §3.2"),
  user_code: P("The short code the user types on the verification page", "RFC 8628 §3.2"),
  verification_uri: P("The page where the user enters the user_code", "RFC 8628 §3.2"),
  verification_uri_complete: P("The verification page with the user_code already in it (for a QR code)", "RFC 8628 §3.2"),
  interval: P("Minimum seconds between two polls (default 5)", "RFC 8628 §3.2"),
  // Revocation (RFC 7009) and introspection (RFC 7662)
  token: P("The token to revoke or introspect", "RFC 7009 §2.1"),
  token_type_hint: P("What the token is (access_token or refresh_token), to speed the lookup", "RFC 7009 §2.1"),
  active: P("Whether the introspected token is currently valid", "RFC 7662 §2.2"),
  // Claims of tokens and of introspection/UserInfo responses
  sub: P("Subject: the user (or client) the token is about", "RFC 7519 §4.1.2"),
  aud: P("Audience: who the token is meant for", "RFC 7519 §4.1.3"),
  exp: P("Expiry, seconds since 1970", "RFC 7519 §4.1.4"),
  nbf: P("Not valid before, seconds since 1970", "RFC 7519 §4.1.5"),
  iat: P("Issued at, seconds since 1970", "RFC 7519 §4.1.6"),
  jti: P("Unique identifier of the token", "RFC 7519 §4.1.7"),
  azp: P("Authorized party: the client the ID token was issued to", "OIDC Core §2"),
  auth_time: P("When the user authenticated, seconds since 1970", "OIDC Core §2"),
  at_hash: P("Hash of the access token, binding it to the ID token", "OIDC Core §3.1.3.6"),
  c_hash: P("Hash of the authorization code, binding it to the ID token", "OIDC Core §3.3.2.11"),
  acr: P("Authentication context class the login satisfied", "OIDC Core §2"),
  amr: P("Authentication methods used (pwd, otp, mfa…)", "OIDC Core §2"),
  sid: P("Session ID at the provider (for logout)", "OIDC Front-Channel Logout §3"),
  // Discovery (RFC 8414, OIDC Discovery)
  issuer: P("The server's issuer identifier; must equal the URL discovery was fetched from", "RFC 8414 §3.3"),
  authorization_endpoint: P("URL of the authorization endpoint", "RFC 8414 §2"),
  token_endpoint: P("URL of the token endpoint", "RFC 8414 §2"),
  jwks_uri: P("URL of the server's public signing keys", "RFC 8414 §2"),
  keys: P("The public keys (JWK Set) used to verify signatures", "RFC 7517 §5"),
  kid: P("Key ID: which key of the JWK Set signed", "RFC 7515 §4.1.4"),
  alg: P("Signature algorithm (RS256, ES256…; never none)", "RFC 7515 §4.1.1"),
  typ: P("Type of the JWT (at+jwt for an access token)", "RFC 7515 §4.1.9"),
};

/** Headers of requests and responses. */
export const headers: Record<string, ParamInfo> = {
  authorization: P("Credentials: Basic (client id and secret) at the token endpoint, Bearer token at an API", "RFC 6749 §2.3.1, RFC 6750 §2.1"),
  "www-authenticate": P("The API's challenge: which scheme it wants and why the token was refused", "RFC 6750 §3"),
  dpop: P("A proof JWT binding the request to the client's key (sender-constrained token)", "RFC 9449 §4.1"),
  "dpop-nonce": P("A nonce the server wants in the next DPoP proof", "RFC 9449 §8"),
  "cache-control": P("Token responses must be no-store: never cached", "RFC 6749 §5.1"),
  pragma: P("Legacy no-cache, sent with token responses", "RFC 6749 §5.1"),
  location: P("Where a redirect sends the browser (the callback carries code, state, iss)", "RFC 9110 §10.2.2"),
  "content-type": P("Format of the body: forms at the token endpoint, JSON in responses", "RFC 9110 §8.3"),
  accept: P("Formats the client accepts in the response", "RFC 9110 §12.5.1"),
  "user-agent": P("The software sending the request", "RFC 9110 §10.1.5"),
  cookie: P("Browser cookies (the login session at the provider)", "RFC 6265 §4.2"),
  "set-cookie": P("A cookie the server asks the browser to keep", "RFC 6265 §4.1"),
  "content-length": P("Size of the body in bytes", "RFC 9110 §8.6"),
  date: P("When the message was sent (server clock: compare with token iat/exp)", "RFC 9110 §6.6.1"),
  host: P("The server name the request is for", "RFC 9110 §7.2"),
  origin: P("The page origin of a browser request (CORS)", "RFC 6454 §7"),
  referer: P("The page the browser came from (can leak codes: prefer no-referrer)", "RFC 9110 §10.1.3"),
};

/** The meaning of a parameter or claim, if it is a known one. */
export function param(name: string): ParamInfo | undefined {
  return params[name.toLowerCase()];
}

/** The meaning of a header, if it is a known one. */
export function header(name: string): ParamInfo | undefined {
  return headers[name.toLowerCase()];
}
