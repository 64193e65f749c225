//! The window's colours, in one place: every panel takes its status colours from here.

use egui::Color32;

/// The colours that change with the theme: status text, secondary text, the focus ring and the
/// selection. Each is chosen to meet WCAG AA on its theme's surfaces (the tests below check).
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    /// Needs attention (missing alt text, unsaved text).
    pub warn: Color32,
    /// Failed or destructive.
    pub bad: Color32,
    /// Done, healthy.
    pub good: Color32,
    /// Secondary text (hints, counts): egui's default faded text is about 2.3:1; this keeps 4.5:1.
    pub weak_text: Color32,
    /// Where the keyboard is, everywhere: the product row, the grid's cursor and the text fields
    /// share one ring (2 px; at least 3:1 against every surface, as WCAG asks of focus).
    pub focus: Color32,
    /// The selected tiles' outline: apart from the focus ring, still clear on a tile.
    pub selected: Color32,
    /// The selected product row's fill.
    pub selection_fill: Color32,
    /// Text on the selected row's fill: its title.
    pub on_selection: Color32,
    /// The count under the selected row's title.
    pub on_selection_weak: Color32,
}

/// The dark theme's colours.
pub const DARK: Palette = Palette {
    warn: Color32::from_rgb(214, 150, 40),
    bad: Color32::from_rgb(240, 110, 105),
    good: Color32::from_rgb(90, 170, 110),
    weak_text: Color32::from_gray(165),
    focus: Color32::from_rgb(125, 185, 255),
    selected: Color32::from_rgb(70, 140, 230),
    selection_fill: Color32::from_rgb(0, 92, 128),
    on_selection: Color32::WHITE,
    on_selection_weak: Color32::from_gray(225),
};

/// The light theme's colours: darker inks of the same hues.
pub const LIGHT: Palette = Palette {
    warn: Color32::from_rgb(138, 84, 0),
    bad: Color32::from_rgb(179, 38, 30),
    good: Color32::from_rgb(30, 107, 52),
    weak_text: Color32::from_gray(92),
    focus: Color32::from_rgb(11, 87, 208),
    selected: Color32::from_rgb(26, 115, 232),
    selection_fill: Color32::from_rgb(207, 227, 255),
    on_selection: Color32::from_gray(15),
    on_selection_weak: Color32::from_gray(55),
};

/// The palette of the theme `ctx` shows now.
pub fn palette(ctx: &egui::Context) -> &'static Palette {
    match ctx.theme() {
        egui::Theme::Dark => &DARK,
        egui::Theme::Light => &LIGHT,
    }
}

/// The window's look in `theme`: egui's, with secondary text readable at WCAG AA, the one
/// focus ring and the selection fill of the palette.
pub fn visuals(theme: egui::Theme) -> egui::Visuals {
    let (base, p) = match theme {
        egui::Theme::Dark => (egui::Visuals::dark(), &DARK),
        egui::Theme::Light => (egui::Visuals::light(), &LIGHT),
    };
    let mut visuals = egui::Visuals { weak_text_color: Some(p.weak_text), ..base };
    visuals.selection.stroke = egui::Stroke::new(2.0, p.focus);
    visuals.selection.bg_fill = p.selection_fill;
    visuals
}

/// Draw the focus ring just outside `rect`.
pub fn focus_ring(painter: &egui::Painter, rect: egui::Rect) {
    let focus = palette(painter.ctx()).focus;
    painter.rect_stroke(rect.expand(2.0), 6.0, egui::Stroke::new(2.0, focus), egui::StrokeKind::Outside);
}

/// The merchant's choice of theme: the system's (the default), dark or light.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Appearance {
    /// Follow the system's light or dark setting (dark where the system does not say).
    #[default]
    System,
    /// Always dark.
    Dark,
    /// Always light.
    Light,
}

impl Appearance {
    /// Its name in the settings.
    pub fn words(self) -> &'static str {
        match self {
            Appearance::System => "Follow the system",
            Appearance::Dark => "Dark",
            Appearance::Light => "Light",
        }
    }

    fn preference(self) -> egui::ThemePreference {
        match self {
            Appearance::System => egui::ThemePreference::System,
            Appearance::Dark => egui::ThemePreference::Dark,
            Appearance::Light => egui::ThemePreference::Light,
        }
    }
}

/// Use the window's looks in `ctx`, showing `appearance`.
pub fn apply(ctx: &egui::Context, appearance: Appearance) {
    ctx.set_visuals_of(egui::Theme::Dark, visuals(egui::Theme::Dark));
    ctx.set_visuals_of(egui::Theme::Light, visuals(egui::Theme::Light));
    ctx.options_mut(|o| o.fallback_theme = egui::Theme::Dark);
    ctx.set_theme(appearance.preference());
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

    /// Both themes with their surfaces (panels, windows, text fields, faint rows).
    fn themes() -> [(&'static str, Palette, egui::Visuals); 2] {
        [("dark", DARK, visuals(egui::Theme::Dark)), ("light", LIGHT, visuals(egui::Theme::Light))]
    }

    /// The surfaces text sits on, as seen: a see-through one (egui's faint row fill is
    /// additive) laid over the panel.
    fn surfaces(v: &egui::Visuals) -> [Color32; 4] {
        let over = |bg: Color32, c: Color32| {
            // Premultiplied alpha: what shows is the colour plus what it lets through.
            let through = |x: u8, b: u8| x.saturating_add(((b as u16 * (255 - c.a() as u16)) / 255) as u8);
            Color32::from_rgb(through(c.r(), bg.r()), through(c.g(), bg.g()), through(c.b(), bg.b()))
        };
        [v.panel_fill, v.window_fill, over(v.panel_fill, v.extreme_bg_color), over(v.panel_fill, v.faint_bg_color)]
    }

    #[test]
    fn badge_text_meets_aa_on_its_fill() {
        for (name, (fill, ink)) in [("ok", BADGE_OK), ("needs work", BADGE_WORK), ("missing", BADGE_MISSING)] {
            let ratio = contrast(fill, ink);
            assert!(ratio >= 4.5, "{name} badge: {ratio:.2}:1");
        }
    }

    #[test]
    fn focus_and_selection_stand_out_from_every_surface_in_both_themes() {
        for (theme, p, v) in themes() {
            for bg in surfaces(&v) {
                for (name, ring) in [("focus", p.focus), ("selected", p.selected)] {
                    let ratio = contrast(ring, bg);
                    // WCAG 2.2's focus appearance and non-text contrast: 3:1.
                    assert!(ratio >= 3.0, "{theme}: {name} on {bg:?}: {ratio:.2}:1");
                }
            }
        }
    }

    #[test]
    fn the_selected_rows_text_meets_aa_on_its_fill_in_both_themes() {
        for (theme, p, v) in themes() {
            assert_eq!(v.selection.bg_fill, p.selection_fill);
            for (name, fg) in [("title", p.on_selection), ("count", p.on_selection_weak)] {
                let ratio = contrast(fg, p.selection_fill);
                assert!(ratio >= 4.5, "{theme}: {name} on the selected row: {ratio:.2}:1");
            }
        }
    }

    #[test]
    fn every_text_meets_aa_on_every_surface_in_both_themes() {
        for (theme, p, v) in themes() {
            for bg in surfaces(&v) {
                let texts = [
                    ("warn", p.warn),
                    ("bad", p.bad),
                    ("good", p.good),
                    ("weak text", v.weak_text_color()),
                    ("text", v.text_color()),
                    ("strong text", v.strong_text_color()),
                    ("button text", v.widgets.inactive.fg_stroke.color),
                ];
                for (name, fg) in texts {
                    let ratio = contrast(fg, bg);
                    assert!(ratio >= 4.5, "{theme}: {name} on {bg:?}: {ratio:.2}:1");
                }
            }
        }
    }

    #[test]
    fn the_appearance_chosen_is_the_theme_shown_with_its_own_colours() {
        let ctx = egui::Context::default();
        apply(&ctx, Appearance::Light);
        assert_eq!(ctx.theme(), egui::Theme::Light);
        assert_eq!(palette(&ctx).bad, LIGHT.bad);
        assert_eq!(ctx.global_style().visuals.selection.bg_fill, LIGHT.selection_fill);
        apply(&ctx, Appearance::Dark);
        assert_eq!(ctx.theme(), egui::Theme::Dark);
        assert_eq!(palette(&ctx).bad, DARK.bad);
        // The system's choice, and dark where the system does not say.
        apply(&ctx, Appearance::System);
        assert_eq!(ctx.options(|o| o.theme_preference), egui::ThemePreference::System);
        assert_eq!(ctx.theme(), egui::Theme::Dark);
    }
}
