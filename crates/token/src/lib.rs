//! Token decoding, validation and 401/403 diagnosis (issue 4): a JWT, JWE or opaque token in, an
//! ordered list of named checks and a verdict out; a failing HTTP call in, its likely causes out.
//! Leaves out: drawing the results (the CLI and the desktop app render `Report` and `Diagnosis`),
//! decrypting JWEs, and introspection of opaque tokens (those need the authorization server).
//!
//! Modules, in the order data flows through them:
//! `decode` (segments → header/claims), `claims` (what each claim means), `times` (NumericDate
//! arithmetic), `jwks` (key sets and their cache), `signature` (JWS verification), `checks` (the
//! ordered checks), `inspect` (one call from a token to a `Report`), `report` (text rendering),
//! `http` and `challenge` (raw HTTP and WWW-Authenticate parsing), `diagnose`, `cli`.

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
pub use secret::Secret;
