//! Contract with Shopify's real Admin API schema (2025-01): the sandbox's schema is a subset of
//! it, and every document the app sends validates against it without deprecated fields.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use apollo_compiler::executable::{Selection, SelectionSet};
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::{ExecutableDocument, Schema};
use mediadesk::sandbox::shopify::SCHEMA_SDL;
use mediadesk::store::shopify::documents;

fn deprecated(directives: &apollo_compiler::ast::DirectiveList) -> bool {
    directives.get("deprecated").is_some()
}

/// Every difference between the sandbox's schema and the real one, as readable lines.
fn subset_violations(sandbox: &Schema, real: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for (name, ty) in &sandbox.types {
        if ty.is_built_in() {
            continue;
        }
        let Some(real_ty) = real.types.get(name) else {
            out.push(format!("type {name} does not exist in Shopify's schema"));
            continue;
        };
        if std::mem::discriminant(ty) != std::mem::discriminant(real_ty) {
            out.push(format!("{name} is a different kind of type than in Shopify's schema"));
            continue;
        }
        match (ty, real_ty) {
            (ExtendedType::Object(_), ExtendedType::Object(_))
            | (ExtendedType::Interface(_), ExtendedType::Interface(_)) => {
                let (fields, real_fields, ifaces, real_ifaces) = match (ty, real_ty) {
                    (ExtendedType::Object(a), ExtendedType::Object(b)) => {
                        (&a.fields, &b.fields, &a.implements_interfaces, &b.implements_interfaces)
                    }
                    (ExtendedType::Interface(a), ExtendedType::Interface(b)) => {
                        (&a.fields, &b.fields, &a.implements_interfaces, &b.implements_interfaces)
                    }
                    _ => unreachable!(),
                };
                for i in ifaces {
                    if !real_ifaces.contains(i) {
                        out.push(format!("{name} implements {} but Shopify's does not", i.name));
                    }
                }
                for (fname, f) in fields {
                    let Some(rf) = real_fields.get(fname) else {
                        out.push(format!("{name}.{fname} does not exist in Shopify's schema"));
                        continue;
                    };
                    if f.ty != rf.ty {
                        out.push(format!("{name}.{fname} has type {} but Shopify's has {}", f.ty, rf.ty));
                    }
                    if deprecated(&f.directives) != deprecated(&rf.directives) {
                        out.push(format!("{name}.{fname} differs in deprecation"));
                    }
                    for arg in &f.arguments {
                        match rf.arguments.iter().find(|a| a.name == arg.name) {
                            None => {
                                out.push(format!("{name}.{fname}({}) does not exist in Shopify's schema", arg.name))
                            }
                            Some(ra)
                                if ra.ty != arg.ty
                                    || ra.default_value.as_ref().map(|v| v.to_string())
                                        != arg.default_value.as_ref().map(|v| v.to_string()) =>
                            {
                                out.push(format!("{name}.{fname}({}) differs in type or default", arg.name))
                            }
                            Some(_) => {}
                        }
                    }
                }
            }
            (ExtendedType::InputObject(a), ExtendedType::InputObject(b)) => {
                for (fname, f) in &a.fields {
                    match b.fields.get(fname) {
                        None => out.push(format!("input {name}.{fname} does not exist in Shopify's schema")),
                        Some(rf) if rf.ty != f.ty => out.push(format!("input {name}.{fname} differs in type")),
                        Some(_) => {}
                    }
                }
            }
            (ExtendedType::Enum(a), ExtendedType::Enum(b)) => {
                for v in a.values.keys() {
                    if !b.values.contains_key(v) {
                        out.push(format!("enum value {name}.{v} does not exist in Shopify's schema"));
                    }
                }
            }
            (ExtendedType::Union(a), ExtendedType::Union(b)) => {
                for m in &a.members {
                    if !b.members.contains(m) {
                        out.push(format!("union {name} member {} is not in Shopify's", m.name));
                    }
                }
            }
            _ => {}
        }
    }
    let roots = |s: &Schema| {
        (
            s.schema_definition.query.clone().map(|n| n.name.to_string()),
            s.schema_definition.mutation.clone().map(|n| n.name.to_string()),
        )
    };
    if roots(sandbox) != roots(real) {
        out.push("root operation types differ".into());
    }
    out
}

#[test]
fn the_sandbox_schema_is_a_subset_of_shopifys() {
    let real = common::real_schema();
    let sandbox = Schema::parse_and_validate(SCHEMA_SDL, "sandbox.graphql").expect("sandbox schema valid");
    let violations = subset_violations(&sandbox, &real);
    assert!(violations.is_empty(), "{violations:#?}");
    // And it covers what the sandbox must serve.
    for (ty, field) in [
        ("QueryRoot", "products"),
        ("QueryRoot", "files"),
        ("QueryRoot", "job"),
        ("Product", "media"),
        ("Product", "mediaCount"),
        ("Mutation", "stagedUploadsCreate"),
        ("Mutation", "productUpdate"),
        ("Mutation", "fileUpdate"),
        ("Mutation", "fileDelete"),
        ("Mutation", "productReorderMedia"),
        ("Mutation", "fileAcknowledgeUpdateFailed"),
        ("Mutation", "productUpdateMedia"),
    ] {
        assert!(sandbox.type_field(ty, field).is_ok(), "sandbox lacks {ty}.{field}");
    }
}

#[test]
fn the_subset_check_catches_an_invented_field_and_a_wrong_type() {
    let real = common::real_schema();
    let sdl = SCHEMA_SDL
        .replace("  handle: String!\n", "  handle: String!\n  shoeSize: Int\n")
        .replace("  title: String!\n", "  title: String\n");
    let sandbox = Schema::parse_and_validate(sdl, "changed.graphql").expect("still valid");
    let v = subset_violations(&sandbox, &real);
    assert!(v.iter().any(|l| l.contains("Product.shoeSize")), "{v:#?}");
    assert!(v.iter().any(|l| l.contains("Product.title has type String")), "{v:#?}");
}

/// Deprecated fields and arguments a selection set uses, with their paths.
fn deprecated_uses(doc: &ExecutableDocument, set: &SelectionSet, path: &str, out: &mut Vec<String>) {
    for sel in &set.selections {
        match sel {
            Selection::Field(f) => {
                let here = format!("{path}.{}", f.name);
                if deprecated(&f.definition.directives) {
                    out.push(here.clone());
                }
                for arg in &f.arguments {
                    if f.definition.arguments.iter().any(|d| d.name == arg.name && deprecated(&d.directives)) {
                        out.push(format!("{here}({})", arg.name));
                    }
                }
                deprecated_uses(doc, &f.selection_set, &here, out);
            }
            Selection::InlineFragment(i) => deprecated_uses(doc, &i.selection_set, path, out),
            Selection::FragmentSpread(s) => {
                if let Some(frag) = doc.fragments.get(&s.fragment_name) {
                    deprecated_uses(doc, &frag.selection_set, path, out);
                }
            }
        }
    }
}

#[test]
fn every_app_document_validates_against_shopifys_schema_without_deprecated_fields() {
    let real = common::real_schema();
    let sandbox = mediadesk::sandbox::shopify::schema();
    assert!(!documents::ALL.is_empty());
    for d in documents::ALL {
        let (name, text) = (&d.name, &d.text);
        let doc = ExecutableDocument::parse_and_validate(&real, *text, *name).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut uses = Vec::new();
        for op in doc.operations.iter() {
            deprecated_uses(&doc, &op.selection_set, "", &mut uses);
        }
        // The only deprecated call allowed: the alt-text fallback for tokens without write_files.
        uses.retain(|u| !(name.starts_with("fallback_") && u == ".productUpdateMedia"));
        assert!(uses.is_empty(), "{name} uses deprecated {uses:?}");
        // The sandbox serves every document the app sends.
        ExecutableDocument::parse_and_validate(&sandbox, *text, *name)
            .unwrap_or_else(|e| panic!("sandbox refuses {name}: {e}"));
    }
}

#[test]
fn the_bulk_query_of_changed_products_validates_with_its_filter_written_in() {
    let query = documents::bulk_catalog_query(Some("2026-11-01T08:00:00Z"));
    assert!(query.contains(r#"products(query: "updated_at:>'2026-11-01T08:00:00Z'") {"#), "{query}");
    let real = common::real_schema();
    ExecutableDocument::parse_and_validate(&real, &query, "bulk_changes.graphql").unwrap();
    ExecutableDocument::parse_and_validate(&mediadesk::sandbox::shopify::schema(), &query, "bulk_changes.graphql")
        .unwrap();
    assert_eq!(documents::bulk_catalog_query(None), documents::BULK_CATALOG.text);
}

#[test]
fn the_deprecation_check_sees_a_deprecated_field() {
    let real = common::real_schema();
    let doc = ExecutableDocument::parse_and_validate(
        &real,
        "{ product(id: \"x\") { media(first: 1) { nodes { ... on ExternalVideo { embeddedUrl } } } } }",
        "d.graphql",
    )
    .unwrap();
    let mut uses = Vec::new();
    for op in doc.operations.iter() {
        deprecated_uses(&doc, &op.selection_set, "", &mut uses);
    }
    assert_eq!(uses, vec![".product.media.nodes.embeddedUrl"]);
}
