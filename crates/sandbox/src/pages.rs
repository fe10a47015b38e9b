//! The few HTML pages a person sees in the sandbox: login, consent, device code entry, results.
//! Plain forms, no scripts, so any browser (or a test's HTTP client) can complete them.

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=utf-8><title>{t} · Sandbox</title>\
         <style>body{{font-family:system-ui,sans-serif;background:#f0f4f8;display:flex;justify-content:center;padding-top:8vh}}\
         main{{background:#fff;border:1px solid #d9e2ec;border-radius:10px;padding:1.6rem 2rem;min-width:340px;max-width:480px}}\
         h1{{font-size:1.2rem;margin-top:0}}label{{display:block;margin:.6rem 0}}input{{display:block;width:100%;padding:.4rem;margin-top:.2rem}}\
         button{{padding:.5rem 1.1rem;margin:.8rem .5rem 0 0;border-radius:5px;border:0;background:#2f80ed;color:#fff;font-weight:600}}\
         button.secondary{{background:#bcccdc;color:#102a43}}code{{background:#f0f4f8;padding:0 .2rem}}small{{color:#627d98}}</style></head>\
         <body><main><h1>{t}</h1>{body}<p><small>OAuth Flow Inspector sandbox — any username works.</small></p></main></body></html>",
        t = esc(title)
    )
}

pub fn login(action: &str, client_id: &str) -> String {
    page(
        "Sign in",
        &format!(
            "<p><code>{}</code> wants you to sign in.</p><form method=post action=\"{}\">\
             <label>Username <input name=username value=\"alice\" autofocus></label>\
             <label>Password <input name=password type=password value=\"sandbox\"></label>\
             <button type=submit>Sign in</button></form>",
            esc(client_id),
            esc(action)
        ),
    )
}

pub fn consent(action: &str, client_id: &str, username: &str, scopes: &[String]) -> String {
    let items: String = scopes.iter().map(|s| format!("<li><code>{}</code></li>", esc(s))).collect();
    page(
        "Allow access?",
        &format!(
            "<p>Signed in as <strong>{}</strong>. <code>{}</code> asks for:</p><ul>{items}</ul>\
             <form method=post action=\"{}\"><button type=submit name=decision value=allow>Allow</button>\
             <button type=submit name=decision value=deny class=secondary>Deny</button></form>",
            esc(username),
            esc(client_id),
            esc(action)
        ),
    )
}

pub fn device_entry(action: &str, prefill: &str, problem: Option<&str>) -> String {
    let problem = problem.map(|p| format!("<p style=color:#c53030>{}</p>", esc(p))).unwrap_or_default();
    page(
        "Connect a device",
        &format!(
            "{problem}<form method=post action=\"{}\"><label>Code shown on your device \
             <input name=user_code value=\"{}\" autofocus></label>\
             <label>Username <input name=username value=\"alice\"></label>\
             <button type=submit>Continue</button></form>",
            esc(action),
            esc(prefill)
        ),
    )
}

pub fn message(title: &str, text: &str) -> String {
    page(title, &format!("<p>{}</p>", esc(text)))
}
