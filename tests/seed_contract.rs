//! Contract with the seed documents: every response example decodes with the app's types,
//! and every request example gets an answer of the same shape from the sandbox (or, where the
//! example uses fields Shopify has since removed, the same refusal the real schema gives).
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use apollo_compiler::ExecutableDocument;
use mediadesk::store::shopify::wire;
use serde_json::Value;

fn data_of(response: &Value) -> &Value {
    response.get("data").unwrap_or(response)
}

#[test]
fn the_seeds_hold_the_expected_examples() {
    let examples = common::seeds::shopify_examples();
    let count = |prefix: &str| examples.iter().filter(|e| e.name.starts_with(prefix)).count();
    // 000: five productUpdateMedia examples; 001: six fileUpdate examples; 002: the guide's
    // Admin API examples (staged uploads, create, read, update, reorder, delete).
    assert_eq!(count("000_"), 5, "{:#?}", examples.iter().map(|e| &e.name).collect::<Vec<_>>());
    assert_eq!(count("001_"), 6);
    assert_eq!(count("002_"), 6);
}

/// Check that `payload`'s media or files decoded one for one, ids and alt texts intact.
fn assert_media_kept(json_items: Option<&Value>, decoded: &[wire::MediaNode], what: &str) {
    let items = json_items.and_then(Value::as_array).cloned().unwrap_or_default();
    assert_eq!(items.len(), decoded.len(), "{what}: item count");
    for (j, d) in items.iter().zip(decoded) {
        assert_eq!(j.get("id").and_then(Value::as_str), d.id.as_deref(), "{what}: id");
        assert_eq!(j.get("alt").and_then(Value::as_str), d.alt.as_deref(), "{what}: alt");
        if let Some(status) = j.get("status").or_else(|| j.get("fileStatus")).and_then(Value::as_str) {
            assert_eq!(d.status().map(|s| s.as_str().to_uppercase()), Some(status.to_string()), "{what}: status");
        }
    }
}

#[test]
fn every_response_example_decodes_with_the_app_types() {
    let mut decoded = 0;
    for ex in common::seeds::shopify_examples() {
        let data = data_of(&ex.response).as_object().unwrap_or_else(|| panic!("{}: no data object", ex.name));
        for (root, value) in data {
            let what = format!("{} / {root}", ex.name);
            match root.as_str() {
                "productUpdateMedia" | "productCreateMedia" => {
                    let p: wire::ProductMediaPayload =
                        serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{what}: {e}"));
                    assert_media_kept(value.get("media"), p.media.as_deref().unwrap_or_default(), &what);
                    let errors = value.get("mediaUserErrors").and_then(Value::as_array).map_or(0, Vec::len);
                    assert_eq!(p.media_user_errors.len(), errors, "{what}");
                    for (e, j) in
                        p.media_user_errors.iter().zip(value["mediaUserErrors"].as_array().into_iter().flatten())
                    {
                        assert_eq!(e.code.as_deref(), j.get("code").and_then(Value::as_str), "{what}");
                        assert_eq!(e.message, j["message"].as_str().unwrap(), "{what}");
                    }
                }
                "fileUpdate" => {
                    let p: wire::FilesPayload =
                        serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{what}: {e}"));
                    assert_media_kept(value.get("files"), p.files.as_deref().unwrap_or_default(), &what);
                    let codes: Vec<_> = p.user_errors.iter().map(|e| e.code.clone().unwrap_or_default()).collect();
                    let expected: Vec<_> = value["userErrors"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|e| e["code"].as_str().unwrap_or_default().to_string())
                        .collect();
                    assert_eq!(codes, expected, "{what}");
                }
                "stagedUploadsCreate" => {
                    let p: wire::StagedUploadsCreatePayload =
                        serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{what}: {e}"));
                    let targets = p.staged_targets.unwrap();
                    assert_eq!(targets.len(), 2, "{what}");
                    assert!(
                        targets.iter().all(|t| t.url.is_some() && t.resource_url.is_some() && !t.parameters.is_empty())
                    );
                }
                "product" | "node" => {
                    let p: wire::Product =
                        serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{what}: {e}"));
                    let media = p.media.unwrap().into_items();
                    let json_nodes: Vec<Value> =
                        value["media"]["edges"].as_array().unwrap().iter().map(|e| e["node"].clone()).collect();
                    assert_media_kept(Some(&Value::Array(json_nodes.clone())), &media, &what);
                    // Every node becomes a domain media with the right kind.
                    for (node, j) in media.iter().zip(&json_nodes) {
                        let kind = node.kind().unwrap_or_else(|| panic!("{what}: kind of {j}"));
                        assert_eq!(kind.as_str().to_uppercase(), j["mediaContentType"].as_str().unwrap(), "{what}");
                    }
                }
                "productReorderMedia" => {
                    let p: wire::ProductReorderMediaPayload =
                        serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{what}: {e}"));
                    let job = p.job.unwrap();
                    assert_eq!(job.done, Some(false));
                    assert!(job.id.unwrap().starts_with("gid://shopify/Job/"));
                }
                "productDeleteMedia" => {
                    let p: wire::ProductDeleteMediaPayload =
                        serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{what}: {e}"));
                    assert_eq!(p.deleted_media_ids.unwrap().len(), 2, "{what}");
                }
                other => panic!("{what}: no decoder for root field {other}"),
            }
            decoded += 1;
        }
    }
    assert!(decoded >= 17, "only {decoded} payloads decoded");
}

/// Same keys, same kinds of values, lists item by item; `actual` may carry more keys.
fn same_shape(expected: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, v) in e {
                let av = a.get(k).ok_or_else(|| format!("{path}.{k} is missing"))?;
                same_shape(v, av, &format!("{path}.{k}"))?;
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.is_empty() != a.is_empty() {
                return Err(format!("{path}: {} items expected, {} returned", e.len(), a.len()));
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                same_shape(ev, av, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        (Value::Null, Value::Null) => Ok(()),
        (Value::String(_), Value::String(_))
        | (Value::Number(_), Value::Number(_))
        | (Value::Bool(_), Value::Bool(_)) => Ok(()),
        (e, a) => Err(format!("{path}: expected {e}, got {a}")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_example_gets_an_answer_of_the_documented_shape() {
    let real = common::real_schema();
    let mut answered = 0;
    let mut refused = 0;
    for ex in common::seeds::shopify_examples() {
        // A fresh store per example: examples change what later ones would read.
        let sandbox = common::sandbox_with(|_| {}).await;
        let (status, body) = common::gql(&sandbox, sandbox.token(), &ex.query, ex.variables.clone()).await;
        assert_eq!(status, 200, "{}: {body}", ex.name);
        match ExecutableDocument::parse_and_validate(&real, &ex.query, "example.graphql") {
            Ok(_) => {
                assert!(body.get("errors").is_none(), "{}: {body}", ex.name);
                same_shape(data_of(&ex.response), &body["data"], "data")
                    .unwrap_or_else(|e| panic!("{}: {e}\n{body:#}", ex.name));
                assert!(body["extensions"]["cost"]["requestedQueryCost"].is_u64(), "{}", ex.name);
                answered += 1;
            }
            Err(real_errors) => {
                // The real schema refuses it (fields removed since the example was written): so must the sandbox.
                assert!(
                    body.get("data").is_none(),
                    "{}: sandbox accepted what Shopify refuses: {real_errors}",
                    ex.name
                );
                assert!(body["errors"][0]["message"].is_string(), "{}: {body}", ex.name);
                refused += 1;
            }
        }
    }
    assert!(answered >= 14, "answered {answered}");
    assert!(refused >= 1, "refused {refused}");
}

/// The fixture holds exactly what the seed documents hold, when they are beside the repository.
/// `MEDIADESK_REGENERATE_FIXTURES=1 cargo test --test seed_contract` rewrites it from them.
#[test]
fn the_kept_examples_match_the_seed_documents() {
    let Some(fresh) = common::seeds::examples_from_seed_documents() else {
        eprintln!("../shared/seeds is not beside this repository: the kept examples are used as they are");
        return;
    };
    if std::env::var_os("MEDIADESK_REGENERATE_FIXTURES").is_some() {
        common::seeds::write_fixture(&fresh);
    }
    let kept = common::seeds::shopify_examples();
    let names = |v: &[common::seeds::Example]| v.iter().map(|e| e.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&kept), names(&fresh), "run with MEDIADESK_REGENERATE_FIXTURES=1 to refresh the fixture");
    for (k, f) in kept.iter().zip(&fresh) {
        assert_eq!((&k.query, &k.variables, &k.response), (&f.query, &f.variables, &f.response), "{}", k.name);
    }
}
