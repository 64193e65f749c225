//! The sandbox's bulk query operations over HTTP, as Shopify documents them: the rules a bulk
//! query must follow, one at a time, CREATED → RUNNING → COMPLETED with a growing object count,
//! the JSONL result at a signed, expiring URL with children apart from their parents, faults.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::time::Duration;

use mediadesk::sandbox::state::BulkFault;
use mediadesk::sandbox::{BulkTimings, Sandbox};
use serde_json::{Value, json};

const RUN: &str = "mutation Run($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id status } userErrors { code field message } } }";
const POLL: &str = "query Poll($id: ID!) { node(id: $id) { ... on BulkOperation { id status objectCount rootObjectCount url partialDataUrl errorCode fileSize } } }";
const CATALOG: &str = "{ products { edges { node { id title media { edges { node { id alt } } } } } } }";

async fn run(sb: &Sandbox, query: &str) -> Value {
    let (status, body) = common::gql(sb, sb.token(), RUN, json!({"q": query})).await;
    assert_eq!(status, 200, "{body}");
    body["data"]["bulkOperationRunQuery"].clone()
}

async fn poll(sb: &Sandbox, id: &str) -> Value {
    let (_, body) = common::gql(sb, sb.token(), POLL, json!({"id": id})).await;
    body["data"]["node"].clone()
}

/// Poll until the operation leaves CREATED and RUNNING; every state seen on the way.
async fn finish(sb: &Sandbox, id: &str) -> (Value, Vec<(String, u64)>) {
    let mut seen = Vec::new();
    loop {
        let op = poll(sb, id).await;
        let status = op["status"].as_str().unwrap().to_string();
        seen.push((status.clone(), op["objectCount"].as_str().unwrap().parse().unwrap()));
        if !matches!(status.as_str(), "CREATED" | "RUNNING") {
            return (op, seen);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn slow() -> Sandbox {
    common::sandbox_with(|c| {
        c.products = 60;
        c.bulk = BulkTimings { start: Duration::from_millis(60), objects_per_second: 400.0, ..BulkTimings::default() };
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_query_runs_once_at_a_time_grows_and_serves_jsonl_with_children_apart_from_parents() {
    let sb = slow().await;
    let started = run(&sb, CATALOG).await;
    assert_eq!(started["userErrors"], json!([]));
    assert_eq!(started["bulkOperation"]["status"], "CREATED");
    let id = started["bulkOperation"]["id"].as_str().unwrap().to_string();
    // One bulk query at a time per app.
    let second = run(&sb, CATALOG).await;
    assert_eq!(second["bulkOperation"], Value::Null);
    assert_eq!(second["userErrors"][0]["code"], "OPERATION_IN_PROGRESS");
    assert!(second["userErrors"][0]["message"].as_str().unwrap().contains(&id));
    let (done, seen) = finish(&sb, &id).await;
    assert_eq!(done["status"], "COMPLETED");
    let running: Vec<u64> = seen.iter().filter(|(s, _)| s == "RUNNING").map(|(_, n)| *n).collect();
    assert!(running.len() >= 2 && running.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert!(running.first() < running.last(), "the count grows: {seen:?}");
    let body = reqwest::get(done["url"].as_str().unwrap()).await.unwrap().text().await.unwrap();
    let lines: Vec<Value> = body.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let (products, media): (Vec<&Value>, Vec<&Value>) = lines.iter().partition(|l| l.get("__parentId").is_none());
    let (product_count, media_count) = {
        let st = sb.state();
        let st = st.lock().unwrap();
        (st.products.len(), st.products.values().map(|p| p.media.len()).sum::<usize>())
    };
    assert_eq!(products.len(), product_count);
    assert_eq!(done["rootObjectCount"].as_str().unwrap(), product_count.to_string());
    assert_eq!(media.len(), media_count);
    assert_eq!(done["objectCount"].as_str().unwrap(), lines.len().to_string());
    assert_eq!(done["fileSize"].as_str().unwrap(), body.len().to_string());
    // Every child names its parent; none is next to it, and children may come first.
    let at: HashMap<&str, usize> = lines.iter().enumerate().filter_map(|(i, l)| Some((l["id"].as_str()?, i))).collect();
    let before = media.iter().filter(|m| at[m["id"].as_str().unwrap()] < at[m["__parentId"].as_str().unwrap()]).count();
    assert!(before > 0, "some children come before their parents");
    assert!(media.iter().all(|m| m["__parentId"].as_str().unwrap().starts_with("gid://shopify/Product/")));
    assert!(products.iter().all(|p| p.get("media").is_none()), "nested connections are taken out of the parent line");
    // A bulk query again, now that the first is done.
    assert_eq!(run(&sb, CATALOG).await["userErrors"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_queries_that_break_shopifys_rules_are_refused_with_user_errors() {
    let sb = common::sandbox_with(|c| c.products = 5).await;
    let refused = [
        ("{ node(id: \"gid://shopify/Product/1\") { id } }", "top level `node`"),
        ("{ shop { name } }", "at least one connection"),
        ("{ products { edges { node { title media { edges { node { id } } } } } } }", "must select `id`"),
        (
            "{ products { edges { node { id media { edges { node { id ... on MediaImage { id } } } } } } } files { edges { node { id } } } a: files { edges { node { id } } } b: files { edges { node { id } } } c: files { edges { node { id } } } d: products { edges { node { id } } } }",
            "more than 5 connections",
        ),
        (
            "{ products { edges { node { id variants { edges { node { id media { edges { node { id } } } } } } } } } }",
            "nesting depth greater than 2",
        ),
        ("{ products { edges { node { titel } } } }", "Invalid bulk query"),
        ("mutation { fileDelete(fileIds: []) { deletedFileIds } }", "Invalid bulk query"),
    ];
    for (query, words) in refused {
        let r = run(&sb, query).await;
        assert_eq!(r["bulkOperation"], Value::Null, "{query}");
        assert_eq!(r["userErrors"][0]["code"], "INVALID", "{query}: {r}");
        assert!(r["userErrors"][0]["message"].as_str().unwrap().contains(words), "{query}: {r}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_an_expired_and_a_canceled_operation_say_so_and_urls_are_checked() {
    let sb = common::sandbox_with(|c| {
        c.products = 10;
        c.bulk =
            BulkTimings { start: Duration::from_millis(10), objects_per_second: 100_000.0, ..BulkTimings::default() };
    })
    .await;
    sb.state().lock().unwrap().bulk_fault = Some(BulkFault::Fail);
    let id = run(&sb, CATALOG).await["bulkOperation"]["id"].as_str().unwrap().to_string();
    let (failed, _) = finish(&sb, &id).await;
    assert_eq!(
        (failed["status"].as_str(), failed["errorCode"].as_str()),
        (Some("FAILED"), Some("INTERNAL_SERVER_ERROR"))
    );
    assert_eq!(failed["url"], Value::Null);
    let partial = reqwest::get(failed["partialDataUrl"].as_str().unwrap()).await.unwrap().text().await.unwrap();
    assert!(!partial.is_empty());

    sb.state().lock().unwrap().bulk_fault = Some(BulkFault::Expire);
    let id = run(&sb, CATALOG).await["bulkOperation"]["id"].as_str().unwrap().to_string();
    let (expired, _) = finish(&sb, &id).await;
    assert_eq!((expired["status"].as_str(), &expired["url"]), (Some("EXPIRED"), &Value::Null));

    let id = run(&sb, CATALOG).await["bulkOperation"]["id"].as_str().unwrap().to_string();
    let (done, _) = finish(&sb, &id).await;
    let url = done["url"].as_str().unwrap();
    let tampered = url.replace("lines=", "lines=1");
    assert_eq!(reqwest::get(&tampered).await.unwrap().status(), 403);

    let slow = common::sandbox_with(|c| {
        c.products = 10;
        c.bulk = BulkTimings { start: Duration::from_secs(30), ..BulkTimings::default() };
    })
    .await;
    let (_, body) = common::gql(&slow, slow.token(), RUN, json!({"q": CATALOG})).await;
    let id = body["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"].as_str().unwrap().to_string();
    let cancel =
        "mutation C($id: ID!) { bulkOperationCancel(id: $id) { bulkOperation { status } userErrors { message } } }";
    let (_, body) = common::gql(&slow, slow.token(), cancel, json!({"id": id})).await;
    assert_eq!(body["data"]["bulkOperationCancel"]["bulkOperation"]["status"], "CANCELED");
    let (_, body) = common::gql(&slow, slow.token(), RUN, json!({"q": CATALOG})).await;
    assert_eq!(body["data"]["bulkOperationRunQuery"]["userErrors"], json!([]), "a canceled operation frees the slot");
}
