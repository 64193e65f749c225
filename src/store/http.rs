//! The HTTP rules every store client follows: no redirects (a token goes only to the address it
//! was checked for), and a token that cannot travel in a header is refused with its reason.

use std::time::Duration;

use reqwest::header::HeaderValue;

use crate::secrets::Secret;
use crate::store::StoreError;

/// A client for a store's API. Redirects are never followed: reqwest would repeat custom headers
/// (such as `X-Shopify-Access-Token`) to wherever a 3xx points, so a redirect is reported instead.
pub fn api_client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(concat!("mediadesk/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        // Only fails when the TLS backend cannot start, which rustls (compiled in) always does;
        // the plain client is the fallback rather than a panic.
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "the HTTP client could not be configured; using defaults without redirects");
            reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap_or_default()
        })
}

/// The error for a 3xx answer: where it pointed (host only) and that it was not followed.
pub fn redirect_refused(status: u16, location: Option<&str>) -> StoreError {
    let target = location
        .and_then(|l| reqwest::Url::parse(l).ok())
        .and_then(|u| u.host_str().map(|h| format!("{}://{h}{}", u.scheme(), port_suffix(&u))))
        .unwrap_or_else(|| location.map_or("another address".to_string(), |_| "a relative address".to_string()));
    StoreError::Invalid {
        field: vec![],
        code: "REDIRECT_REFUSED".into(),
        message: format!(
            "the store answered {status} and pointed elsewhere ({target}); mediadesk sends the access token only to \
             the store's own address and did not follow it. Check the shop name or --endpoint."
        ),
    }
}

fn port_suffix(u: &reqwest::Url) -> String {
    u.port().map(|p| format!(":{p}")).unwrap_or_default()
}

/// The token as a header value, refused when it holds a line break, a control character or a
/// space (a pasted token with a trailing newline, two tokens on two lines…).
pub fn token_header(token: &Secret, prefix: &str) -> Result<HeaderValue, StoreError> {
    let raw = token.expose();
    let bad = raw.chars().find(|c| c.is_control() || c.is_whitespace() || !c.is_ascii());
    if raw.is_empty() || bad.is_some() {
        let what = match bad {
            Some('\n' | '\r') => "a line break",
            Some(c) if c.is_whitespace() => "a space",
            Some(c) if c.is_control() => "a control character",
            Some(_) => "a character that is not plain ASCII",
            None => "nothing",
        };
        return Err(StoreError::Refused {
            code: "MALFORMED_TOKEN".into(),
            message: format!(
                "the access token is malformed: it contains {what}. Copy it again from the store's admin, as one line"
            ),
        });
    }
    let mut value = HeaderValue::from_str(&format!("{prefix}{raw}")).map_err(|_| StoreError::Refused {
        code: "MALFORMED_TOKEN".into(),
        message: "the access token is malformed: it cannot be sent in a header".into(),
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// Bytes per progress report.
const PROGRESS_CHUNK: usize = 64 * 1024;

/// An upload body that reports progress as the connection takes each chunk. It stops one byte
/// short of the total: the last step is reported by the caller once the server has answered, since
/// socket buffers can hold megabytes the server has not read yet.
pub fn progress_body(bytes: bytes::Bytes, index: usize, progress: crate::store::ProgressFn) -> reqwest::Body {
    let total = bytes.len() as u64;
    let chunks: Vec<bytes::Bytes> = (0..bytes.len())
        .step_by(PROGRESS_CHUNK)
        .map(|i| bytes.slice(i..(i + PROGRESS_CHUNK).min(bytes.len())))
        .collect();
    let mut taken = 0u64;
    let stream = futures_util::StreamExt::map(futures_util::stream::iter(chunks), move |c| {
        taken += c.len() as u64;
        progress(index, taken.min(total.saturating_sub(1)), total);
        Ok::<bytes::Bytes, std::io::Error>(c)
    });
    reqwest::Body::wrap_stream(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_with_line_breaks_or_spaces_are_refused_by_name() {
        for (token, words) in [
            ("shpat_abc\r\n", "a line break"),
            ("shpat_a bc", "a space"),
            ("shpat_\x1b", "a control character"),
            ("shpat_é", "not plain ASCII"),
            ("", "nothing"),
        ] {
            let e = token_header(&Secret::new(token), "").unwrap_err().to_string();
            assert!(e.contains("malformed") && e.contains(words), "{token:?}: {e}");
            assert!(!e.contains("shpat_"), "the token stays out of the message: {e}");
        }
        assert_eq!(token_header(&Secret::new("secret_1"), "Bearer ").unwrap(), "Bearer secret_1");
    }

    #[test]
    fn a_redirect_names_only_the_host_it_pointed_to() {
        let e = redirect_refused(307, Some("http://127.0.0.1:9/steal?token=x")).to_string();
        assert!(e.contains("307") && e.contains("http://127.0.0.1:9") && !e.contains("token=x"), "{e}");
    }
}
