//! Helpers for driving the real `oauth-inspector` binary: a sandbox process on loopback and CLI
//! runs with their exit status, stdout and stderr.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_oauth-inspector");
pub const SERVICE_ID: &str = "sandbox-service";
pub const SERVICE_SECRET: &str = "sandbox-service-secret";

/// `oauth-inspector sandbox --port 0` as a child process, killed on drop.
pub struct SandboxProcess {
    child: Child,
    pub issuer: String,
}

impl SandboxProcess {
    pub fn start() -> Self {
        let mut child = Command::new(BIN)
            .args(["sandbox", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn sandbox");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).expect("read issuer line");
        let issuer = first.trim().to_string();
        assert!(issuer.starts_with("http://127.0.0.1:"), "first line must be the issuer, got {issuer:?}");
        Self { child, issuer }
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// The `--json` lines, each parsed.
    pub fn events(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line: {l:?}: {e}")))
            .collect()
    }
    pub fn of_type(&self, t: &str) -> Vec<serde_json::Value> {
        self.events().into_iter().filter(|e| e["type"] == t).collect()
    }
}

pub fn run(args: &[&str]) -> Output {
    let out = Command::new(BIN).args(args).env_remove("OAUTH_INSPECTOR_CLIENT_SECRET").output().expect("run cli");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn db_arg(dir: &Path) -> String {
    dir.join("sessions.db").to_string_lossy().into_owned()
}

pub fn session(dir: &Path, id: i64) -> inspector_store::SessionRecord {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let store = inspector_store::Store::open(&dir.join("sessions.db")).await.unwrap();
        store.session(id).await.unwrap().expect("session saved")
    })
}
