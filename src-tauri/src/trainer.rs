//! The Trainer view's commands: the built-in sandbox's misbehaviour switches, read and set at run
//! time in process. Each deserialises, makes one call into the sandbox's `Trainer`, and maps the
//! error to `{code, message}`; the switches themselves (and what each breaks) live in the sandbox.

use inspector_sandbox::trainer::{SwitchState, parse_names};
use tauri::State;

use crate::commands::{AppState, CommandError};

/// Every switch with its state, what it breaks and how the inspector shows it.
#[tauri::command]
pub fn trainer_switches(state: State<'_, AppState>) -> Result<Vec<SwitchState>, CommandError> {
    Ok(state.sandbox()?.trainer.describe())
}

/// Turns exactly the switches named in `on` on and every other off; an unknown name changes
/// nothing and is named in the error with the valid ones.
#[tauri::command]
pub fn set_trainer_switches(state: State<'_, AppState>, on: Vec<String>) -> Result<Vec<SwitchState>, CommandError> {
    set(state.sandbox()?, &on)
}

fn set(sandbox: &inspector_sandbox::Sandbox, on: &[String]) -> Result<Vec<SwitchState>, CommandError> {
    let switches = parse_names(on.iter().map(String::as_str)).map_err(|e| CommandError::new("invalid_input", e))?;
    sandbox.trainer.set_only(switches);
    Ok(sandbox.trainer.describe())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn exactly_the_named_switches_go_on_and_an_unknown_name_changes_nothing() {
        let sb = inspector_sandbox::start(0).await.unwrap();
        let on = |states: &[SwitchState]| states.iter().filter(|s| s.on).map(|s| s.name).collect::<Vec<_>>();
        let states = set(&sb, &["iss-missing".into(), "codes-reusable".into()]).unwrap();
        assert_eq!(on(&states), ["codes-reusable", "iss-missing"]);
        let states = set(&sb, &["wrong-state".into()]).unwrap();
        assert_eq!(on(&states), ["wrong-state"], "the others are turned off");

        let e = serde_json::to_value(set(&sb, &["wrong-state".into(), "pkce-off".into()]).unwrap_err()).unwrap();
        assert_eq!(e["code"], "invalid_input");
        let msg = e["message"].as_str().unwrap();
        assert!(msg.contains("\"pkce-off\"") && msg.contains("pkce-not-enforced"), "{msg}");
        assert_eq!(on(&sb.trainer.describe()), ["wrong-state"], "a bad list changes nothing");
        assert_eq!(on(&set(&sb, &[]).unwrap()), Vec::<&str>::new(), "an empty list is all off");
    }
}
