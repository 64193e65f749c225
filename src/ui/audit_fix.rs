//! The audit view's bulk fix: a template for the selected media, every resulting text shown
//! with its own findings before anything is sent, then applied as one batch.

use egui::RichText;

use crate::audit::template::{FIELDS, Planned, Template, plan};
use crate::audit::{AuditRow, Report, Severity};
use crate::engine::AltChange;

/// The bulk-fix panel's state.
#[derive(Default)]
pub struct BulkFix {
    /// Shown.
    pub open: bool,
    /// The template as typed.
    pub template: String,
    /// Change selected media whose text passes every rule too.
    pub overwrite: bool,
    /// Why the template cannot be used, in words.
    pub error: Option<String>,
    /// The texts the template gives, once previewed.
    pub preview: Option<Vec<Planned>>,
}

/// What the panel asks for.
pub enum FixAction {
    /// Send these changes as one batch.
    Apply(Vec<AltChange>),
}

impl BulkFix {
    /// Work out the preview for the `selected` media of `report`.
    pub fn plan(&mut self, report: &Report, selected: &dyn Fn(&AuditRow) -> bool, limit: usize) {
        match Template::parse(&self.template) {
            Ok(t) => {
                let overwrite = self.overwrite;
                self.preview = Some(plan(report, &t, |r| selected(r) && (overwrite || !r.findings.is_empty()), limit));
                self.error = None;
            }
            Err(e) => {
                self.error = Some(e.to_string());
                self.preview = None;
            }
        }
    }

    /// Draw the panel for `selected_count` selected media; `plan_now` is set when the preview
    /// must be worked out again (the template or the mode changed, or Preview was pressed).
    pub fn ui(&mut self, ui: &mut egui::Ui, selected_count: usize, plan_now: &mut bool) -> Option<FixAction> {
        let palette = super::theme::palette(ui.ctx());
        let mut action = None;
        ui.group(|ui| {
            ui.horizontal(|ui| {
                ui.strong(format!("Fix {selected_count} selected media with a template"));
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.button("Close").clicked() {
                        self.open = false;
                        self.preview = None;
                    }
                });
            });
            let fields: Vec<String> = FIELDS.iter().map(|f| format!("{{{f}}}")).collect();
            ui.label(RichText::new(format!("Fields: {}", fields.join(" "))).small());
            let label = ui.label("Template");
            let edit = ui
                .add(
                    egui::TextEdit::singleline(&mut self.template)
                        .hint_text("{title}, {variant}, view {position}")
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id);
            ui.horizontal(|ui| {
                let only = ui.radio_value(&mut self.overwrite, false, "Only where the alt text fails a rule");
                let all = ui.radio_value(&mut self.overwrite, true, "Overwrite every selected alt text");
                if edit.changed() || only.changed() || all.changed() {
                    self.preview = None;
                }
                if ui.button("Preview").clicked() || edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
                {
                    *plan_now = true;
                }
            });
            if let Some(e) = &self.error {
                ui.label(RichText::new(e).color(palette.bad));
            }
            let Some(preview) = &self.preview else { return };
            if preview.is_empty() {
                ui.label("Nothing to change: no selected media fails a rule, or the template gives the same texts.");
                return;
            }
            let flagged = preview.iter().filter(|p| !p.findings.is_empty()).count();
            ui.label(format!(
                "{} alt texts will change; {flagged} of the new texts still have findings (shown below).",
                preview.len()
            ));
            let row_height = 40.0;
            egui::ScrollArea::vertical().id_salt("fix-preview").max_height(220.0).auto_shrink([false, true]).show_rows(
                ui,
                row_height,
                preview.len(),
                |ui, range| {
                    for p in &preview[range] {
                        preview_row(ui, p, row_height);
                    }
                },
            );
            ui.horizontal(|ui| {
                if ui.button(RichText::new(format!("Apply {} changes", preview.len())).strong()).clicked() {
                    let changes = preview
                        .iter()
                        .map(|p| AltChange {
                            product: p.row.product.clone(),
                            media: p.row.media.clone(),
                            alt: p.new_alt.clone(),
                            previous: p.row.alt.clone(),
                            name: p.row.filename.clone().unwrap_or_else(|| p.row.media.0.clone()),
                        })
                        .collect();
                    action = Some(FixAction::Apply(changes));
                }
                ui.label(RichText::new("Sent through the edit journal; Ctrl+Z takes the whole batch back.").small());
            });
        });
        if action.is_some() {
            self.preview = None;
            self.open = false;
        }
        action
    }
}

fn preview_row(ui: &mut egui::Ui, p: &Planned, height: f32) {
    let palette = super::theme::palette(ui.ctx());
    ui.allocate_ui(egui::vec2(ui.available_width(), height), |ui| {
        ui.vertical(|ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(crate::text::visible(&p.row.title)).strong());
                let before = if p.row.alt.is_empty() { "(no alt text)".to_string() } else { p.row.alt.clone() };
                ui.add(
                    egui::Label::new(RichText::new(crate::text::visible(&before)).strikethrough().weak()).truncate(),
                );
            });
            ui.horizontal(|ui| {
                ui.label(">");
                ui.add(egui::Label::new(crate::text::visible(&p.new_alt)).truncate());
                for f in &p.findings {
                    let colour = if f.severity == Severity::Error { palette.bad } else { palette.warn };
                    ui.label(RichText::new(f.rule).color(colour).small()).on_hover_text(&f.message);
                }
                if p.findings.is_empty() {
                    ui.label(RichText::new("passes").color(palette.good).small());
                }
            });
        });
    });
}
