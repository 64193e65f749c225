//! `mediadesk sandbox` runs in the foreground, prints its URL and a token, and answers a
//! products query with data and `extensions.cost`, like the README's curl example.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_sandbox_command_prints_its_endpoint_and_token_and_answers_queries() {
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_mediadesk"))
            .args(["sandbox", "--port", "0", "--products", "12"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("mediadesk runs"),
    );
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let mut endpoint = None;
    let mut token = None;
    for _ in 0..5 {
        let line = lines.next().expect("a line").expect("utf-8");
        if let Some(u) = line.strip_prefix("GraphQL endpoint: ") {
            endpoint = Some(u.to_string());
        }
        if let Some(t) = line.strip_prefix("access token: ") {
            token = Some(t.to_string());
        }
    }
    let (endpoint, token) = (endpoint.expect("endpoint printed"), token.expect("token printed"));
    assert!(endpoint.starts_with("http://127.0.0.1:") && endpoint.ends_with("/admin/api/2026-10/graphql.json"));
    let body: serde_json::Value = reqwest::Client::new()
        .post(&endpoint)
        .header("X-Shopify-Access-Token", &token)
        .json(&serde_json::json!({"query": "{ products(first: 250) { nodes { id title } } }"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["products"]["nodes"].as_array().unwrap().len(), 12 + 4, "{body}");
    assert_eq!(body["extensions"]["cost"]["requestedQueryCost"], 252);
}
