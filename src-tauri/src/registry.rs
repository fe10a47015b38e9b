//! Saved providers and client registrations for the Flows form. Secrets go into the store
//! sealed and never come back to the window: a run with a saved client unseals them itself.

use inspector_engine::Secret;
use inspector_engine::client_auth::AuthMethod;
use inspector_engine::discovery::ProviderSource;
use inspector_engine::flows::common::ClientSecrets;
use inspector_store::{ClientRegistration, Provider, SavedClient, Store};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::commands::{AppState, CommandError};

fn store<'a>(state: &'a State<'_, AppState>) -> Result<&'a Store, CommandError> {
    state.store.as_ref().map_err(|e| CommandError::new("store_unavailable", e.clone()))
}

fn err(e: inspector_store::StoreError) -> CommandError {
    CommandError::new(e.code(), e.to_string())
}

#[derive(Serialize)]
pub struct ProviderEntry {
    #[serde(flatten)]
    provider: Provider,
    clients: Vec<SavedClient>,
}

#[tauri::command]
pub async fn list_providers(state: State<'_, AppState>) -> Result<Vec<ProviderEntry>, CommandError> {
    let s = store(&state)?;
    let mut out = Vec::new();
    for provider in s.list_providers().await.map_err(err)? {
        let clients = s.list_clients(provider.id).await.map_err(err)?;
        out.push(ProviderEntry { provider, clients });
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SaveRequest {
    provider: String,
    issuer: String,
    client: String,
    client_id: String,
    client_secret: Option<String>,
    auth_method: AuthMethod,
    scope: Option<String>,
    redirect_uri: Option<String>,
}

#[tauri::command]
pub async fn save_client(state: State<'_, AppState>, request: SaveRequest) -> Result<(), CommandError> {
    let s = store(&state)?;
    s.save_provider(&request.provider, &ProviderSource::Issuer { issuer: request.issuer.trim().to_string() })
        .await
        .map_err(err)?;
    let reg = ClientRegistration {
        name: request.client,
        client_id: request.client_id,
        auth_method: request.auth_method,
        redirect_uri: request.redirect_uri.filter(|r| !r.trim().is_empty()),
        scope: request.scope.filter(|r| !r.trim().is_empty()),
        ..Default::default()
    };
    let secrets = ClientSecrets {
        client_secret: request.client_secret.filter(|s| !s.is_empty()).map(Secret::new),
        private_key: None,
    };
    s.save_client(request.provider.as_str(), &reg, &secrets).await.map_err(err)?;
    Ok(())
}
