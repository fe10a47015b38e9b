//! Unit tests of the store as a whole: writing while a flow runs, liveness, the clear error for a
//! file that is not a database.

use super::*;
use inspector_engine::{Recorder, StepStatus};

pub(crate) fn opts(dir: &std::path::Path) -> StoreOptions {
    StoreOptions { key: KeySource::File(dir.join("test.key")), ..Default::default() }
}

#[tokio::test]
async fn steps_are_on_disk_before_the_flow_ends() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/sessions.db");
    let store = Store::open_with(&path, opts(dir.path())).await.unwrap();
    let new = NewSession {
        flow: "client_credentials".into(),
        provider: "p".into(),
        title: "t".into(),
        settings: serde_json::json!({"client_id": "svc"}),
    };
    let id = store.create_session(&new).await.unwrap();
    let mut rec = Recorder::new();
    let writer = store.attach(id, rec.subscribe());
    rec.local("generated", StepStatus::Ok, serde_json::json!({"n": 1}));
    // A second, independent connection sees the step while the flow is still running.
    let mut seen = 0;
    for _ in 0..100 {
        let other = Store::open_with(&path, opts(dir.path())).await.unwrap();
        let s = other.session(id).await.unwrap().unwrap();
        seen = s.steps.len();
        if seen == 1 {
            assert_eq!(s.summary.outcome, "running", "this process is still driving it");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(seen, 1);
    rec.finish(Err(FlowError::new(inspector_engine::ErrorCode::Timeout, "slow")));
    drop(rec);
    writer.await.unwrap().unwrap();
    let s = store.session(id).await.unwrap().unwrap();
    assert_eq!(s.summary.outcome, "failed");
    assert_eq!(s.summary.client, "svc");
    assert_eq!(s.error.unwrap().message, "slow");
    assert_eq!(store.list(10).await.unwrap()[0].id, id);
}

#[tokio::test]
async fn a_running_session_of_a_dead_process_reads_as_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions.db");
    let store = Store::open_with(&path, opts(dir.path())).await.unwrap();
    let new = NewSession {
        flow: "device_code".into(),
        provider: "p".into(),
        title: "t".into(),
        settings: serde_json::json!({}),
    };
    let id = store.create_session(&new).await.unwrap();
    store
        .write_event(
            id,
            &inspector_engine::FlowEvent::Step(inspector_engine::Step {
                seq: 1,
                at_ms: 1,
                title: "polling".into(),
                status: StepStatus::Ok,
                kind: inspector_engine::step::StepKind::Local { details: serde_json::json!({}) },
                error: None,
                secrets: vec![],
                ..Default::default()
            }),
        )
        .await
        .unwrap();
    assert_eq!(store.list(1).await.unwrap()[0].outcome, "running");
    // The writer was a process that has ended: a finished child's pid and start marker.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id() as i64;
    child.wait().unwrap();
    sqlx::query("UPDATE sessions SET writer_pid = ?, writer_mark = 'gone:1' WHERE id = ?")
        .bind(pid)
        .bind(id)
        .execute(&store.pool)
        .await
        .unwrap();
    let s = store.session(id).await.unwrap().unwrap();
    assert_eq!(s.summary.outcome, "interrupted");
    assert_eq!(s.steps.len(), 1, "every step written before is there");
    let q = ListQuery { outcome: Some("interrupted".into()), ..Default::default() };
    assert_eq!(store.find(&q).await.unwrap().len(), 1);
    let q = ListQuery { outcome: Some("running".into()), ..Default::default() };
    assert!(store.find(&q).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_file_that_is_not_a_database_gives_a_clear_error_and_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    std::fs::write(&path, b"these are my notes, not a database").unwrap();
    let err = Store::open_with(&path, opts(dir.path())).await.err().expect("must refuse");
    assert!(err.to_string().contains("notes.db"), "{err}");
    assert_eq!(err.code(), "store_not_a_database");
    assert_eq!(std::fs::read(&path).unwrap(), b"these are my notes, not a database");
}
