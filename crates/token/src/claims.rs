//! What each JOSE header parameter and JWT claim means, with the spec that defines it, for reports.
//! A lookup table only: whether a value is acceptable is decided in `checks`.

/// (name, meaning, defined in)
const HEADER: &[(&str, &str, &str)] = &[
    ("alg", "signature or key-management algorithm", "RFC 7515 §4.1.1"),
    ("enc", "content-encryption algorithm (JWE)", "RFC 7516 §4.1.2"),
    ("kid", "key id: which key of the issuer's JWKS signed this", "RFC 7515 §4.1.4"),
    ("typ", "media type of the whole token (at+jwt = OAuth access token)", "RFC 7515 §4.1.9"),
    ("cty", "media type of the payload", "RFC 7515 §4.1.10"),
    ("crit", "extensions the recipient must understand", "RFC 7515 §4.1.11"),
    ("jku", "URL of a JWKS (never fetched or trusted here)", "RFC 7515 §4.1.2"),
    ("jwk", "embedded public key (never trusted here)", "RFC 7515 §4.1.3"),
    ("x5u", "URL of an X.509 chain (never fetched or trusted here)", "RFC 7515 §4.1.5"),
    ("x5c", "embedded X.509 chain (never trusted here)", "RFC 7515 §4.1.6"),
    ("x5t", "SHA-1 thumbprint of the signing certificate", "RFC 7515 §4.1.7"),
    ("x5t#S256", "SHA-256 thumbprint of the signing certificate", "RFC 7515 §4.1.8"),
    ("zip", "compression applied before encryption", "RFC 7516 §4.1.3"),
    ("epk", "ephemeral public key (ECDH-ES)", "RFC 7518 §4.6.1.1"),
    ("b64", "whether the payload is base64url-encoded", "RFC 7797 §3"),
];

const CLAIMS: &[(&str, &str, &str)] = &[
    ("iss", "issuer: who created and signed the token", "RFC 7519 §4.1.1"),
    ("sub", "subject: the user or client the token is about", "RFC 7519 §4.1.2"),
    ("aud", "audience: who the token is meant for", "RFC 7519 §4.1.3"),
    ("exp", "expiration time", "RFC 7519 §4.1.4"),
    ("nbf", "not valid before", "RFC 7519 §4.1.5"),
    ("iat", "issued at", "RFC 7519 §4.1.6"),
    ("jti", "unique token id (replay detection)", "RFC 7519 §4.1.7"),
    ("azp", "authorized party: the client the ID token was issued to", "OIDC Core §2"),
    ("nonce", "value from the authentication request, against replay", "OIDC Core §2"),
    ("auth_time", "when the user authenticated", "OIDC Core §2"),
    ("acr", "authentication context class reference", "OIDC Core §2"),
    ("amr", "authentication methods used", "OIDC Core §2"),
    ("at_hash", "hash of the access token issued with this ID token", "OIDC Core §3.1.3.6"),
    ("c_hash", "hash of the authorization code issued with this ID token", "OIDC Core §3.3.2.11"),
    ("s_hash", "hash of the state value (FAPI)", "FAPI 1.0 Advanced §5.1"),
    ("sid", "session id", "OIDC Front-Channel Logout §3"),
    ("client_id", "client the access token was issued to", "RFC 9068 §2.2 / RFC 8693 §4.3"),
    ("scope", "granted scopes, space-separated", "RFC 8693 §4.2 / RFC 9068 §2.2.3"),
    ("scp", "granted scopes (vendor form: array or string)", "vendor (Entra, Okta)"),
    ("roles", "roles granted", "RFC 9068 §2.2.3.1 / RFC 7643"),
    ("groups", "groups the subject belongs to", "RFC 9068 §2.2.3.1 / RFC 7643"),
    ("entitlements", "entitlements granted", "RFC 9068 §2.2.3.1 / RFC 7643"),
    ("cnf", "confirmation: key the token is bound to (DPoP, mTLS)", "RFC 7800 §3.1"),
    ("act", "actor: who acts on behalf of the subject", "RFC 8693 §4.1"),
    ("may_act", "who may act on behalf of the subject", "RFC 8693 §4.4"),
    ("name", "full name", "OIDC Core §5.1"),
    ("given_name", "given name", "OIDC Core §5.1"),
    ("family_name", "family name", "OIDC Core §5.1"),
    ("preferred_username", "preferred username", "OIDC Core §5.1"),
    ("email", "email address", "OIDC Core §5.1"),
    ("email_verified", "whether the email was verified", "OIDC Core §5.1"),
    ("updated_at", "when the profile was last updated", "OIDC Core §5.1"),
    ("tid", "tenant id", "vendor (Entra)"),
    ("oid", "object id of the user or app", "vendor (Entra)"),
    ("upn", "user principal name", "vendor (Entra)"),
    ("appid", "client id (v1 tokens)", "vendor (Entra)"),
    ("ver", "token version", "vendor (Entra)"),
    ("uti", "token id", "vendor (Entra)"),
    ("cid", "client id", "vendor (Okta)"),
    ("uid", "user id", "vendor (Okta)"),
    ("realm_access", "realm roles", "vendor (Keycloak)"),
    ("resource_access", "client roles", "vendor (Keycloak)"),
    ("typ", "token type", "vendor (Keycloak)"),
    ("gty", "grant type", "vendor (Auth0)"),
    ("permissions", "permissions granted", "vendor (Auth0)"),
];

/// Claims whose value is a NumericDate.
pub const TIME_CLAIMS: &[&str] = &["exp", "nbf", "iat", "auth_time", "updated_at"];

pub fn header_meaning(name: &str) -> Option<(&'static str, &'static str)> {
    HEADER.iter().find(|(n, ..)| *n == name).map(|(_, m, s)| (*m, *s))
}

pub fn claim_meaning(name: &str) -> Option<(&'static str, &'static str)> {
    CLAIMS.iter().find(|(n, ..)| *n == name).map(|(_, m, s)| (*m, *s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        assert_eq!(claim_meaning("exp").map(|m| m.1), Some("RFC 7519 §4.1.4"));
        assert!(header_meaning("kid").is_some());
        assert!(claim_meaning("made_up").is_none());
        assert!(TIME_CLAIMS.contains(&"iat"));
    }
}
