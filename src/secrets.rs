//! Secrets (access tokens, client secrets): a type that never prints its content, kept in the
//! OS keyring (service `mediadesk`, one entry per store) or given by `MEDIADESK_TOKEN`.

use std::fmt;

use crate::model::StoreRef;

/// The keyring service name.
pub const SERVICE: &str = "mediadesk";
/// The environment variable that overrides the keyring.
pub const TOKEN_VAR: &str = "MEDIADESK_TOKEN";

/// A token or password. `Debug` and `Display` show only that it is there.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Why a secret could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// No keyring can be reached (e.g. no Secret Service on a headless Linux box).
    #[error(
        "no keyring is reachable on this computer ({0}); set {TOKEN_VAR} to the store's access token instead, \
         or run mediadesk in a desktop session with a keyring (GNOME Keyring, KWallet, macOS Keychain, Windows Credential Manager)"
    )]
    NoKeyring(String),
    /// The keyring has nothing for this store.
    #[error("no access token is saved for {0}: connect the store in the app, or set {TOKEN_VAR}")]
    NotFound(String),
    /// The keyring refused.
    #[error("the keyring failed: {0}")]
    Keyring(String),
}

/// Make sure a credential store is set: the one a test installed, else the platform's.
fn ensure_store() -> Result<(), SecretError> {
    if keyring_core::get_default_store().is_some() {
        return Ok(());
    }
    keyring::Entry::store_status().as_ref().map_err(|e| SecretError::NoKeyring(e.to_string()))?;
    Ok(())
}

fn entry(store: &StoreRef) -> Result<keyring_core::Entry, SecretError> {
    ensure_store()?;
    keyring_core::Entry::new(SERVICE, &store.to_string()).map_err(|e| SecretError::Keyring(e.to_string()))
}

/// Save a store's secret in the keyring.
pub fn save(store: &StoreRef, secret: &Secret) -> Result<(), SecretError> {
    entry(store)?.set_password(secret.expose()).map_err(|e| SecretError::Keyring(e.to_string()))
}

/// A store's secret from the keyring.
pub fn load(store: &StoreRef) -> Result<Secret, SecretError> {
    match entry(store)?.get_password() {
        Ok(p) => Ok(Secret::new(p)),
        Err(keyring_core::Error::NoEntry) => Err(SecretError::NotFound(store.to_string())),
        Err(e) => Err(SecretError::Keyring(e.to_string())),
    }
}

/// Forget a store's secret (nothing saved is not an error).
pub fn delete(store: &StoreRef) -> Result<(), SecretError> {
    match entry(store)?.delete_credential() {
        Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
        Err(e) => Err(SecretError::Keyring(e.to_string())),
    }
}

/// Whether the keyring answers: an entry that is not there is asked for (`mediadesk doctor`).
pub fn probe() -> Result<(), SecretError> {
    ensure_store()?;
    let e =
        keyring_core::Entry::new(SERVICE, "mediadesk-doctor-probe").map_err(|e| SecretError::Keyring(e.to_string()))?;
    match e.get_password() {
        Ok(_) | Err(keyring_core::Error::NoEntry) => Ok(()),
        Err(e) => Err(SecretError::Keyring(e.to_string())),
    }
}

/// The secret to use for a store: `MEDIADESK_TOKEN` when set, else the keyring's entry.
pub fn token_for(store: &StoreRef) -> Result<Secret, SecretError> {
    if let Ok(t) = std::env::var(TOKEN_VAR)
        && !t.trim().is_empty()
    {
        return Ok(Secret::new(t.trim()));
    }
    load(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let s = Secret::new("shpat_abc123");
        assert!(!format!("{s:?} {s}").contains("abc123"));
        assert_eq!(s.expose(), "shpat_abc123");
    }

    #[test]
    fn keyring_round_trip_on_the_mock_store() {
        keyring_core::set_default_store(keyring_core::mock::Store::new().unwrap());
        let store: StoreRef = "shopify:acme".parse().unwrap();
        assert_eq!(load(&store), Err(SecretError::NotFound("shopify:acme".into())));
        save(&store, &Secret::new("shpat_123")).unwrap();
        assert_eq!(load(&store).unwrap().expose(), "shpat_123");
        delete(&store).unwrap();
        assert!(matches!(load(&store), Err(SecretError::NotFound(_))));
        delete(&store).unwrap();
    }

    #[test]
    fn the_no_keyring_message_explains_the_variable() {
        let msg = SecretError::NoKeyring("no D-Bus session".into()).to_string();
        assert!(msg.contains("MEDIADESK_TOKEN"));
    }
}
