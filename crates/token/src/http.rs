//! Reading a failing call as the user saved it: a raw HTTP/1.1 request or a one-line curl command,
//! and a raw HTTP/1.1 response (RFC 9112 §2-§6; `curl -i` output with interim responses too).
//! Leaves out sending anything, chunked decoding and HTTP/2 framing: text in, fields out.

use base64::Engine;

use crate::error::Error;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The request target or URL as written.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// True when read from a curl command.
    pub from_curl: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// All values of a header, case-insensitively.
pub fn header_values<'a>(headers: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).collect()
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        header_values(&self.headers, name).into_iter().next()
    }

    /// Query parameters of the target (percent-decoded).
    pub fn query(&self) -> Vec<(String, String)> {
        let q = match self.target.split_once('?') {
            Some((_, q)) => q.split('#').next().unwrap_or(""),
            None => return Vec::new(),
        };
        url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()
    }

    /// Form body parameters, when the body is form-encoded (RFC 6750 §2.2).
    pub fn form(&self) -> Vec<(String, String)> {
        let ct = self.header("content-type").unwrap_or("").to_ascii_lowercase();
        if ct.starts_with("application/x-www-form-urlencoded")
            || (self.from_curl && !self.body.trim_start().starts_with(['{', '[']))
        {
            url::form_urlencoded::parse(self.body.as_bytes()).into_owned().collect()
        } else {
            Vec::new()
        }
    }
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        header_values(&self.headers, name).into_iter().next()
    }
}

/// Splits head and body at the first empty line; lines may end in CRLF or LF.
fn split_message(text: &str) -> (Vec<&str>, &str) {
    let mut lines = Vec::new();
    let mut rest = text;
    loop {
        let (line, after) = match rest.find('\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            return (lines, after);
        }
        lines.push(line);
        if after.is_empty() {
            return (lines, "");
        }
        rest = after;
    }
}

fn parse_headers(lines: &[&str]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for l in lines {
        if l.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(l.trim());
            }
            continue;
        }
        if let Some((n, v)) = l.split_once(':') {
            out.push((n.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

/// A raw HTTP request, or a curl command (recognised by its first word).
pub fn parse_request(text: &str) -> Result<Request, Error> {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with("curl ") || t.starts_with("curl\t") || t.starts_with("curl\\") {
        return parse_curl(t);
    }
    let (lines, body) = split_message(t);
    let first = lines.first().ok_or(Error::Http { what: "request", reason: "empty".into() })?;
    let mut parts = first.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("").to_string();
    let version_ok = parts.next().is_none_or(|v| v.starts_with("HTTP/"));
    let target_ok =
        target.starts_with('/') || target.starts_with("http://") || target.starts_with("https://") || target == "*";
    if method.is_empty() || !method.chars().all(|c| c.is_ascii_uppercase()) || !target_ok || !version_ok {
        return Err(Error::Http {
            what: "request",
            reason: format!("first line is not `METHOD target HTTP/1.1`: {first:?}"),
        });
    }
    Ok(Request { method, target, headers: parse_headers(&lines[1..]), body: body.to_string(), from_curl: false })
}

/// A raw HTTP response; with several (`curl -i` shows `100 Continue`, redirects), the last one.
pub fn parse_response(text: &str) -> Result<Response, Error> {
    let mut t = text.trim_start_matches('\u{feff}').trim_start();
    loop {
        let (lines, body) = split_message(t);
        let first = lines.first().ok_or(Error::Http { what: "response", reason: "empty".into() })?;
        let mut parts = first.splitn(3, ' ');
        let version = parts.next().unwrap_or("");
        let status: u16 = parts.next().and_then(|s| s.trim().parse().ok()).unwrap_or(0);
        if !version.starts_with("HTTP/") || !(100..=599).contains(&status) {
            return Err(Error::Http {
                what: "response",
                reason: format!("first line is not `HTTP/1.1 status reason`: {first:?}"),
            });
        }
        let next = body.trim_start();
        if next.starts_with("HTTP/") && (status < 200 || (300..400).contains(&status)) {
            t = next;
            continue;
        }
        return Ok(Response {
            status,
            reason: parts.next().unwrap_or("").trim().to_string(),
            headers: parse_headers(&lines[1..]),
            body: body.to_string(),
        });
    }
}

/// POSIX-shell-like word splitting: quotes, backslashes, line continuations. No expansion.
pub fn shell_words(s: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(x) => cur.push(x),
                        None => return Err("unterminated single quote".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(x @ ('"' | '\\' | '$' | '`')) => cur.push(x),
                            Some('\n') => {}
                            Some(x) => {
                                cur.push('\\');
                                cur.push(x);
                            }
                            None => return Err("unterminated double quote".into()),
                        },
                        Some(x) => cur.push(x),
                        None => return Err("unterminated double quote".into()),
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') => {}
                Some('\r') if chars.peek() == Some(&'\n') => {
                    chars.next();
                }
                Some(x) => {
                    in_word = true;
                    cur.push(x);
                }
                None => {}
            },
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// The request a curl command line would send (the parts that matter for authorization).
pub fn parse_curl(cmd: &str) -> Result<Request, Error> {
    let words = shell_words(cmd).map_err(|e| Error::Http { what: "curl command", reason: e })?;
    let mut req = Request { method: String::new(), from_curl: true, ..Request::default() };
    let mut data: Vec<String> = Vec::new();
    let mut get = false;
    // Options taking a value that we do not need.
    const SKIP_VALUE: &[&str] = &[
        "-o",
        "--output",
        "-A",
        "--user-agent",
        "-e",
        "--referer",
        "-b",
        "--cookie",
        "-c",
        "--cookie-jar",
        "--cacert",
        "--cert",
        "--key",
        "-E",
        "-m",
        "--max-time",
        "--connect-timeout",
        "-w",
        "--write-out",
        "--resolve",
        "-x",
        "--proxy",
        "-T",
        "--upload-file",
        "--retry",
        "-r",
        "--range",
        "--limit-rate",
        "-K",
        "--config",
        "-F",
        "--form",
        "--capath",
        "--proxy-user",
        "-U",
        "--max-redirs",
    ];
    let mut i = 1;
    while i < words.len() {
        let w = words[i].as_str();
        let value = |i: &mut usize| -> Result<String, Error> {
            *i += 1;
            words.get(*i).cloned().ok_or(Error::Http { what: "curl command", reason: format!("{w} needs a value") })
        };
        match w {
            "-H" | "--header" => {
                let h = value(&mut i)?;
                if let Some((n, v)) = h.split_once(':') {
                    req.headers.push((n.trim().to_string(), v.trim().to_string()));
                }
            }
            "-X" | "--request" => req.method = value(&mut i)?,
            "-d" | "--data" | "--data-raw" | "--data-binary" | "--data-ascii" | "--data-urlencode" | "--json" => {
                let v = value(&mut i)?;
                if w == "--json" {
                    req.headers.push(("Content-Type".into(), "application/json".into()));
                }
                data.push(v);
            }
            "-u" | "--user" => {
                let v = value(&mut i)?;
                let b = base64::engine::general_purpose::STANDARD.encode(v.as_bytes());
                req.headers.push(("Authorization".into(), format!("Basic {b}")));
            }
            "--oauth2-bearer" => {
                let v = value(&mut i)?;
                req.headers.push(("Authorization".into(), format!("Bearer {v}")));
            }
            "--url" => req.target = value(&mut i)?,
            "-G" | "--get" => get = true,
            _ if SKIP_VALUE.contains(&w) => i += 1,
            _ if w.starts_with("-H") && w.len() > 2 => {
                if let Some((n, v)) = w[2..].split_once(':') {
                    req.headers.push((n.trim().to_string(), v.trim().to_string()));
                }
            }
            _ if w.starts_with("-X") && w.len() > 2 => req.method = w[2..].to_string(),
            _ if w.starts_with('-') => {}
            _ => {
                if req.target.is_empty() {
                    req.target = w.to_string();
                }
            }
        }
        i += 1;
    }
    if req.target.is_empty() {
        return Err(Error::Http { what: "curl command", reason: "no URL".into() });
    }
    if get && !data.is_empty() {
        let sep = if req.target.contains('?') { '&' } else { '?' };
        req.target = format!("{}{sep}{}", req.target, data.join("&"));
    } else {
        req.body = data.join("&");
    }
    if req.method.is_empty() {
        req.method = if req.body.is_empty() { "GET" } else { "POST" }.into();
    }
    Ok(req)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_request_and_response() {
        let r = parse_request("GET /orders?x=1 HTTP/1.1\r\nHost: api\r\nAuthorization: Bearer abc\r\n\r\n").unwrap();
        assert_eq!((r.method.as_str(), r.target.as_str()), ("GET", "/orders?x=1"));
        assert_eq!(r.header("authorization"), Some("Bearer abc"));
        assert_eq!(r.query(), vec![("x".to_string(), "1".to_string())]);

        let s = parse_response(
            "HTTP/1.1 100 Continue\n\nHTTP/1.1 401 Unauthorized\nWWW-Authenticate: Bearer\n  realm=\"a\"\n\n{}",
        )
        .unwrap();
        assert_eq!(s.status, 401);
        assert_eq!(s.header("www-authenticate"), Some("Bearer realm=\"a\""));
        assert_eq!(s.body, "{}");
        assert!(parse_response("hello").is_err());
        assert!(parse_request("").is_err());
    }

    #[test]
    fn curl_commands() {
        let r = parse_curl(
            "curl -sS -X POST 'https://api.example.com/v1/items?a=b' \\\n  -H \"Authorization: Bearer t0k\" -H 'Content-Type: application/json' -d '{\"x\":1}'",
        )
        .unwrap();
        assert_eq!(r.method, "POST");
        assert_eq!(r.target, "https://api.example.com/v1/items?a=b");
        assert_eq!(r.header("Authorization"), Some("Bearer t0k"));
        assert_eq!(r.body, "{\"x\":1}");

        let r = parse_curl("curl -u alice:pw https://x/y").unwrap();
        assert!(r.header("authorization").unwrap().starts_with("Basic "));
        let r = parse_curl("curl --oauth2-bearer abc https://x/y").unwrap();
        assert_eq!(r.header("authorization"), Some("Bearer abc"));
        let r = parse_curl("curl -G https://x/y -d access_token=abc").unwrap();
        assert_eq!(r.query(), vec![("access_token".to_string(), "abc".to_string())]);
        assert!(parse_curl("curl -H 'unterminated").is_err());
    }
}
