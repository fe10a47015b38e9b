// Generates the token fixtures of crates/token/tests/jose_fixtures.rs with an independent JOSE
// implementation (panva's `jose`): keys for every algorithm we accept, one valid token per
// algorithm, tokens for every problem code, and what `token inspect --json` must say of each.
// Leaves out running the checks: the Rust test does that, offline, from the committed output.
//
//   cd tests && node token-fixtures/make-fixtures.mjs
//
// Writes crates/token/tests/fixtures/jose/{jwks.json, hmac-secret.txt, cases.json}. Keys are new on
// every run, so regenerating rewrites every token; the expectations do not change.

import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '../../crates/token/tests/fixtures/jose');
const JOSE_VERSION = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../node_modules/jose/package.json'), 'utf8')).version;
const NOW = 1_700_000_000;
const ISS = 'https://issuer.test';
const enc = new TextEncoder();
const b64u = (b) => Buffer.from(b).toString('base64url');

// ---- keys ------------------------------------------------------------------------------------

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];
const HMAC = ['HS256', 'HS384', 'HS512'];
// 64 printable bytes: long enough for HS512 (RFC 7518 §3.2), passed to the CLI as --secret.
const SECRET = randomBytes(48).toString('base64url');

const keys = {};
const jwks = [];
for (const alg of ASYMMETRIC) {
  const opts = { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}), ...(alg.startsWith('RS') || alg.startsWith('PS') ? { modulusLength: 2048 } : {}) };
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, opts);
  const kid = alg.toLowerCase();
  keys[alg] = { privateKey, kid };
  jwks.push({ ...(await jose.exportJWK(publicKey)), kid, alg, use: 'sig' });
}
// Keys that are NOT in the JWKS: a rotated-away RSA key, and a P-521 key (ES512 is not accepted).
const stranger = await jose.generateKeyPair('RS256', { modulusLength: 2048 });
const p521 = await jose.generateKeyPair('ES512');
// An encryption key, for a JWE (format jwe, claims unreadable).
const encKey = await jose.generateKeyPair('RSA-OAEP-256', { modulusLength: 2048 });

// ---- token makers ----------------------------------------------------------------------------

/** Claims valid at NOW for ISS and audience `api`. */
const base = (extra = {}) => ({ iss: ISS, sub: 'user-1', aud: 'api', exp: NOW + 600, iat: NOW - 10, nbf: NOW - 10, scope: 'orders.read profile', ...extra });

/** Signs arbitrary claims (no JWT claim validation by jose) with the algorithm's fixture key. */
async function sign(alg, claims, header = {}, signOptions = undefined) {
  if (HMAC.includes(alg)) {
    return new jose.CompactSign(enc.encode(JSON.stringify(claims))).setProtectedHeader({ alg, typ: 'JWT', ...header }).sign(enc.encode(SECRET), signOptions);
  }
  const { privateKey, kid } = keys[alg];
  return new jose.CompactSign(enc.encode(JSON.stringify(claims))).setProtectedHeader({ alg, kid, typ: 'JWT', ...header }).sign(privateKey, signOptions);
}

/** at_hash / c_hash (OIDC Core §3.1.3.6): base64url of the left half of SHA-256. */
const halfHash = (v) => b64u(createHash('sha256').update(v).digest().subarray(0, 16));

/** Replaces one segment of a compact token. */
const withSegment = (t, i, seg) => t.split('.').map((s, j) => (j === i ? seg : s)).join('.');

// ---- cases -----------------------------------------------------------------------------------
// Each: name, token, options (as CLI flags: jwks = use jwks.json, secret = use hmac-secret.txt),
// and the expectations: format, valid, the exact problem list (check order), and the ids of the
// checks that must fail.

const cases = [];
const add = (name, token, options, expect) => cases.push({ name, token, options: { now: NOW, ...options }, ...expect });
const VALID = { format: 'jwt', valid: true, problems: [], failed_checks: [] };
const invalid = (problems, failed_checks, format = 'jwt') => ({ format, valid: false, problems, failed_checks });
const api = { jwks: true, expect_issuer: ISS, audience: ['api'] };

for (const alg of ASYMMETRIC) {
  add(`valid ${alg}`, await sign(alg, base()), api, VALID);
}
for (const alg of HMAC) {
  add(`valid ${alg}`, await sign(alg, base()), { secret: true, expect_issuer: ISS, audience: ['api'] }, VALID);
}
// The same tokens through SignJWT, jose's JWT builder (it sets the registered claims itself).
add(
  'valid ES256 from SignJWT',
  await new jose.SignJWT({ scope: 'orders.read' }).setProtectedHeader({ alg: 'ES256', kid: 'es256' }).setIssuer(ISS).setSubject('user-1').setAudience(['api', 'other'])
    .setIssuedAt(NOW - 5).setNotBefore(NOW - 5).setExpirationTime(NOW + 300).setJti('j-1').sign(keys.ES256.privateKey),
  { ...api, scope: ['orders.read'] },
  VALID,
);
const at = 'jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y';
const idClaims = (extra = {}) => ({ iss: ISS, sub: 'user-1', aud: 'client-1', exp: NOW + 600, iat: NOW - 10, nonce: 'n-0S6_WzA2Mj', at_hash: halfHash(at), ...extra });
const idOpts = { jwks: true, expect_issuer: ISS, client_id: 'client-1', nonce: 'n-0S6_WzA2Mj', access_token: at };
add('valid ID token (nonce, at_hash)', await sign('RS256', idClaims()), idOpts, VALID);
add(
  'valid RFC 9068 access token',
  await sign('PS256', base({ client_id: 'client-1', jti: 'at-1', scope: 'orders.read orders.write' }), { typ: 'at+jwt' }),
  { ...api, scope: ['orders.write'] },
  VALID,
);

// Formats that are not a JWS.
add('malformed: payload is not JSON', `${b64u(JSON.stringify({ alg: 'RS256', kid: 'rs256' }))}.${b64u('not json')}.${b64u('sig')}`, api, invalid(['malformed'], ['format'], 'malformed'));
add('malformed: two segments', (await sign('RS256', base())).split('.').slice(0, 2).join('.'), api, invalid(['malformed'], ['format'], 'malformed'));
add('malformed: signature is not base64url', withSegment(await sign('ES256', base()), 2, 'not*base64'), api, invalid(['malformed'], ['format']));
add('malformed: exp is a string', await sign('RS256', base({ exp: 'tomorrow' })), api, invalid(['malformed'], ['claim_types']));
add('opaque token', 'gho_16C7e42F292c6912E7710c838347Ae178B4a', api, { format: 'opaque', valid: false, problems: [], failed_checks: [] });
add(
  'JWE (encrypted)',
  await new jose.CompactEncrypt(enc.encode(JSON.stringify(base()))).setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM' }).encrypt(encKey.publicKey),
  api,
  { format: 'jwe', valid: false, problems: [], failed_checks: [] },
);

// Algorithms.
add('alg_none (jose UnsecuredJWT)', new jose.UnsecuredJWT(base()).encode(), api, invalid(['alg_none'], ['alg']));
add(
  'alg_not_allowed: ES512',
  await new jose.CompactSign(enc.encode(JSON.stringify(base()))).setProtectedHeader({ alg: 'ES512', kid: 'es512' }).sign(p521.privateKey),
  api,
  invalid(['alg_not_allowed'], ['alg']),
);
add('alg_not_allowed: HS256 with only a JWKS (algorithm confusion)', await sign('HS256', base()), api, invalid(['alg_not_allowed'], ['alg']));
add('alg_not_allowed: RS256 with only a secret', await sign('RS256', base()), { secret: true, expect_issuer: ISS, audience: ['api'] }, invalid(['alg_not_allowed'], ['alg']));
add(
  'alg_not_allowed: kid names a key of another type',
  await sign('RS256', base(), { kid: 'es256' }),
  api,
  invalid(['alg_not_allowed'], ['signature']),
);

// Signatures and keys.
{
  const t = await sign('RS256', base());
  const sig = Buffer.from(t.split('.')[2], 'base64url');
  sig[10] ^= 0x01;
  add('bad_signature: one bit flipped', withSegment(t, 2, b64u(sig)), api, invalid(['bad_signature'], ['signature']));
}
add('bad_signature: claims changed after signing', withSegment(await sign('ES384', base()), 1, b64u(JSON.stringify(base({ sub: 'admin' })))), api, invalid(['bad_signature'], ['signature']));
add(
  'bad_signature: right kid, wrong key',
  await new jose.CompactSign(enc.encode(JSON.stringify(base()))).setProtectedHeader({ alg: 'RS256', kid: 'rs256' }).sign(stranger.privateKey),
  api,
  invalid(['bad_signature'], ['signature']),
);
{
  const t = await sign('HS256', base());
  add('bad_signature: HS256 with another secret', t, { secret: 'another-secret-of-enough-length-for-hs256!', expect_issuer: ISS, audience: ['api'] }, invalid(['bad_signature'], ['signature']));
}
add('bad_signature: EdDSA with a flipped payload', withSegment(await sign('EdDSA', base()), 1, b64u(JSON.stringify(base({ scope: 'admin' })))), api, invalid(['bad_signature'], ['signature']));
add(
  'unknown_key: kid not in the JWKS',
  await new jose.CompactSign(enc.encode(JSON.stringify(base()))).setProtectedHeader({ alg: 'RS256', kid: 'rotated-away' }).sign(stranger.privateKey),
  api,
  invalid(['unknown_key'], ['signature']),
);

// Times (leeway 60 s).
add('expired', await sign('RS256', base({ exp: NOW - 3600, iat: NOW - 7200, nbf: NOW - 7200 })), api, invalid(['expired'], ['exp']));
add('expired within leeway is valid', await sign('RS256', base({ exp: NOW - 30 })), api, VALID);
add('not_yet_valid', await sign('ES256', base({ nbf: NOW + 3600, exp: NOW + 7200 })), api, invalid(['not_yet_valid'], ['nbf']));
add('issued_in_future', await sign('EdDSA', base({ iat: NOW + 3600, exp: NOW + 7200, nbf: undefined })), api, invalid(['issued_in_future'], ['iat']));
add('expired with leeway 0', await sign('RS256', base({ exp: NOW - 30 })), { ...api, leeway: 0 }, invalid(['expired'], ['exp']));

// Issuer, audience, scope.
add('issuer_mismatch', await sign('PS384', base({ iss: 'https://other.test' })), api, invalid(['issuer_mismatch'], ['iss']));
add('issuer_mismatch: trailing slash', await sign('RS512', base({ iss: `${ISS}/` })), api, invalid(['issuer_mismatch'], ['iss']));
add('audience_mismatch', await sign('PS512', base({ aud: ['other-api', 'web'] })), api, invalid(['audience_mismatch'], ['aud']));
add('insufficient_scope', await sign('ES256', base()), { ...api, scope: ['orders.write'] }, invalid(['insufficient_scope'], ['scope']));
add('insufficient_scope: no scope claim', await sign('ES256', base({ scope: undefined })), { ...api, scope: ['orders.read'] }, invalid(['insufficient_scope'], ['scope']));
add('valid: scopes from scp array', await sign('ES256', base({ scope: undefined, scp: ['orders.read', 'profile'] })), { ...api, scope: ['orders.read profile'] }, VALID);

// Required claims.
add('missing_claim: ID token without sub', await sign('RS256', idClaims({ sub: undefined })), idOpts, invalid(['missing_claim'], ['required_claims']));
add('missing_claim: no iss when one is expected', await sign('RS256', base({ iss: undefined })), api, invalid(['missing_claim'], ['iss']));
add('missing_claim: at+jwt without client_id and jti', await sign('RS256', base(), { typ: 'at+jwt' }), api, invalid(['missing_claim'], ['required_claims']));
add('missing_claim: nonce sent, none in the token', await sign('RS256', idClaims({ nonce: undefined })), idOpts, invalid(['missing_claim'], ['nonce']));

// OpenID Connect ID-token rules.
add('nonce_mismatch', await sign('RS256', idClaims({ nonce: 'replayed' })), idOpts, invalid(['nonce_mismatch'], ['nonce']));
add('at_hash_mismatch', await sign('RS256', idClaims({ at_hash: halfHash('another access token') })), idOpts, invalid(['at_hash_mismatch'], ['at_hash']));
add('azp_mismatch', await sign('RS256', idClaims({ aud: ['client-1', 'api'], azp: 'client-2' })), idOpts, invalid(['azp_mismatch'], ['azp']));
add('valid: azp is the client', await sign('RS256', idClaims({ aud: ['client-1', 'api'], azp: 'client-1' })), idOpts, VALID);
add('audience_mismatch: ID token not for this client', await sign('RS256', idClaims({ aud: 'client-2' })), idOpts, invalid(['audience_mismatch'], ['aud']));

// Critical header extensions (jose signs them when told it understands them).
add(
  'crit_unsupported',
  await sign('ES256', base(), { crit: ['urn:example:ext'], 'urn:example:ext': true }, { crit: { 'urn:example:ext': true } }),
  api,
  invalid(['crit_unsupported'], ['crit']),
);

// Several problems at once, in check order.
add(
  'several problems in check order',
  await sign('RS256', base({ iss: 'https://other.test', aud: 'nope', exp: NOW - 3600, iat: NOW - 7200, nbf: NOW - 7200 })),
  { ...api, scope: ['orders.write'] },
  invalid(['issuer_mismatch', 'audience_mismatch', 'expired', 'insufficient_scope'], ['iss', 'aud', 'exp', 'scope']),
);

// ---- output ----------------------------------------------------------------------------------

// Every problem code of the contract must be exercised by at least one case.
const CODES = ['malformed', 'alg_none', 'alg_not_allowed', 'bad_signature', 'unknown_key', 'expired', 'not_yet_valid', 'issued_in_future', 'issuer_mismatch',
  'audience_mismatch', 'missing_claim', 'insufficient_scope', 'nonce_mismatch', 'at_hash_mismatch', 'azp_mismatch', 'crit_unsupported'];
const missing = CODES.filter((c) => !cases.some((k) => k.problems.includes(c)));
if (missing.length) throw new Error(`no case for ${missing.join(', ')}`);

// JSON.stringify drops `undefined` claims above, so `base({ nbf: undefined })` has no nbf.
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'jwks.json'), `${JSON.stringify({ keys: jwks }, null, 2)}\n`);
writeFileSync(join(OUT, 'hmac-secret.txt'), SECRET);
writeFileSync(
  join(OUT, 'cases.json'),
  `${JSON.stringify({ generator: `tests/token-fixtures/make-fixtures.mjs with jose ${JOSE_VERSION}`, now: NOW, cases }, null, 2)}\n`,
);
console.log(`${cases.length} cases, ${jwks.length} keys -> ${OUT}`);
