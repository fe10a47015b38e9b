//! Token decoding, validation and 401/403 diagnosis (issue 4): a JWT, JWE or opaque token in, an
//! ordered list of named checks and a verdict out; a failing HTTP call in, its likely causes out.
//! Leaves out: drawing the results (the CLI and the desktop app render `Report` and `Diagnosis`),
//! decrypting JWEs, and introspection of opaque tokens (those need the authorization server).
//!
//! Modules, in the order data flows through them:
//! `decode` (segments → header/claims), `claims` (what each claim means), `times` (NumericDate
//! arithmetic), `jwks` (key sets and their cache), `signature` (JWS verification), `checks` (the
//! ordered checks), `paste` (quotes, whitespace, `Bearer ` pasted around a token), `inspect` (one
//! call from a token to a `Report`), `report` (text rendering),
//! `http` and `challenge` (raw HTTP and WWW-Authenticate parsing), `diagnose`, `cli`, `api`.
//!
//! # For the desktop app
//!
//! Two calls, each taking plain `Deserialize` inputs (camelCase, empty strings = absent) and
//! returning a `Serialize` result with the same JSON shape as the CLI's `--json` output:
//!
//! ```ignore
//! pub async fn api::inspect_token(input: &api::InspectInput, fetcher: &JwksFetcher) -> Result<Report, Error>;
//! pub async fn api::diagnose_text(request: &str, response: &str, input: &api::DiagnoseInput, fetcher: &JwksFetcher)
//!     -> Result<Diagnosis, Error>;
//! ```
//!
//! `InspectInput` holds the token, the keys (`KeyOptions`: `jwksJson` pasted JWKS text, `jwksUrl`,
//! `issuer` for discovery, `secret` for HS*), `expectedIssuer`, `audiences`, `scopes`, `nonce`,
//! `accessToken`, `code`, `clientId`, `now`, `leeway`. `DiagnoseInput` holds the keys,
//! `expectedIssuer`, `audiences`, `now`, `leeway`. Keep one `JwksFetcher` for the app's lifetime:
//! it caches fetched key sets (Cache-Control) and their parsed keys; `JwksFetcher::with_timeout`
//! bounds each fetch. Errors carry a stable `Error::code()` for the `{code, message}` IPC shape.
//! Problems found in a token are not errors: they are in `Report::checks` and `Report::problems`.
//! For many tokens against one pasted JWKS, build the keys once with `api::key_source` and call
//! `inspect` directly.

pub mod api;
pub mod challenge;
pub mod checks;
pub mod claims;
pub mod cli;
pub mod decode;
pub mod diagnose;
mod error;
pub mod http;
pub mod inspect;
mod json;
pub mod jwks;
pub mod paste;
pub mod report;
mod secret;
pub mod signature;
pub mod times;

pub use checks::{Check, Options, Problem, Status};
pub use decode::{Decoded, Format, decode};
pub use diagnose::{Cause, CauseCode, Diagnosis, diagnose};
pub use error::Error;
pub use inspect::{KeySource, Report, inspect};
pub use jwks::{JwksFetcher, JwksSource};
pub use paste::PasteMistake;
pub use secret::Secret;
