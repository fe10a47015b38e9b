//! The window's TypeScript types are generated from the Rust types that cross IPC (ts-rs) and
//! checked in at ui/src/lib/generated/types.ts. This test fails when that file is stale; run it
//! with UPDATE_UI_TYPES=1 to write it anew.

use inspector_app::engine::{check, client_auth, discovery, error, event, gate, pkce, step, token_response};
use inspector_app::{Login, Operation, RunRequest, store, token};
use ts_rs::{Config, TS};

fn declarations() -> String {
    // JSON numbers are JavaScript numbers: no i64 crosses IPC beyond 2^53.
    let cfg = Config::new().with_large_int("number");
    let decls = [
        step::Step::decl(&cfg),
        step::StepStatus::decl(&cfg),
        step::StepKind::decl(&cfg),
        step::StepCategory::decl(&cfg),
        step::Lane::decl(&cfg),
        step::Lanes::decl(&cfg),
        step::DevicePoll::decl(&cfg),
        step::HttpRequest::decl(&cfg),
        step::HttpResponse::decl(&cfg),
        step::SecretMark::decl(&cfg),
        gate::PendingRequest::decl(&cfg),
        gate::RequestEdit::decl(&cfg),
        gate::Change::decl(&cfg),
        check::Check::decl(&cfg),
        check::CheckStatus::decl(&cfg),
        error::FlowError::decl(&cfg),
        error::ErrorCode::decl(&cfg),
        error::OauthErrorBody::decl(&cfg),
        event::FlowEvent::decl(&cfg),
        event::UserAction::decl(&cfg),
        token_response::TokenSet::decl(&cfg),
        discovery::Endpoints::decl(&cfg),
        discovery::ProviderSource::decl(&cfg),
        client_auth::AuthMethod::decl(&cfg),
        pkce::PkceMethod::decl(&cfg),
        store::SessionSummary::decl(&cfg),
        store::SessionRecord::decl(&cfg),
        store::SessionDiff::decl(&cfg),
        store::diff::StepDiff::decl(&cfg),
        store::diff::StepRef::decl(&cfg),
        store::diff::Difference::decl(&cfg),
        store::diff::Aspect::decl(&cfg),
        token::Report::decl(&cfg),
        token::inspect::Annotation::decl(&cfg),
        token::inspect::SignatureInfo::decl(&cfg),
        token::Format::decl(&cfg),
        token::checks::Profile::decl(&cfg),
        token::Problem::decl(&cfg),
        token::PasteMistake::decl(&cfg),
        token::Diagnosis::decl(&cfg),
        token::diagnose::TokenSummary::decl(&cfg),
        token::Cause::decl(&cfg),
        token::CauseCode::decl(&cfg),
        inspector_app::tokens::TokenSummary::decl(&cfg),
        inspector_app::tokens::TokenEntry::decl(&cfg),
        inspector_app::tokens::TokenKind::decl(&cfg),
        inspector_app::send::Diagnosed::decl(&cfg),
        Operation::decl(&cfg),
        inspector_app::probe::ProbeRequest::decl(&cfg),
        inspector_app::probe::ProbeReport::decl(&cfg),
        inspector_app::probe::ProbeRow::decl(&cfg),
        inspector_app::probe::Baseline::decl(&cfg),
        inspector_app::probe::Verdict::decl(&cfg),
        inspector_app::audit::AuditRequest::decl(&cfg),
        inspector_app::audit::AuditReport::decl(&cfg),
        inspector_app::audit::Finding::decl(&cfg),
        inspector_app::audit::Severity::decl(&cfg),
        inspector_app::demo::Attack::decl(&cfg),
        inspector_app::demo::DemoRequest::decl(&cfg),
        inspector_app::demo::DemoReport::decl(&cfg),
        inspector_app::demo::DemoPart::decl(&cfg),
        Login::decl(&cfg),
        RunRequest::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust types by crates/app/tests/ui_types.rs (ts-rs); do not edit.\n\
         // Regenerate: UPDATE_UI_TYPES=1 cargo test -p inspector-app --test ui_types\n\n\
         export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]?: JsonValue } | null;\n\n",
    );
    for d in decls {
        out.push_str("export ");
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out
}

#[test]
fn the_checked_in_ui_types_match_the_rust_types() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/generated/types.ts");
    let now = declarations();
    if std::env::var_os("UPDATE_UI_TYPES").is_some() {
        std::fs::write(&path, &now).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == now,
        "{} is stale: the Rust types changed. Regenerate it with\n  UPDATE_UI_TYPES=1 cargo test -p inspector-app --test ui_types",
        path.display()
    );
}
