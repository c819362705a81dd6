//! `regscope login REGISTRY` / `logout REGISTRY`: credentials checked against
//! the registry, then stored where Docker keeps them (or erased from there).

use super::connect::Context;
use super::exit::UsageError;
use crate::oci::reference::parse_registry;
use crate::registry::auth::login::{erase, store};
use crate::registry::auth::{CredentialSources, Credentials};
use std::io::{BufRead, IsTerminal, Write};

pub async fn login(ctx: &Context, registry: &str) -> anyhow::Result<()> {
    let registry = parse_registry(registry)?;
    let username = match ctx.login_username() {
        Some(user) => user.to_string(),
        None => prompt_username()?,
    };
    let password = match ctx.flag_password() {
        Some(password) => password.to_string(),
        None => prompt_password()?,
    };
    if password.is_empty() {
        return Err(UsageError("an empty password: nothing stored".into()).into());
    }
    let credentials = Credentials::Basic {
        username: username.clone(),
        password: password.clone(),
    };
    let client = ctx.connect_with(&registry, credentials).await?;
    client.verify_credentials().await?;
    let stored = store(
        &CredentialSources::from_env(),
        &registry,
        &username,
        &password,
    )
    .await
    .map_err(anyhow::Error::msg)?;
    eprintln!("logged in to {registry} as {username}; stored in {stored}");
    Ok(())
}

pub async fn logout(registry: &str) -> anyhow::Result<()> {
    let registry = parse_registry(registry)?;
    match erase(&CredentialSources::from_env(), &registry)
        .await
        .map_err(anyhow::Error::msg)?
    {
        Some(place) => eprintln!("logged out of {registry} (removed from {place})"),
        None => eprintln!("not logged in to {registry}: nothing stored"),
    }
    Ok(())
}

fn needs_terminal(what: &str) -> UsageError {
    UsageError(format!(
        "no terminal to ask for the {what}: pass --username and --password-stdin"
    ))
}

fn prompt_username() -> anyhow::Result<String> {
    if !std::io::stdin().is_terminal() {
        return Err(needs_terminal("user name").into());
    }
    eprint!("Username: ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let name = line.trim().to_string();
    if name.is_empty() {
        return Err(UsageError("an empty user name".into()).into());
    }
    Ok(name)
}

fn prompt_password() -> anyhow::Result<String> {
    if !std::io::stdin().is_terminal() {
        return Err(needs_terminal("password").into());
    }
    Ok(rpassword::prompt_password("Password: ")?)
}
