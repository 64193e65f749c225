//! Every alt-text rule over a store of 10,000 products with 8 media each (80,000 media), as
//! the audit view and `mediadesk audit` run them: `cargo bench --bench audit`. The texts are a
//! mix of good ones, blanks, file names, lead-ins, duplicates and keyword lists, with variants.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::time::Instant;

use mediadesk::model::{Media, MediaId, MediaKind, MediaStatus, ProductId, ProductRecord, Variant};

const TEXTS: &[&str] = &[
    "Linen market tote on a shoulder, front view",
    "",
    "IMG_4821.JPG",
    "Image of a blue linen tote bag",
    "tote, bag, linen, beach, summer, sale",
    "Close-up of the leather handle stitching in tan",
    "Blue linen tote bag hanging on a wooden peg by a sunny kitchen window, with a folded newspaper, two green apples and a set of keys visible",
    "Red tote, side view on a white background",
];

fn store(products: usize, per_product: usize) -> Vec<ProductRecord> {
    (0..products)
        .map(|p| {
            let media: Vec<Media> = (0..per_product)
                .map(|i| Media {
                    id: MediaId(format!("gid://shopify/MediaImage/{}", p * per_product + i)),
                    kind: MediaKind::Image,
                    alt: TEXTS[(p + i * 3) % TEXTS.len()].to_string(),
                    status: MediaStatus::Ready,
                    position: i as u32,
                    preview_url: None,
                    width: Some(1200),
                    height: Some(1200),
                    filename: Some(format!("tote-{p}-{i}.jpg")),
                    size_bytes: None,
                    mime_type: None,
                    errors: vec![],
                    external_url: None,
                    alt_translated: Default::default(),
                })
                .collect();
            let variants = ["Red", "Blue", "Green"]
                .iter()
                .enumerate()
                .map(|(k, colour)| Variant {
                    id: format!("{p}-{k}"),
                    title: colour.to_string(),
                    options: vec![("Color".into(), colour.to_string())],
                    media: vec![media[k].id.clone()],
                    own_image: None,
                })
                .collect();
            ProductRecord {
                id: ProductId(format!("gid://shopify/Product/{p}")),
                title: format!("Linen Market Tote {p}"),
                handle: format!("linen-market-tote-{p}"),
                vendor: Some("Acme".into()),
                product_type: Some("Bags".into()),
                status: Some("active".into()),
                tags: vec![],
                updated_at: None,
                media,
                variants,
            }
        })
        .collect()
}

fn main() {
    let records = store(10_000, 8);
    let none = BTreeSet::new();
    let mut times = Vec::new();
    let mut findings = 0;
    for _ in 0..7 {
        let started = Instant::now();
        let report = mediadesk::audit::audit(&records, 512, &none);
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        findings = report.rows.iter().map(|r| r.findings.len()).sum::<usize>();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "rules: every rule over 80,000 media of 10,000 products ({findings} findings): median {:.0} ms, best {:.0} ms of 7 runs",
        times[3], times[0]
    );
}
