//! `icon-render SVG OUT_DIR SIZE...`: the SVG drawn at each size as `mediadesk-SIZE.png`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [svg, out, sizes @ ..] = args.as_slice() else {
        eprintln!("usage: icon-render SVG OUT_DIR SIZE...");
        return ExitCode::FAILURE;
    };
    let data = match std::fs::read(svg) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("icon-render: cannot read {svg}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let tree = match resvg::usvg::Tree::from_data(&data, &resvg::usvg::Options::default()) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("icon-render: {svg} is not an SVG this renderer reads: {e}");
            return ExitCode::FAILURE;
        }
    };
    for size in sizes {
        let Ok(px) = size.parse::<u32>() else {
            eprintln!("icon-render: {size} is not a size in pixels");
            return ExitCode::FAILURE;
        };
        let Some(mut pixmap) = resvg::tiny_skia::Pixmap::new(px, px) else {
            eprintln!("icon-render: {px} px is not a size that can be drawn");
            return ExitCode::FAILURE;
        };
        let scale = px as f32 / tree.size().width();
        resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
        let path = PathBuf::from(out).join(format!("mediadesk-{px}.png"));
        if let Err(e) = pixmap.save_png(&path) {
            eprintln!("icon-render: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("{}", path.display());
    }
    ExitCode::SUCCESS
}
