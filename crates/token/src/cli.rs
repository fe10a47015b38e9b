//! The `token inspect` and `diagnose` commands as library functions: clap argument structs, the
//! run functions returning what to print and the exit status, so the binary is a thin shim and
//! the contract (JSON shape, exit codes 0/1/2) is tested here. Leaves process handling to the binary.
//!
//! Exit status: inspect 0 valid, 1 not valid, 2 usage error; diagnose 0 diagnosis printed, 2 usage
//! error or unreadable file.

use std::io::Read;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::checks::Options;
use crate::diagnose::{DiagnoseOptions, diagnose};
use crate::error::Error;
use crate::http;
use crate::inspect::{KeySource, inspect};
use crate::jwks::{JwksFetcher, JwksSource};
use crate::report;
use crate::secret::Secret;
use crate::times;

#[derive(Subcommand, Clone, Debug)]
pub enum TokenCommand {
    /// Decode a token and validate it: signature, iss/aud/exp/nbf/iat, scopes, ID-token and
    /// RFC 9068 access-token rules. Exit 0 valid, 1 not valid, 2 usage error.
    Inspect(InspectArgs),
}

#[derive(Args, Clone, Debug)]
pub struct InspectArgs {
    /// The token, or `-` to read it from standard input
    #[arg(value_name = "TOKEN|-")]
    pub token: String,
    /// JWKS to verify with: a file, or an http(s) URL
    #[arg(long, value_name = "FILE|URL")]
    pub jwks: Option<String>,
    /// Issuer whose discovery document gives the JWKS ({issuer}/.well-known/openid-configuration);
    /// also the expected `iss` unless --expect-issuer is given
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,
    /// Shared secret (raw UTF-8 bytes) for HS256/384/512 tokens only
    #[arg(long, value_name = "S", env = "OAUTH_INSPECTOR_SECRET", hide_env_values = true, allow_hyphen_values = true)]
    pub secret: Option<Secret>,
    /// Expected `iss` (does not fetch anything)
    #[arg(long, value_name = "ISS")]
    pub expect_issuer: Option<String>,
    /// Expected audience; repeat for several (one match is enough)
    #[arg(long, value_name = "AUD")]
    pub audience: Vec<String>,
    /// Required scope; repeat or space-separate for several (whole words)
    #[arg(long, value_name = "S")]
    pub scope: Vec<String>,
    /// The nonce sent in the authentication request (checks the token as an ID token)
    #[arg(long, value_name = "N")]
    pub nonce: Option<String>,
    /// The access token issued with this ID token, to check at_hash
    #[arg(long, value_name = "AT", allow_hyphen_values = true)]
    pub access_token: Option<Secret>,
    /// The authorization code issued with this ID token, to check c_hash
    #[arg(long, value_name = "CODE", allow_hyphen_values = true)]
    pub code: Option<Secret>,
    /// The client id (checks the token as an ID token: aud, azp)
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// Current time as Unix seconds (default: the system clock)
    #[arg(long, value_name = "UNIX", allow_negative_numbers = true)]
    pub now: Option<i64>,
    /// Clock-skew allowance for exp, nbf and iat
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub leeway: u64,
    /// Print one JSON object instead of a report
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Clone, Debug)]
pub struct DiagnoseArgs {
    /// The request: a raw HTTP/1.1 request or a one-line curl command
    #[arg(long, value_name = "FILE")]
    pub request: PathBuf,
    /// The response: a raw HTTP/1.1 response (e.g. from `curl -i`)
    #[arg(long, value_name = "FILE")]
    pub response: PathBuf,
    /// JWKS to verify the token with: a file, or an http(s) URL
    #[arg(long, value_name = "FILE|URL")]
    pub jwks: Option<String>,
    /// Issuer whose discovery document gives the JWKS; also the expected `iss`
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,
    /// Expected `iss` (does not fetch anything)
    #[arg(long, value_name = "ISS")]
    pub expect_issuer: Option<String>,
    /// Expected audience; repeat for several
    #[arg(long, value_name = "AUD")]
    pub audience: Vec<String>,
    /// Time of the call as Unix seconds (default: the response's Date header, else now)
    #[arg(long, value_name = "UNIX", allow_negative_numbers = true)]
    pub now: Option<i64>,
    /// Print one JSON object instead of a report
    #[arg(long)]
    pub json: bool,
}

/// What the binary prints and returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: u8,
}

impl Outcome {
    fn usage(e: impl std::fmt::Display) -> Outcome {
        Outcome { stdout: String::new(), stderr: format!("oauth-inspector: {e}\n"), code: 2 }
    }
}

fn key_source(jwks: &Option<String>, issuer: &Option<String>, secret: Option<Secret>) -> Result<KeySource, Error> {
    let jwks = match (jwks, issuer) {
        (Some(_), Some(_)) => return Err(Error::Usage("give either --jwks or --issuer, not both".into())),
        (Some(j), None) => Some(JwksSource::from_arg(j)),
        (None, Some(i)) => {
            let u = url::Url::parse(i).map_err(|e| Error::Usage(format!("--issuer {i:?} is not a URL: {e}")))?;
            if !matches!(u.scheme(), "http" | "https") {
                return Err(Error::Usage(format!("--issuer {i:?} is not an http(s) URL")));
            }
            Some(JwksSource::Issuer(i.clone()))
        }
        (None, None) => None,
    };
    Ok(KeySource { jwks, secret })
}

/// `oauth-inspector token inspect`. `stdin` is read only for the token `-`.
pub async fn run_inspect(args: &InspectArgs, stdin: &mut dyn Read, fetcher: &JwksFetcher) -> Outcome {
    let token = if args.token == "-" {
        // Bytes, not a string: binary garbage is judged (an opaque token), not refused.
        let mut b = Vec::new();
        if let Err(e) = stdin.read_to_end(&mut b) {
            return Outcome::usage(format!("cannot read the token from standard input: {e}"));
        }
        // The one line ending a file or `echo` adds is no paste mistake; anything else is shown.
        let text = String::from_utf8_lossy(&b).into_owned();
        let line = text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&text);
        line.to_string()
    } else {
        // As given: `inspect` names quotes, whitespace and a `Bearer ` prefix, then checks without them.
        args.token.clone()
    };
    if token.trim().is_empty() {
        return Outcome::usage("the token is empty");
    }
    if args.secret.as_ref().is_some_and(Secret::is_empty) {
        return Outcome::usage("--secret is empty");
    }
    let keys = match key_source(&args.jwks, &args.issuer, args.secret.clone()) {
        Ok(k) => k,
        Err(e) => return Outcome::usage(e),
    };
    let opts = Options {
        expected_issuer: args.expect_issuer.clone().or_else(|| args.issuer.clone()),
        audiences: args.audience.clone(),
        scopes: args.scope.clone(),
        nonce: args.nonce.clone(),
        access_token: args.access_token.clone(),
        code: args.code.clone(),
        client_id: args.client_id.clone(),
        now: args.now.unwrap_or_else(times::now),
        leeway: args.leeway,
    };
    match inspect(&token, &keys, &opts, fetcher).await {
        Ok(r) => {
            let stdout = if args.json {
                serde_json::to_string_pretty(&r).unwrap_or_default() + "\n"
            } else {
                report::render_report(&r)
            };
            Outcome { stdout, stderr: String::new(), code: if r.valid { 0 } else { 1 } }
        }
        Err(e) => Outcome::usage(e),
    }
}

/// `oauth-inspector diagnose`.
pub async fn run_diagnose(args: &DiagnoseArgs, fetcher: &JwksFetcher) -> Outcome {
    let read = |p: &PathBuf| {
        std::fs::read(p)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .map_err(|e| format!("cannot read {}: {e}", p.display()))
    };
    let req_text = match read(&args.request) {
        Ok(t) => t,
        Err(e) => return Outcome::usage(e),
    };
    let resp_text = match read(&args.response) {
        Ok(t) => t,
        Err(e) => return Outcome::usage(e),
    };
    let req = match http::parse_request(&req_text) {
        Ok(r) => r,
        Err(e) => return Outcome::usage(format!("{}: {e}", args.request.display())),
    };
    let resp = match http::parse_response(&resp_text) {
        Ok(r) => r,
        Err(e) => return Outcome::usage(format!("{}: {e}", args.response.display())),
    };
    let keys = match key_source(&args.jwks, &args.issuer, None) {
        Ok(k) => k,
        Err(e) => return Outcome::usage(e),
    };
    let opts = DiagnoseOptions {
        keys,
        expected_issuer: args.expect_issuer.clone().or_else(|| args.issuer.clone()),
        audiences: args.audience.clone(),
        now: args.now,
        leeway: 60,
    };
    match diagnose(&req, &resp, &opts, fetcher).await {
        Ok(d) => {
            let stdout = if args.json {
                serde_json::to_string_pretty(&d).unwrap_or_default() + "\n"
            } else {
                report::render_diagnosis(&d)
            };
            Outcome { stdout, stderr: String::new(), code: 0 }
        }
        Err(e) => Outcome::usage(e),
    }
}
