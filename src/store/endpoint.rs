//! The one rule for `--endpoint`: requests may be redirected only to this computer (the
//! sandbox, tests), so a token never travels to a host other than its store's own.

use reqwest::Url;

use crate::store::StoreError;

/// True when the URL's host is this computer.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// A checked `--endpoint`, ending in `/` so paths join below it.
pub fn loopback_base(endpoint: &str) -> Result<Url, StoreError> {
    let invalid = |message: String| StoreError::Invalid {
        field: vec!["endpoint".into()],
        code: "INVALID_ENDPOINT".into(),
        message,
    };
    let mut base = Url::parse(endpoint).map_err(|e| invalid(format!("`{endpoint}` is not a URL: {e}")))?;
    if !matches!(base.scheme(), "http" | "https") || !is_loopback(&base) {
        return Err(invalid(format!(
            "--endpoint may only point at this computer (127.0.0.1, ::1 or localhost); `{endpoint}` does not"
        )));
    }
    if !base.path().ends_with('/') {
        let p = format!("{}/", base.path());
        base.set_path(&p);
    }
    Ok(base)
}
