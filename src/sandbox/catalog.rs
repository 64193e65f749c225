//! The sandbox's seeded demo catalog: deterministic products with media of every kind,
//! alt texts good and bad, plus the records the API documentation's examples refer to.

use std::time::{Duration, SystemTime};

use super::state::{FileKind, FileRec, Pixels, ProductRec, State, Status, VariantRec};
use crate::rng::Rng;

const ADJECTIVES: &[&str] = &[
    "Linen",
    "Canvas",
    "Walnut",
    "Ceramic",
    "Merino",
    "Copper",
    "Recycled",
    "Organic",
    "Vintage",
    "Hand-thrown",
    "Waxed",
    "Brushed",
    "Stoneware",
    "Bamboo",
    "Leather",
    "Cotton",
    "Oak",
    "Glass",
    "Woven",
    "Enamel",
];
const NOUNS: &[&str] = &[
    "Market Tote",
    "Pour-Over Kettle",
    "Desk Lamp",
    "Serving Bowl",
    "Throw Blanket",
    "Water Bottle",
    "Notebook",
    "Plant Pot",
    "Backpack",
    "Coffee Mug",
    "Cutting Board",
    "Wall Clock",
    "Candle",
    "Scarf",
    "Tea Set",
    "Watch",
    "Sneakers",
    "Beanie",
    "Side Table",
    "Pendant Light",
];
const COLOURS: &[&str] = &["Sand", "Forest", "Charcoal", "Terracotta", "Ivory", "Indigo", "Sage", "Rust"];
const VENDORS: &[&str] = &["Northwind Goods", "Atelier Mira", "Cobble & Co", "Fjordline", "Studio Verde"];
const TYPES: &[&str] = &["Home", "Kitchen", "Accessories", "Apparel", "Lighting", "Stationery"];
const SIZES: &[(u32, u32)] =
    &[(2048, 2048), (1600, 1600), (1200, 1600), (2400, 1600), (800, 800), (3000, 2000), (1080, 1350)];
const YOUTUBE_IDS: &[&str] = &["z7RLjNOael0", "aqz-KE-bpKQ", "ScMzIvxBSi4", "jNQXAC9IVRw"];

/// Ids of seeded records start here; new ones follow the largest.
const FIRST_PRODUCT_ID: u64 = 7_400_000_000;
const FIRST_FILE_ID: u64 = 31_000_000_000;
const FIRST_VARIANT_ID: u64 = 44_000_000_000;
/// Sizes of the products sold in sizes.
const GARMENT_SIZES: [&str; 3] = ["S", "M", "L"];

/// Build the catalog: `products` generated products (plus the documented examples' records).
pub fn seed(products: usize, seed: u64) -> State {
    let mut state = State::default();
    let mut rng = Rng::new(seed);
    let epoch = SystemTime::UNIX_EPOCH + Duration::from_secs(1_735_689_600); // 2025-01-01
    let mut file_id = FIRST_FILE_ID;
    for i in 0..products {
        let colour = *rng.pick(COLOURS);
        let title = format!("{} {} {}", rng.pick(ADJECTIVES), rng.pick(NOUNS), if i % 3 == 0 { colour } else { "" })
            .trim()
            .to_string();
        let title = if i >= 400 { format!("{title} No. {}", i / 400 + 1) } else { title };
        let handle = handle_of(&title, i);
        let created_at = epoch + Duration::from_secs(3600 * (i as u64 * 7 % 8000));
        let mut product = ProductRec {
            id: FIRST_PRODUCT_ID + i as u64,
            handle,
            status: if i % 11 == 5 {
                "DRAFT"
            } else if i % 29 == 7 {
                "ARCHIVED"
            } else {
                "ACTIVE"
            },
            vendor: rng.pick(VENDORS).to_string(),
            product_type: rng.pick(TYPES).to_string(),
            tags: vec![colour.to_lowercase(), if i % 2 == 0 { "new".into() } else { "classic".into() }],
            media: Vec::new(),
            variants: Vec::new(),
            created_at,
            updated_at: created_at + Duration::from_secs(86_400 * (i as u64 % 90)),
            title,
        };
        // 0 to 30 media; a few products have none, most a handful.
        let count = match rng.below(10) {
            0 => 0,
            1..=6 => 1 + rng.below(8),
            7 | 8 => 8 + rng.below(12),
            _ => 20 + rng.below(11),
        };
        let mut previous_alt = String::new();
        for position in 0..count {
            file_id += 1;
            let roll = rng.below(100);
            let kind = match roll {
                0..=79 => FileKind::Image,
                80..=86 => FileKind::Video,
                87..=93 => FileKind::ExternalVideo,
                _ => FileKind::Model3d,
            };
            let alt = seeded_alt(&mut rng, &product.title, position, &previous_alt);
            previous_alt = alt.clone();
            let file = seeded_file(&mut rng, file_id, kind, &product, position, alt);
            product.media.push(file.id);
            state.files.insert(file.id, file);
        }
        let images: Vec<u64> =
            product.media.iter().copied().filter(|m| state.files[m].kind == FileKind::Image).collect();
        product.variants = seeded_variants(FIRST_VARIANT_ID + 10 * i as u64, i, colour, &images);
        state.products.insert(product.id, product);
    }
    add_documented_examples(&mut state, epoch);
    state.next_id = file_id.max(FIRST_PRODUCT_ID + products as u64) + 1_000_000;
    state
}

/// The variants of the `i`th product, ids from `first_id`, without touching the catalog's random
/// sequence (products and media stay what they were). Products named after a colour come in
/// that colour and the next ones, each colour showing its own image when there are enough; every
/// fourth of those also comes in sizes, which share their colour's image; the rest have the
/// one default variant Shopify gives a product without options.
fn seeded_variants(first_id: u64, i: usize, colour: &str, images: &[u64]) -> Vec<VariantRec> {
    if !i.is_multiple_of(3) || images.len() < 2 {
        return vec![VariantRec {
            id: first_id,
            options: vec![("Title".into(), "Default Title".into())],
            image: images.first().copied(),
        }];
    }
    let at = COLOURS.iter().position(|c| *c == colour).unwrap_or(0);
    let colours: Vec<&str> = (0..images.len().min(3)).map(|k| COLOURS[(at + k) % COLOURS.len()]).collect();
    let sizes: &[&str] = if i.is_multiple_of(4) { &GARMENT_SIZES } else { &[] };
    let mut variants = Vec::new();
    for (k, c) in colours.iter().enumerate() {
        let image = Some(images[k]);
        if sizes.is_empty() {
            variants.push(VariantRec {
                id: first_id + variants.len() as u64,
                options: vec![("Color".into(), c.to_string())],
                image,
            });
        }
        for size in sizes {
            let options = vec![("Color".into(), c.to_string()), ("Size".into(), size.to_string())];
            variants.push(VariantRec { id: first_id + variants.len() as u64, options, image });
        }
    }
    variants
}

fn handle_of(title: &str, i: usize) -> String {
    let mut h: String = title.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    while h.contains("--") {
        h = h.replace("--", "-");
    }
    format!("{}-{}", h.trim_matches('-'), i + 1)
}

/// A mix of alt texts as real catalogs have them: mostly good, some missing or poor.
fn seeded_alt(rng: &mut Rng, title: &str, position: u64, previous: &str) -> String {
    let views = ["Front view", "Side view", "Detail", "Back view", "In use", "Close-up of the texture"];
    match rng.below(100) {
        0..=49 => format!("{} of the {} on a light backdrop", views[(position % 6) as usize], title.to_lowercase()),
        50..=64 => String::new(),
        65..=71 => format!("IMG_{}.JPG", 1000 + rng.below(9000)),
        72..=77 => format!("Image of {}", title.to_lowercase()),
        78..=83 if !previous.is_empty() => previous.to_string(),
        84..=88 => title.to_string(),
        89..=92 => format!("{title} {}", position + 1),
        93..=96 => format!("{}, {}, buy {}, cheap {}, best {}", title, title.to_lowercase(), title, title, title),
        _ => format!(
            "{} photographed in natural daylight on a wooden table next to a window, with a folded linen cloth, a ceramic cup and a small plant arranged around it to show its scale and its colour in a real home",
            title
        ),
    }
}

fn seeded_file(rng: &mut Rng, id: u64, kind: FileKind, product: &ProductRec, position: u64, alt: String) -> FileRec {
    let (width, height) = *rng.pick(SIZES);
    let stem = format!("{}-{}", product.handle, position + 1);
    let (filename, mime, size, external, duration_ms) = match kind {
        FileKind::Image => {
            let png = rng.below(4) == 0;
            let ext = if png { "png" } else { "jpg" };
            let mime = if png { "image/png" } else { "image/jpeg" };
            (format!("{stem}.{ext}"), mime, (width as u64 * height as u64) / 4, None, 0)
        }
        FileKind::Video => (
            format!("{stem}.mp4"),
            "video/mp4",
            4_000_000 + rng.below(40_000_000),
            None,
            8_000 + rng.below(50_000) as u32,
        ),
        FileKind::ExternalVideo => {
            let id = rng.pick(YOUTUBE_IDS).to_string();
            (String::new(), "", 0, Some(("YOUTUBE".to_string(), id)), 0)
        }
        FileKind::Model3d | FileKind::Generic => {
            (format!("{stem}.glb"), "model/gltf-binary", 300_000 + rng.below(5_000_000), None, 0)
        }
    };
    let (width, height) = if kind == FileKind::Image { (width, height) } else { (1280, 720) };
    FileRec {
        id,
        kind,
        alt_translated: if kind == FileKind::Image && id.is_multiple_of(5) && alt.starts_with("Front view") {
            [("fr".to_string(), format!("Vue de face : {}", product.title))].into()
        } else {
            Default::default()
        },
        alt,
        filename,
        mime: mime.to_string(),
        size,
        width,
        height,
        duration_ms,
        pixels: Some(Pixels::Generated { seed: id }),
        original: None,
        external,
        status: Status::Ready,
        errors: Vec::new(),
        pending: None,
        version: 1,
        created_at: product.created_at,
        updated_at: product.updated_at,
    }
}

/// The products and files that the Admin API documentation's examples name by id, so that
/// those examples run against the sandbox as they are written.
fn add_documented_examples(state: &mut State, epoch: SystemTime) {
    let file = |id: u64, kind: FileKind, alt: &str, filename: &str, (w, h): (u32, u32)| FileRec {
        id,
        kind,
        alt: alt.to_string(),
        alt_translated: if id == 37 {
            [("de".to_string(), "Polaris Uhr".to_string())].into()
        } else {
            Default::default()
        },
        filename: filename.to_string(),
        mime: match kind {
            FileKind::Image => "image/jpeg",
            FileKind::Video => "video/mp4",
            FileKind::Model3d => "model/gltf-binary",
            FileKind::Generic => "application/pdf",
            FileKind::ExternalVideo => "",
        }
        .to_string(),
        size: 48_213,
        width: w,
        height: h,
        duration_ms: if kind == FileKind::Video { 14_000 } else { 0 },
        pixels: Some(Pixels::Generated { seed: id }),
        original: None,
        external: (kind == FileKind::ExternalVideo).then(|| ("YOUTUBE".to_string(), "z7RLjNOael0".to_string())),
        status: Status::Ready,
        errors: Vec::new(),
        pending: None,
        version: 1,
        created_at: epoch,
        updated_at: epoch,
    };
    let files = [
        file(853_695_510, FileKind::Image, "Draft product photo", "draft58.jpg", (1024, 1024)),
        file(723_685_877, FileKind::Video, "", "draft-demo.mp4", (1280, 720)),
        file(37, FileKind::Image, "Man wearing Polaris watch.", "polaris.jpg", (2048, 2048)),
        file(
            2,
            FileKind::Video,
            "Comparison video showing the different models of watches.",
            "watches_comparison.mp4",
            (640, 360),
        ),
        file(1, FileKind::ExternalVideo, "Polaris watch on YouTube", "", (1280, 720)),
        file(
            3_113_016,
            FileKind::Video,
            "Comparison video showing the different models of watches.",
            "watches.mp4",
            (640, 360),
        ),
        file(
            8_486_968,
            FileKind::ExternalVideo,
            "Comparison video showing the different models of watches.",
            "",
            (1280, 720),
        ),
        file(42_729_528, FileKind::Image, "", "StockSnap_9NPZZJCWW3_copy.jpg", (1600, 1067)),
        file(1_072_273_825, FileKind::Generic, "", "spec-sheet.pdf", (0, 0)),
        file(1_072_273_826, FileKind::Image, "", "laptop-office.jpg", (372, 110)),
        file(1_072_273_827, FileKind::Video, "", "laptop-demo.mp4", (1280, 720)),
        file(1_072_273_828, FileKind::Video, "", "laptop-teaser.mp4", (1280, 720)),
        file(1_072_273_829, FileKind::Image, "derp", "laptop-desk.jpg", (372, 110)),
        file(1_072_273_830, FileKind::Video, "", "assembly.mp4", (1280, 720)),
        file(1_072_273_831, FileKind::Image, "", "laptop.jpg", (372, 110)),
    ];
    for f in files {
        state.files.insert(f.id, f);
    }
    let product = |id: u64, title: &str, media: Vec<u64>| ProductRec {
        id,
        title: title.to_string(),
        handle: handle_of(title, id as usize % 1000),
        status: "ACTIVE",
        vendor: "Polaris".to_string(),
        product_type: "Accessories".to_string(),
        tags: vec!["docs".to_string()],
        variants: vec![VariantRec {
            id: id + 1_000_000,
            options: vec![("Title".into(), "Default Title".into())],
            image: None,
        }],
        media,
        created_at: epoch,
        updated_at: epoch,
    };
    for p in [
        product(108_828_309, "Draft", vec![853_695_510, 723_685_877]),
        product(1, "Polaris Watch", vec![3_113_016, 8_486_968, 37, 2, 1]),
        product(10_079_786_124, "Polaris Watch Strap", vec![42_729_528]),
        product(
            1_072_273_800,
            "Laptop Sleeve",
            vec![1_072_273_826, 1_072_273_827, 1_072_273_828, 1_072_273_829, 1_072_273_830, 1_072_273_831],
        ),
    ] {
        state.products.insert(p.id, p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_is_deterministic_and_varied() {
        let a = seed(40, 1);
        let b = seed(40, 1);
        let titles = |s: &State| s.products.values().map(|p| p.title.clone()).collect::<Vec<_>>();
        assert_eq!(titles(&a), titles(&b));
        let kinds: std::collections::HashSet<_> = a.files.values().map(|f| f.kind).collect();
        for k in [FileKind::Image, FileKind::Video, FileKind::ExternalVideo, FileKind::Model3d] {
            assert!(kinds.contains(&k), "{k:?} missing");
        }
        assert!(a.files.values().any(|f| f.alt.is_empty() && f.kind == FileKind::Image));
        assert!(a.files.values().any(|f| f.alt.starts_with("IMG_")));
        assert!(a.products.values().all(|p| p.media.len() <= 30));
    }

    #[test]
    fn ten_thousand_products_for_benchmarks() {
        let s = seed(10_000, 1);
        assert_eq!(s.products.len(), 10_000 + 4);
    }
}
