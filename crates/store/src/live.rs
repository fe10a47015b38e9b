//! Is the process that writes a `running` session still alive? A session records its writer's pid
//! and a start marker (on Linux the boot id and the process start time from /proc, so a reused pid
//! does not count). Elsewhere only this very process is known to be alive; any other writer's
//! session reads as interrupted. Leaves out locks and heartbeats.

/// This process: its pid and start marker.
pub(crate) fn me() -> (i64, Option<String>) {
    let pid = std::process::id() as i64;
    (pid, marker(pid))
}

fn marker(pid: i64) -> Option<String> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Field 2 (comm) may hold spaces and parentheses: count fields after its closing parenthesis.
    let after = &stat[stat.rfind(')')? + 1..];
    let start = after.split_whitespace().nth(19)?;
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap_or_default();
    Some(format!("{}:{start}", boot.trim()))
}

/// Whether the writer identified by `pid` and `mark` is still running.
pub(crate) fn alive(pid: Option<i64>, mark: Option<&str>) -> bool {
    let Some(pid) = pid else { return false };
    let (me, my_mark) = me();
    if pid == me {
        return mark == my_mark.as_deref();
    }
    match (marker(pid), mark) {
        (Some(now), Some(then)) => now == then,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_dead_one_is_not() {
        let (pid, mark) = me();
        assert!(alive(Some(pid), mark.as_deref()));
        assert!(!alive(None, None));
        if cfg!(target_os = "linux") {
            assert!(mark.is_some());
            assert!(!alive(Some(pid), Some("another-boot:1")), "same pid, other start: not us");
            let mut child = std::process::Command::new("true").spawn().unwrap();
            let cpid = child.id() as i64;
            let cmark = marker(cpid);
            child.wait().unwrap();
            assert!(!alive(Some(cpid), cmark.as_deref()), "a finished process is gone");
        }
    }
}
