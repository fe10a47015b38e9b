//! The crate's one error type: what stops a check or a diagnosis from running at all (unreadable
//! input, an unusable key set). Problems found *in* a token are not errors; they are check results.

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad arguments or input the user must fix (exit status 2 in the CLI).
    #[error("{0}")]
    Usage(String),
    #[error("cannot read {what}: {source}")]
    Read {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid JWKS from {origin}: {reason}")]
    Jwks { origin: String, reason: String },
    #[error("fetching {url}: {reason}")]
    Fetch { url: String, reason: String },
    #[error("cannot parse the HTTP {what}: {reason}")]
    Http { what: &'static str, reason: String },
}

impl Error {
    /// A stable code for the `{code, message}` shape used at the IPC boundary.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Usage(_) => "usage",
            Error::Read { .. } => "read",
            Error::Jwks { .. } => "jwks",
            Error::Fetch { .. } => "fetch",
            Error::Http { .. } => "http_parse",
        }
    }
}
