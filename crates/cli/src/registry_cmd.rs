//! `oauth-inspector providers …` and `clients …`: save, list and remove providers (an issuer, or
//! endpoints by hand) and their client registrations, so `flow … --provider NAME [--client NAME]`
//! can run without repeating them. A thin front over `inspector_store`; secrets are sealed by the
//! store and never printed — listings say whether a client has a secret or a key.
//! Leaves out discovery at save time (an issuer is checked when a flow runs) and editing in place
//! (`clients add` with the same name replaces the registration).
//!
//! Exit status as for every subcommand (see `main`): 0 done, 1 the provider or client named does
//! not exist, 2 could not run (usage, bad names or URLs, an unreadable key file, the database).
//! Names, URLs and ids are printed through `term::one_line`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use inspector_engine::Secret;
use inspector_engine::client_auth::AuthMethod;
use inspector_engine::discovery::ProviderSource;
use inspector_engine::flows::common::ClientSecrets;
use inspector_store::{ClientRegistration, Provider, SavedClient, Store};

use crate::term::{self, note, one_line, say};
use crate::{Failure, store_failure};

#[derive(Subcommand)]
pub enum ProvidersCommand {
    /// Save a provider: an issuer (endpoints discovered when a flow runs) or endpoints by hand
    Add(ProviderAdd),
    /// List saved providers and their clients
    List {
        /// One JSON array of providers, each with its clients (never their secrets)
        #[arg(long)]
        json: bool,
    },
    /// Remove a provider and every client saved for it
    Remove { name: String },
}

#[derive(Args)]
pub struct ProviderAdd {
    /// A name of your choice, e.g. `sandbox` or `okta-dev` (saving it again replaces it)
    name: String,
    /// Issuer URL; endpoints are discovered from it when a flow runs
    #[arg(long, required_unless_present = "token_url",
          conflicts_with_all = ["authorize_url", "token_url", "device_url", "revocation_url", "introspection_url", "userinfo_url"])]
    issuer: Option<String>,
    /// Endpoints by hand, instead of an issuer
    #[command(flatten)]
    endpoints: crate::flow::EndpointArgs,
}

#[derive(Subcommand)]
pub enum ClientsCommand {
    /// Save a client registration at a saved provider (the same name again replaces it)
    Add(ClientAdd),
    /// List the clients saved for a provider
    List {
        provider: String,
        /// One JSON array of clients (never their secrets)
        #[arg(long)]
        json: bool,
    },
    /// Remove a client registration
    Remove { provider: String, name: String },
}

#[derive(Args)]
pub struct ClientAdd {
    /// The saved provider
    provider: String,
    /// A name for this registration, unique at the provider, e.g. `service` or `spa`
    name: String,
    #[arg(long)]
    client_id: String,
    /// Saved sealed; never printed
    #[arg(long, env = "OAUTH_INSPECTOR_CLIENT_SECRET", hide_env_values = true, allow_hyphen_values = true)]
    client_secret: Option<String>,
    /// PEM file of the private key for private_key_jwt; its text is saved sealed
    #[arg(long, value_name = "PEMFILE")]
    private_key: Option<PathBuf>,
    /// client_secret_basic | client_secret_post | client_secret_jwt | private_key_jwt | none
    /// (default: basic with a secret, private_key_jwt with a key, else none)
    #[arg(long)]
    auth_method: Option<AuthMethod>,
    /// Redirect URI for the authorization code flow
    #[arg(long)]
    redirect_uri: Option<String>,
    #[command(flatten)]
    request: crate::flow::RequestArgs,
}

/// An internal failure (1) with its message.
fn failed(e: impl std::fmt::Display) -> Failure {
    Failure::Failed(e.to_string())
}

fn describe_source(source: &ProviderSource) -> String {
    match source {
        ProviderSource::Issuer { issuer } => format!("issuer {}", one_line(issuer)),
        ProviderSource::Manual { endpoints } => {
            let e = endpoints;
            let named = [
                ("authorize", &e.authorization_endpoint),
                ("token", &e.token_endpoint),
                ("device", &e.device_authorization_endpoint),
                ("revocation", &e.revocation_endpoint),
                ("introspection", &e.introspection_endpoint),
                ("userinfo", &e.userinfo_endpoint),
            ];
            let parts: Vec<String> =
                named.iter().filter_map(|(n, v)| v.as_ref().map(|v| format!("{n} {}", one_line(v)))).collect();
            format!("endpoints: {}", parts.join(", "))
        }
    }
}

fn describe_client(c: &SavedClient) -> String {
    let r = &c.registration;
    let mut parts = vec![format!("client id {}", one_line(&r.client_id)), r.auth_method.as_str().to_string()];
    parts.push(match (c.has_secret, c.has_private_key) {
        (true, true) => "secret and private key saved (sealed)".into(),
        (true, false) => "secret saved (sealed)".into(),
        (false, true) => "private key saved (sealed)".into(),
        (false, false) => "no secret saved".into(),
    });
    if let Some(s) = &r.scope {
        parts.push(format!("scope \"{}\"", one_line(s)));
    }
    if let Some(u) = &r.redirect_uri {
        parts.push(format!("redirect {}", one_line(u)));
    }
    if !r.resource.is_empty() {
        parts.push(format!("resource {}", one_line(&r.resource.join(" "))));
    }
    if let Some(a) = &r.audience {
        parts.push(format!("audience {}", one_line(a)));
    }
    if !r.extra.is_empty() {
        let params = r.extra.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ");
        parts.push(format!("params {}", one_line(&params)));
    }
    parts.join(", ")
}

pub async fn providers(cmd: ProvidersCommand, db: Option<PathBuf>) -> Result<(), Failure> {
    let store = crate::open_store(db).await?;
    match cmd {
        ProvidersCommand::Add(a) => {
            let source = match a.issuer {
                Some(issuer) => ProviderSource::Issuer { issuer },
                None => ProviderSource::Manual { endpoints: a.endpoints.endpoints() },
            };
            let id = store.save_provider(&a.name, &source).await.map_err(store_failure)?;
            let p = store.provider(id).await.map_err(store_failure)?;
            say!("saved provider {} ({})", one_line(&p.name), describe_source(&p.source));
            Ok(())
        }
        ProvidersCommand::List { json } => {
            let providers = store.list_providers().await.map_err(store_failure)?;
            if json {
                let mut out = Vec::new();
                for p in &providers {
                    let mut v = serde_json::to_value(p).map_err(failed)?;
                    let clients = store.list_clients(p.id).await.map_err(store_failure)?;
                    v["clients"] = serde_json::to_value(&clients).map_err(failed)?;
                    out.push(v);
                }
                term::raw(format!("{}\n", serde_json::to_string_pretty(&out).unwrap_or_default()).as_bytes());
                return Ok(());
            }
            if providers.is_empty() {
                say!("no saved providers (add one: oauth-inspector providers add NAME --issuer URL)");
                return Ok(());
            }
            for p in &providers {
                print_provider(&store, p).await?;
            }
            Ok(())
        }
        ProvidersCommand::Remove { name } => {
            let p = store.provider(name.as_str()).await.map_err(store_failure)?;
            let n = store.delete_provider(p.id).await.map_err(store_failure)?;
            say!("removed provider {} and its {n} client{}", one_line(&p.name), if n == 1 { "" } else { "s" });
            Ok(())
        }
    }
}

async fn print_provider(store: &Store, p: &Provider) -> Result<(), Failure> {
    say!("{}  {}", one_line(&p.name), describe_source(&p.source));
    for c in store.list_clients(p.id).await.map_err(store_failure)? {
        say!("    {}  {}", one_line(&c.registration.name), describe_client(&c));
    }
    Ok(())
}

pub async fn clients(cmd: ClientsCommand, db: Option<PathBuf>) -> Result<(), Failure> {
    let store = crate::open_store(db).await?;
    match cmd {
        ClientsCommand::Add(a) => {
            let private_key = match &a.private_key {
                Some(p) => Some(Secret::new(
                    std::fs::read_to_string(p)
                        .map_err(|e| Failure::Usage(format!("cannot read the private key {}: {e}", p.display())))?,
                )),
                None => None,
            };
            let client_secret = a.client_secret.filter(|s| !s.is_empty()).map(Secret::new);
            let auth_method = a.auth_method.unwrap_or(match (&client_secret, &private_key) {
                (_, Some(_)) => AuthMethod::PrivateKeyJwt,
                (Some(_), None) => AuthMethod::ClientSecretBasic,
                (None, None) => AuthMethod::None,
            });
            let registration = ClientRegistration {
                name: a.name,
                client_id: a.client_id,
                auth_method,
                redirect_uri: a.redirect_uri,
                scope: a.request.scope,
                resource: a.request.resource,
                audience: a.request.audience,
                extra: a.request.params,
            };
            let needs = match auth_method {
                AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost | AuthMethod::ClientSecretJwt
                    if client_secret.is_none() =>
                {
                    Some("a client secret")
                }
                AuthMethod::PrivateKeyJwt if private_key.is_none() => Some("a private key"),
                _ => None,
            };
            let secrets = ClientSecrets { client_secret, private_key };
            let provider = store.provider(a.provider.as_str()).await.map_err(store_failure)?;
            let id = store.save_client(provider.id, &registration, &secrets).await.map_err(store_failure)?;
            let listed = store.list_clients(provider.id).await.map_err(store_failure)?;
            let saved = listed
                .iter()
                .find(|c| c.id == id)
                .ok_or_else(|| failed(format!("the client {} was not saved", registration.name)))?;
            say!(
                "saved client {} at {} ({})",
                one_line(&saved.registration.name),
                one_line(&provider.name),
                describe_client(saved)
            );
            if let Some(what) = needs {
                note!("note: {} uses {} but none was saved; give it when running a flow", auth_method.as_str(), what);
            }
            Ok(())
        }
        ClientsCommand::List { provider, json } => {
            let clients = store.list_clients(provider.as_str()).await.map_err(store_failure)?;
            if json {
                term::raw(format!("{}\n", serde_json::to_string_pretty(&clients).unwrap_or_default()).as_bytes());
            } else if clients.is_empty() {
                say!("no saved clients at {}", one_line(&provider));
            } else {
                for c in &clients {
                    say!("{}  {}", one_line(&c.registration.name), describe_client(c));
                }
            }
            Ok(())
        }
        ClientsCommand::Remove { provider, name } => {
            store.delete_client(provider.as_str(), &name).await.map_err(store_failure)?;
            say!("removed client {} of {}", one_line(&name), one_line(&provider));
            Ok(())
        }
    }
}
