//! The window's colours, in one place: every panel takes its status colours from here.

use egui::Color32;

/// Needs attention (missing alt text, unsaved text).
pub const WARN: Color32 = Color32::from_rgb(214, 150, 40);
/// Failed or destructive.
pub const BAD: Color32 = Color32::from_rgb(210, 70, 70);
/// Done, healthy.
pub const GOOD: Color32 = Color32::from_rgb(90, 170, 110);
