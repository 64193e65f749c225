//! The window's colours, in one place: every panel takes its status colours from here.

use egui::Color32;

/// Needs attention (missing alt text, unsaved text).
pub const WARN: Color32 = Color32::from_rgb(214, 150, 40);
/// Failed or destructive.
pub const BAD: Color32 = Color32::from_rgb(240, 110, 105);
/// Done, healthy.
pub const GOOD: Color32 = Color32::from_rgb(90, 170, 110);

/// Secondary text (hints, counts): egui's default is a faded text colour of about 2.3:1 on the
/// panels; this grey keeps 4.5:1 on every dark surface.
const WEAK_TEXT: Color32 = Color32::from_gray(165);

/// Where the keyboard is, everywhere: the product row, the grid's cursor and the text fields
/// share one ring (2 px; at least 3:1 against every dark surface, as WCAG asks of focus).
pub const FOCUS: Color32 = Color32::from_rgb(125, 185, 255);
/// The selected tiles' outline: apart from the focus ring, still clear on a dark tile.
pub const SELECTED: Color32 = Color32::from_rgb(70, 140, 230);

/// Text on the selected product row's fill: its title, and its count.
pub const ON_SELECTION: Color32 = Color32::WHITE;
/// The count under the selected row's title.
pub const ON_SELECTION_WEAK: Color32 = Color32::from_gray(225);

/// The window's look: egui's dark theme with secondary text readable at WCAG AA and the one
/// focus ring. (Dark only for now: the status colours here are chosen for dark surfaces.)
pub fn visuals() -> egui::Visuals {
    let mut visuals = egui::Visuals { weak_text_color: Some(WEAK_TEXT), ..egui::Visuals::dark() };
    visuals.selection.stroke = egui::Stroke::new(2.0, FOCUS);
    visuals
}

/// Draw the focus ring just outside `rect`.
pub fn focus_ring(painter: &egui::Painter, rect: egui::Rect) {
    painter.rect_stroke(rect.expand(2.0), 6.0, egui::Stroke::new(2.0, FOCUS), egui::StrokeKind::Outside);
}

/// Use the window's look in `ctx`.
pub fn apply(ctx: &egui::Context) {
    ctx.set_theme(egui::Theme::Dark);
    ctx.set_visuals_of(egui::Theme::Dark, visuals());
}

/// A health badge: every alt text passes (fill, text).
pub const BADGE_OK: (Color32, Color32) = (Color32::from_rgb(46, 125, 70), Color32::WHITE);
/// A health badge: alt texts the checks flag.
pub const BADGE_WORK: (Color32, Color32) = (Color32::from_rgb(240, 180, 70), Color32::from_rgb(20, 20, 20));
/// A health badge: alt texts missing.
pub const BADGE_MISSING: (Color32, Color32) = (Color32::from_rgb(180, 40, 40), Color32::WHITE);

#[cfg(test)]
mod tests {
    use super::*;

    /// The WCAG 2 contrast ratio of two colours (1 to 21).
    fn contrast(a: Color32, b: Color32) -> f32 {
        fn luminance(c: Color32) -> f32 {
            let channel = |v: u8| {
                let v = v as f32 / 255.0;
                if v <= 0.039_28 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
            };
            0.2126 * channel(c.r()) + 0.7152 * channel(c.g()) + 0.0722 * channel(c.b())
        }
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    #[test]
    fn the_contrast_formula_matches_wcag_examples() {
        assert!((contrast(Color32::BLACK, Color32::WHITE) - 21.0).abs() < 0.01);
        assert!((contrast(Color32::WHITE, Color32::WHITE) - 1.0).abs() < 0.001);
        // #767676 on white is the lightest grey that passes AA: 4.54.
        assert!((contrast(Color32::from_gray(0x76), Color32::WHITE) - 4.54).abs() < 0.01);
    }

    #[test]
    fn badge_text_meets_aa_on_its_fill() {
        for (name, (fill, ink)) in [("ok", BADGE_OK), ("needs work", BADGE_WORK), ("missing", BADGE_MISSING)] {
            let ratio = contrast(fill, ink);
            assert!(ratio >= 4.5, "{name} badge: {ratio:.2}:1");
        }
    }

    #[test]
    fn focus_and_selection_stand_out_from_every_dark_surface() {
        let visuals = visuals();
        for bg in [visuals.panel_fill, visuals.window_fill, visuals.extreme_bg_color, visuals.faint_bg_color] {
            for (name, ring) in [("focus", FOCUS), ("selected", SELECTED)] {
                let ratio = contrast(ring, bg);
                // WCAG 2.2's focus appearance and non-text contrast: 3:1.
                assert!(ratio >= 3.0, "{name} on {bg:?}: {ratio:.2}:1");
            }
        }
    }

    #[test]
    fn the_selected_rows_text_meets_aa_on_its_fill() {
        let fill = visuals().selection.bg_fill;
        for (name, fg) in [("title", ON_SELECTION), ("count", ON_SELECTION_WEAK)] {
            let ratio = contrast(fg, fill);
            assert!(ratio >= 4.5, "{name} on the selected row: {ratio:.2}:1");
        }
    }

    #[test]
    fn status_text_meets_aa_on_the_dark_panels() {
        let visuals = visuals();
        for bg in [visuals.panel_fill, visuals.window_fill, visuals.extreme_bg_color, visuals.faint_bg_color] {
            for (name, fg) in [("warn", WARN), ("bad", BAD), ("good", GOOD), ("weak text", visuals.weak_text_color())] {
                let ratio = contrast(fg, bg);
                assert!(ratio >= 4.5, "{name} on {bg:?}: {ratio:.2}:1");
            }
        }
    }
}
