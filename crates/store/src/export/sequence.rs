//! The session's sequence diagram for the Markdown export, as a Mermaid `sequenceDiagram` block
//! (GitHub, GitLab and most Markdown viewers draw it): a participant per lane that takes part, an
//! arrow per request and per response, browser hops and notes, consecutive device polls folded
//! into one arrow with their count and last answer, failed steps marked ✘. The window draws the
//! same steps as SVG (ui/src/lib/SequenceDiagram.svelte); this is its text twin for a report.

use inspector_engine::Step;
use inspector_engine::step::{Lane, StepCategory, StepKind};

fn id(l: Lane) -> &'static str {
    match l {
        Lane::Browser => "B",
        Lane::App => "I",
        Lane::AuthorizationServer => "AS",
        Lane::ResourceApi => "API",
        Lane::Attacker => "X",
    }
}

fn title(l: Lane) -> &'static str {
    match l {
        Lane::Browser => "User / Browser",
        Lane::App => "OAuth Flow Inspector",
        Lane::AuthorizationServer => "Authorization Server",
        Lane::ResourceApi => "Resource API",
        Lane::Attacker => "Attacker",
    }
}

/// Text Mermaid reads as a message: one line, no statement separator or entity, at most 60 chars.
fn label(s: &str) -> String {
    let clean: String =
        s.chars().map(|c| if c.is_control() || matches!(c, ';' | '#' | '<' | '>') { ' ' } else { c }).collect();
    let clean = clean.trim();
    if clean.chars().count() > 60 {
        format!("{}…", clean.chars().take(59).collect::<String>())
    } else {
        clean.to_string()
    }
}

fn path(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.path().to_string())
        .unwrap_or_else(|_| url.split('?').next().unwrap_or(url).to_string())
}

/// A response in a word or two: the OAuth `error`, the redirect target, or the status.
fn meaning(step: &Step) -> String {
    let StepKind::Http { response: Some(r), .. } = &step.kind else { return "no response".into() };
    let body: Option<serde_json::Value> = serde_json::from_str(&r.body).ok();
    if let Some(e) = body.as_ref().and_then(|b| b.get("error")).and_then(|e| e.as_str()) {
        return format!("{} {e}", r.status);
    }
    if (300..400).contains(&r.status) {
        return match r.header("location") {
            Some(l) => format!("{} → {}", r.status, path(l)),
            None => r.status.to_string(),
        };
    }
    if body.as_ref().is_some_and(|b| b.get("access_token").is_some()) {
        return format!("{} tokens", r.status);
    }
    r.status.to_string()
}

pub fn render(steps: &[Step]) -> String {
    let mut lanes: Vec<Lane> = vec![Lane::Browser, Lane::App, Lane::AuthorizationServer, Lane::ResourceApi];
    if steps.iter().any(|s| s.lanes.from == Lane::Attacker || s.lanes.to == Lane::Attacker) {
        lanes.push(Lane::Attacker);
    }
    let mut out = String::from("```mermaid\nsequenceDiagram\n");
    for l in &lanes {
        out.push_str(&format!("    participant {} as {}\n", id(*l), title(*l)));
    }
    let mut i = 0;
    while i < steps.len() {
        let s = &steps[i];
        let (from, to) = (id(s.lanes.from), id(s.lanes.to));
        let fail = if s.status == inspector_engine::StepStatus::Failed { "✘ " } else { "" };
        if s.poll.is_some() {
            let mut j = i;
            while j + 1 < steps.len() && steps[j + 1].poll.is_some() {
                j += 1;
            }
            let last = steps[j].poll.as_ref().map(|p| p.answer.as_str()).unwrap_or("?");
            out.push_str(&format!("    {from}->>{to}: {}\n", label(&format!("poll ×{} · last: {last}", j - i + 1))));
            i = j + 1;
            continue;
        }
        match &s.kind {
            StepKind::Http { request, .. }
                if !matches!(s.category, StepCategory::Redirect | StepCategory::BrowserNavigation) =>
            {
                out.push_str(&format!(
                    "    {from}->>{to}: {}\n",
                    label(&format!("{} {}", request.method, path(&request.url)))
                ));
                out.push_str(&format!("    {to}-->>{from}: {fail}{}\n", label(&meaning(s))));
            }
            StepKind::Http { request, .. } => {
                out.push_str(&format!(
                    "    {from}->>{to}: {fail}{}\n",
                    label(&format!("{} · {}", path(&request.url), meaning(s)))
                ));
            }
            StepKind::Local { .. } if from != to => {
                out.push_str(&format!("    {from}->>{to}: {fail}{}\n", label(&s.title)));
            }
            StepKind::Local { .. } => out.push_str(&format!("    Note over {from}: {fail}{}\n", label(&s.title))),
        }
        i += 1;
    }
    out.push_str("```\n");
    out
}

#[cfg(test)]
mod tests {
    use inspector_engine::step::{DevicePoll, Lane};
    use inspector_engine::{Step, StepStatus};

    #[test]
    fn lanes_arrows_notes_and_folded_polls() {
        let note = Step::local("Generated state; and #nonce", StepStatus::Ok, serde_json::json!({}));
        let hop = Step::local("The attacker gets the code", StepStatus::Failed, serde_json::json!({}))
            .lanes(Lane::Browser, Lane::Attacker);
        let mut poll =
            Step::local("poll", StepStatus::Ok, serde_json::json!({})).lanes(Lane::App, Lane::AuthorizationServer);
        poll.poll = Some(DevicePoll { number: 1, answer: "authorization_pending".into() });
        let mut poll2 = poll.clone();
        poll2.poll = Some(DevicePoll { number: 2, answer: "slow_down".into() });
        let text = super::render(&[note, hop, poll, poll2]);
        assert!(text.starts_with("```mermaid\nsequenceDiagram\n"), "{text}");
        assert!(text.contains("participant X as Attacker"), "the attacker lane when it takes part");
        assert!(text.contains("Note over I: Generated state  and  nonce"), "{text}");
        assert!(text.contains("B->>X: ✘ The attacker gets the code"), "{text}");
        assert!(text.contains("I->>AS: poll ×2 · last: slow_down"), "{text}");
        assert_eq!(text.matches("->>").count(), 2, "{text}");
    }
}
