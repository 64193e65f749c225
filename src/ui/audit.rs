//! The audit view: the store's score and how it moved sync by sync, the counts per rule, and
//! every finding in one list (virtualized, so 80,000 media scroll smoothly) with filters,
//! sorting, inline editing re-checked as you type, decorative marks and the bulk fix.

use std::collections::BTreeSet;
use std::sync::Arc;

use egui::RichText;

use super::audit_fix::{BulkFix, FixAction};
use super::thumbnails::Thumb;
use crate::audit::{AuditRow, Report, Severity};
use crate::engine::{AltChange, AuditData};
use crate::model::{MediaId, MediaKind, ProductId, ScorePoint};

/// A list row's height: a 48-pixel thumbnail and its margins.
const ROW_HEIGHT: f32 = 58.0;
/// How long the list must rest before the thumbnails in view are asked for: a fling through
/// thousands of rows would otherwise fetch and upload a texture for every row it passes.
const SETTLE: std::time::Duration = std::time::Duration::from_millis(120);

/// How the list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Products A to Z (the catalog's order), media in gallery order.
    #[default]
    Product,
    /// Errors first, then warnings, then the number of findings.
    Severity,
    /// Longest alt text first.
    Length,
}

impl Sort {
    fn words(self) -> &'static str {
        match self {
            Sort::Product => "Product",
            Sort::Severity => "Most serious first",
            Sort::Length => "Longest alt text first",
        }
    }
}

/// What the list shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    /// Only media with this rule's finding.
    pub rule: Option<&'static str>,
    /// Only media with a finding of at least this severity.
    pub severity: Option<Severity>,
    /// Only this kind of media.
    pub kind: Option<MediaKind>,
    /// Only products with this status.
    pub status: Option<String>,
    /// Words found in the product's title, handle or vendor.
    pub text: String,
    /// Media that pass every rule are listed too.
    pub passing: bool,
}

impl Filter {
    fn keeps(&self, r: &AuditRow) -> bool {
        if !self.passing && r.findings.is_empty() {
            return false;
        }
        if let Some(id) = self.rule
            && !r.has(id)
        {
            return false;
        }
        if let Some(min) = self.severity
            && r.worst().is_none_or(|w| w < min)
        {
            return false;
        }
        if self.kind.is_some_and(|k| k != r.kind) || self.status.as_ref().is_some_and(|s| r.status.as_ref() != Some(s))
        {
            return false;
        }
        let text = self.text.trim().to_lowercase();
        text.is_empty()
            || [Some(&r.title), Some(&r.handle), r.vendor.as_ref()]
                .into_iter()
                .flatten()
                .any(|f| f.to_lowercase().contains(&text))
    }
}

/// What the merchant asked for in the audit view.
pub enum AuditAction {
    /// Audit the catalog again.
    Load,
    /// Open the media in its product's grid and inspector.
    Open {
        /// The product.
        product: ProductId,
        /// The media.
        media: MediaId,
    },
    /// Save one alt text (edited in the list).
    SaveAlt(AltChange),
    /// Save many as one batch (the bulk fix).
    Apply(Vec<AltChange>),
    /// Mark media decorative, or not.
    Decorative(Vec<MediaId>, bool),
}

/// The audit view's state.
#[derive(Default)]
pub struct AuditView {
    /// The audit as last received, edits in the list applied to it.
    report: Report,
    scores: Vec<ScorePoint>,
    limit: usize,
    synced_at: Option<u64>,
    /// An audit was asked for and has not come yet.
    pub loading: bool,
    /// An audit has come at least once.
    pub loaded: bool,
    /// What the list shows.
    pub filter: Filter,
    /// Its order.
    pub sort: Sort,
    /// Indices into the report's rows, as filtered and sorted; rebuilt when `dirty`.
    shown: Vec<usize>,
    dirty: bool,
    /// Selected media, by product and media (a file may be on several products).
    pub selected: BTreeSet<(ProductId, MediaId)>,
    /// The row whose alt text is being edited, and the text so far.
    editing: Option<(usize, String)>,
    /// The bulk-fix panel.
    pub fix: BulkFix,
    /// The counts the header and the chips show, worked out once per change of the report (a
    /// pass over 80,000 rows every frame would cost more than the whole frame may).
    summary: Summary,
    /// The report changed since `summary` was worked out.
    stale: bool,
    /// The list's scroll offset last frame, and when it last moved.
    scrolled: (f32, Option<std::time::Instant>),
}

/// What the header, the chips and the status filter show of the whole report.
#[derive(Default)]
struct Summary {
    per_rule: Vec<crate::audit::report::RuleCount>,
    total: usize,
    passing: usize,
    score: f64,
    errors: usize,
    warnings: usize,
    statuses: Vec<String>,
}

impl AuditView {
    /// Take a new audit.
    pub fn set(&mut self, data: Arc<AuditData>) {
        self.report = data.report.clone();
        self.scores = data.scores.clone();
        self.limit = data.limit;
        self.synced_at = data.synced_at;
        self.loading = false;
        self.loaded = true;
        self.editing = None;
        self.dirty = true;
        self.stale = true;
        let rows: BTreeSet<(ProductId, MediaId)> =
            self.report.rows.iter().map(|r| (r.product.clone(), r.media.clone())).collect();
        self.selected.retain(|k| rows.contains(k));
    }

    /// A product read again from the store (after an edit, a bulk fix, an undo): its rows
    /// follow the store's texts.
    pub fn product_changed(&mut self, pm: &crate::model::ProductMedia) {
        if self.loaded {
            self.report.update_product(pm, self.limit);
            self.dirty = true;
            self.stale = true;
        }
    }

    /// An alt text the store refused: the row shows the text it kept.
    pub fn refused(&mut self, media: &MediaId, previous: &str) {
        let products: Vec<ProductId> =
            self.report.rows.iter().filter(|r| &r.media == media).map(|r| r.product.clone()).collect();
        for r in self.report.rows.iter_mut().filter(|r| &r.media == media) {
            r.alt = previous.to_string();
        }
        for p in products {
            self.report.recheck(&p, self.limit);
        }
        self.dirty = true;
        self.stale = true;
    }

    /// The summary, worked out again if the report changed.
    fn summary(&mut self) -> &Summary {
        if self.stale {
            let r = &self.report;
            self.summary = Summary {
                per_rule: r.per_rule(),
                total: r.rows.len(),
                passing: r.passing(),
                score: r.score(),
                errors: r.findings_of(Severity::Error),
                warnings: r.findings_of(Severity::Warning),
                statuses: r.rows.iter().filter_map(|x| x.status.clone()).collect::<BTreeSet<_>>().into_iter().collect(),
            };
            self.stale = false;
        }
        &self.summary
    }

    /// The rows the list shows, in order.
    pub fn shown(&mut self) -> &[usize] {
        if self.dirty {
            let rows = &self.report.rows;
            let mut shown: Vec<usize> = (0..rows.len()).filter(|i| self.filter.keeps(&rows[*i])).collect();
            match self.sort {
                Sort::Product => {}
                Sort::Severity => shown.sort_by_key(|i| {
                    let r = &rows[*i];
                    (std::cmp::Reverse(r.worst()), std::cmp::Reverse(r.findings.len()))
                }),
                Sort::Length => shown.sort_by_key(|i| std::cmp::Reverse(rows[*i].alt.chars().count())),
            }
            self.shown = shown;
            self.dirty = false;
        }
        &self.shown
    }

    /// Draw the view; `thumb` gives a row's thumbnail when it is loaded.
    pub fn ui(&mut self, ui: &mut egui::Ui, thumb: &mut dyn FnMut(&str, bool) -> Option<Thumb>) -> Vec<AuditAction> {
        let mut actions = Vec::new();
        if !self.loaded {
            ui.add_space(24.0);
            ui.vertical_centered(|ui| {
                ui.spinner();
                ui.label("Auditing every media of the local catalog…");
            });
            return actions;
        }
        self.header(ui, &mut actions);
        ui.separator();
        self.rule_chips(ui);
        self.filters(ui);
        self.selection_bar(ui, &mut actions);
        if self.fix.open {
            let mut plan_now = false;
            if let Some(FixAction::Apply(changes)) = self.fix.ui(ui, self.selected.len(), &mut plan_now) {
                actions.push(AuditAction::Apply(changes));
                self.selected.clear();
            }
            if plan_now {
                let selected = &self.selected;
                let chosen = |r: &AuditRow| selected.contains(&(r.product.clone(), r.media.clone()));
                self.fix.plan(&self.report, &chosen, self.limit);
            }
        }
        ui.separator();
        self.list(ui, thumb, &mut actions);
        actions
    }

    fn header(&mut self, ui: &mut egui::Ui, actions: &mut Vec<AuditAction>) {
        let palette = super::theme::palette(ui.ctx());
        self.summary();
        ui.horizontal(|ui| {
            let r = &self.summary;
            let score = r.score;
            let colour = if score >= 90.0 {
                palette.good
            } else if score >= 60.0 {
                palette.warn
            } else {
                palette.bad
            };
            ui.label(RichText::new(format!("{score:.0}%")).size(28.0).strong().color(colour));
            ui.vertical(|ui| {
                ui.label(RichText::new("Alt-text score").strong());
                ui.label(format!(
                    "{} of {} media pass every rule \u{b7} {} errors \u{b7} {} warnings",
                    crate::text::thousands(r.passing as u64),
                    crate::text::thousands(r.total as u64),
                    crate::text::thousands(r.errors as u64),
                    crate::text::thousands(r.warnings as u64),
                ));
            });
            self.sparkline(ui);
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let again = ui.add_enabled(!self.loading, egui::Button::new("Audit again"));
                if again.on_hover_text("Read the local catalog again and check every media").clicked() {
                    self.loading = true;
                    actions.push(AuditAction::Load);
                }
                if self.loading {
                    ui.spinner();
                }
                let synced = match self.synced_at {
                    Some(at) => {
                        let now = crate::time::unix(std::time::SystemTime::now());
                        format!("catalog synced {}", crate::text::ago(now.saturating_sub(at)))
                    }
                    None => "the catalog has not been synced yet".into(),
                };
                ui.label(RichText::new(synced).weak());
            });
        });
    }

    /// The score at each sync, as a small line: progress a merchant can see.
    fn sparkline(&self, ui: &mut egui::Ui) {
        if self.scores.len() < 2 {
            return;
        }
        let palette = super::theme::palette(ui.ctx());
        let (rect, response) = ui.allocate_exact_size(egui::vec2(140.0, 32.0), egui::Sense::hover());
        let share = |p: &ScorePoint| p.score() as f32 / 100.0;
        let n = self.scores.len();
        let points: Vec<egui::Pos2> = self
            .scores
            .iter()
            .enumerate()
            .map(|(i, p)| {
                egui::pos2(
                    rect.left() + rect.width() * i as f32 / (n - 1) as f32,
                    rect.bottom() - rect.height() * share(p),
                )
            })
            .collect();
        ui.painter().rect_stroke(rect, 2.0, ui.visuals().widgets.noninteractive.bg_stroke, egui::StrokeKind::Inside);
        ui.painter().add(egui::Shape::line(points, egui::Stroke::new(2.0, palette.good)));
        let first = self.scores.first().map(share).unwrap_or(0.0) * 100.0;
        let last = self.scores.last().map(share).unwrap_or(0.0) * 100.0;
        response.on_hover_text(format!("The score at each of the last {n} syncs: {first:.0}% then, {last:.0}% now"));
    }

    fn rule_chips(&mut self, ui: &mut egui::Ui) {
        let palette = super::theme::palette(ui.ctx());
        let counts = self.summary().per_rule.clone();
        ui.horizontal_wrapped(|ui| {
            for c in counts.iter().filter(|c| c.media > 0) {
                let name = crate::audit::rule(c.rule).map_or(c.rule, |r| r.name);
                let colour = if c.severity == Severity::Error { palette.bad } else { palette.warn };
                let on = self.filter.rule == Some(c.rule);
                let text = RichText::new(format!("{name}: {}", crate::text::thousands(c.media as u64))).color(colour);
                let chip = ui
                    .selectable_label(on, text)
                    .on_hover_text(format!("Show only \u{201c}{name}\u{201d} ({})", c.rule));
                if chip.clicked() {
                    self.filter.rule = if on { None } else { Some(c.rule) };
                    self.dirty = true;
                }
            }
        });
    }

    fn filters(&mut self, ui: &mut egui::Ui) {
        let before = self.filter.clone();
        let sort = self.sort;
        let statuses = self.summary().statuses.clone();
        ui.horizontal_wrapped(|ui| {
            let rule_words = self.filter.rule.and_then(crate::audit::rule).map_or("Every rule", |r| r.name);
            egui::ComboBox::from_id_salt("audit-rule").selected_text(rule_words).show_ui(ui, |ui| {
                ui.selectable_value(&mut self.filter.rule, None, "Every rule");
                for r in crate::audit::RULES {
                    ui.selectable_value(&mut self.filter.rule, Some(r.id), r.name);
                }
            });
            let severity_words = match self.filter.severity {
                None => "Any severity",
                Some(Severity::Error) => "Errors",
                Some(Severity::Warning) => "Warnings and errors",
            };
            egui::ComboBox::from_id_salt("audit-severity").selected_text(severity_words).show_ui(ui, |ui| {
                ui.selectable_value(&mut self.filter.severity, None, "Any severity");
                ui.selectable_value(&mut self.filter.severity, Some(Severity::Error), "Errors");
                ui.selectable_value(&mut self.filter.severity, Some(Severity::Warning), "Warnings and errors");
            });
            let kind_words = self.filter.kind.map_or("Every kind", kind_name);
            egui::ComboBox::from_id_salt("audit-kind").selected_text(kind_words).show_ui(ui, |ui| {
                ui.selectable_value(&mut self.filter.kind, None, "Every kind");
                for k in [MediaKind::Image, MediaKind::Video, MediaKind::ExternalVideo, MediaKind::Model3d] {
                    ui.selectable_value(&mut self.filter.kind, Some(k), kind_name(k));
                }
            });
            if !statuses.is_empty() {
                let status_words = self.filter.status.clone().unwrap_or_else(|| "Any status".into());
                egui::ComboBox::from_id_salt("audit-status").selected_text(status_words).show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.filter.status, None, "Any status");
                    for s in &statuses {
                        ui.selectable_value(&mut self.filter.status, Some(s.clone()), s.as_str());
                    }
                });
            }
            let find = ui.label("Find");
            ui.add(
                egui::TextEdit::singleline(&mut self.filter.text).hint_text("Product or vendor").desired_width(160.0),
            )
            .labelled_by(find.id);
            egui::ComboBox::from_id_salt("audit-sort").selected_text(self.sort.words()).show_ui(ui, |ui| {
                for s in [Sort::Product, Sort::Severity, Sort::Length] {
                    ui.selectable_value(&mut self.sort, s, s.words());
                }
            });
            ui.checkbox(&mut self.filter.passing, "Show media that pass");
        });
        if self.filter != before || self.sort != sort {
            self.dirty = true;
        }
    }

    fn selection_bar(&mut self, ui: &mut egui::Ui, actions: &mut Vec<AuditAction>) {
        let shown = self.shown().len();
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("{} shown", crate::text::thousands(shown as u64)));
            if ui.add_enabled(shown > 0, egui::Button::new(format!("Select all {shown} shown"))).clicked() {
                let keys: Vec<(ProductId, MediaId)> = self
                    .shown
                    .iter()
                    .map(|i| (self.report.rows[*i].product.clone(), self.report.rows[*i].media.clone()))
                    .collect();
                self.selected.extend(keys);
            }
            if !self.selected.is_empty() {
                ui.label(RichText::new(format!("{} selected", self.selected.len())).strong());
                if ui.button("Clear selection").clicked() {
                    self.selected.clear();
                }
                if ui.button("Fix selected with a template…").clicked() {
                    self.fix.open = true;
                    self.fix.preview = None;
                }
                let media: Vec<MediaId> = self.selected.iter().map(|(_, m)| m.clone()).collect();
                if ui
                    .button("Mark decorative")
                    .on_hover_text("They need no alt text: exempt from \u{201c}No alt text\u{201d}")
                    .clicked()
                {
                    actions.push(AuditAction::Decorative(media.clone(), true));
                }
                if ui.button("Not decorative").clicked() {
                    actions.push(AuditAction::Decorative(media, false));
                }
            }
        });
    }

    fn list(
        &mut self,
        ui: &mut egui::Ui,
        thumb: &mut dyn FnMut(&str, bool) -> Option<Thumb>,
        actions: &mut Vec<AuditAction>,
    ) {
        let count = self.shown().len();
        if count == 0 {
            ui.add_space(12.0);
            let words = if self.report.rows.is_empty() {
                "The local catalog holds no media yet: sync it from the product list."
            } else {
                "No media matches these filters."
            };
            ui.label(words);
            return;
        }
        ui.spacing_mut().item_spacing.y = 0.0;
        let settled = self.scrolled.1.is_none_or(|at| at.elapsed() >= SETTLE);
        let output = egui::ScrollArea::vertical().id_salt("audit-list").auto_shrink([false, false]).show_rows(
            ui,
            ROW_HEIGHT,
            count,
            |ui, range| {
                let mut state =
                    RowState { selected: &mut self.selected, editing: &mut self.editing, limit: self.limit };
                let mut saved = None;
                for i in range {
                    let index = self.shown[i];
                    if let Some(alt) =
                        row(ui, &self.report, index, &mut state, &mut |url: &str| thumb(url, settled), actions)
                    {
                        saved = Some((index, alt));
                    }
                }
                if let Some((index, alt)) = saved {
                    self.save_edit(index, alt, actions);
                }
            },
        );
        let offset = output.state.clamped_offset().y;
        if (offset - self.scrolled.0).abs() > 0.5 {
            self.scrolled = (offset, Some(std::time::Instant::now()));
            // Drawn again once it rests, to ask for the thumbnails then in view.
            ui.ctx().request_repaint_after(SETTLE);
        }
    }

    /// Save the text edited in the `index`th row: sent through the journal, and the row and
    /// its product's other rows checked again at once.
    fn save_edit(&mut self, index: usize, alt: String, actions: &mut Vec<AuditAction>) {
        let r = &self.report.rows[index];
        actions.push(AuditAction::SaveAlt(AltChange {
            product: r.product.clone(),
            media: r.media.clone(),
            alt: alt.clone(),
            previous: r.alt.clone(),
            name: r.filename.clone().unwrap_or_else(|| r.media.0.clone()),
        }));
        let product = r.product.clone();
        self.report.rows[index].alt = alt;
        self.report.recheck(&product, self.limit);
        self.dirty = true;
        self.stale = true;
    }
}

/// The parts of the view a row changes while the report is borrowed to draw it.
struct RowState<'a> {
    selected: &'a mut BTreeSet<(ProductId, MediaId)>,
    editing: &'a mut Option<(usize, String)>,
    limit: usize,
}

/// Draw the `index`th row of `report`: selection, thumbnail, a first line with the product,
/// the place and the findings, and a second with the text and its buttons (or the editor).
/// Laid out by hand in a fixed height: a few widgets and no nested layouts, since every row
/// in view is drawn every frame. Returns the edited text when Enter saves it.
fn row(
    ui: &mut egui::Ui,
    report: &Report,
    index: usize,
    state: &mut RowState<'_>,
    thumb: &mut dyn FnMut(&str) -> Option<Thumb>,
    actions: &mut Vec<AuditAction>,
) -> Option<String> {
    let palette = super::theme::palette(ui.ctx());
    let r = &report.rows[index];
    let (rect, _) = ui.allocate_exact_size(egui::vec2(ui.available_width(), ROW_HEIGHT), egui::Sense::hover());
    if !ui.is_rect_visible(rect) {
        return None;
    }
    let inner = rect.shrink2(egui::vec2(4.0, 4.0));
    let key = (r.product.clone(), r.media.clone());
    let mut on = state.selected.contains(&key);
    let tick = egui::Rect::from_center_size(egui::pos2(inner.left() + 10.0, inner.center().y), egui::vec2(20.0, 20.0));
    if ui.place(tick, egui::Checkbox::without_text(&mut on)).on_hover_text("Select for a bulk fix").changed() {
        if on {
            state.selected.insert(key);
        } else {
            state.selected.remove(&key);
        }
    }
    let area = egui::Rect::from_min_size(egui::pos2(tick.right() + 6.0, inner.top() + 1.0), egui::vec2(48.0, 48.0));
    ui.painter().rect_filled(area, 3.0, ui.visuals().extreme_bg_color);
    if let Some(t) = r.preview_url.as_deref().and_then(&mut *thumb) {
        t.paint(ui.painter(), area);
    }
    let text_left = area.right() + 8.0;
    let half = inner.height() / 2.0;
    let first =
        egui::Rect::from_min_max(egui::pos2(text_left, inner.top()), egui::pos2(inner.right(), inner.top() + half));
    let second = egui::Rect::from_min_max(egui::pos2(text_left, first.bottom()), inner.max);

    // First line: one label of several styles; each finding's message on hover.
    let style = ui.style().clone();
    let mut job = egui::text::LayoutJob::default();
    let add = |job: &mut egui::text::LayoutJob, text: RichText| {
        text.append_to(job, &style, egui::FontSelection::Default, egui::Align::Center);
    };
    add(&mut job, RichText::new(crate::text::visible(&r.title)).strong());
    let place = match &r.variation {
        Some(v) => format!("   variation {} \u{b7} its own image", crate::text::visible(v)),
        None => format!("   #{} \u{b7} {}", r.position + 1, kind_name(r.kind)),
    };
    add(&mut job, RichText::new(place).weak());
    if r.decorative {
        add(&mut job, RichText::new("   decorative").weak().italics());
    }
    for f in &r.findings {
        let colour = if f.severity == Severity::Error { palette.bad } else { palette.warn };
        let name = crate::audit::rule(f.rule).map_or(f.rule, |x| x.name);
        add(&mut job, RichText::new(format!("   {name}")).color(colour).small());
    }
    // A click on the product line or the thumbnail opens the media, as the Open button does.
    let opens = !r.is_variation();
    let sense = if opens { egui::Sense::click() } else { egui::Sense::hover() };
    let heading = put_left(ui, first, egui::Label::new(job).truncate().sense(sense));
    let picture = ui.interact(area, ui.make_persistent_id(("audit-thumb", index)), sense);
    if opens && (heading.clicked() || picture.clicked()) {
        actions.push(AuditAction::Open { product: r.product.clone(), media: r.media.clone() });
    }
    heading.on_hover_ui(|ui| {
        for f in &r.findings {
            ui.label(&f.message);
        }
        if opens {
            ui.label(RichText::new("Click to open it in the product's grid and inspector").weak());
        }
    });

    // Second line: the editor, or the text with Edit and Open at the right.
    if let Some((at, draft)) = state.editing.as_mut()
        && *at == index
    {
        let mut line = ui.new_child(
            egui::UiBuilder::new().max_rect(second).layout(egui::Layout::left_to_right(egui::Align::Center)),
        );
        let edit = line.add(egui::TextEdit::singleline(draft).desired_width(second.width() - 150.0));
        edit.request_focus();
        let (enter, escape) = line.input(|i| (i.key_pressed(egui::Key::Enter), i.key_pressed(egui::Key::Escape)));
        // Re-checked as typed, among the product's other texts (its rows are side by side).
        let range = report.product_rows(index);
        let siblings: Vec<&str> = range
            .filter(|i| *i != index && !report.rows[*i].is_variation())
            .map(|i| report.rows[i].alt.as_str())
            .collect();
        let found = r.check_text(draft, &siblings, state.limit);
        let summary = if found.is_empty() {
            RichText::new("passes every rule").color(palette.good).small()
        } else {
            let names: Vec<&str> = found.iter().map(|f| f.rule).collect();
            RichText::new(names.join(", ")).color(palette.warn).small()
        };
        line.label(summary);
        if escape {
            *state.editing = None;
        } else if enter {
            let alt = draft.split_whitespace().collect::<Vec<_>>().join(" ");
            *state.editing = None;
            if alt != r.alt {
                return Some(alt);
            }
        }
        return None;
    }
    let mut buttons =
        ui.new_child(egui::UiBuilder::new().max_rect(second).layout(egui::Layout::right_to_left(egui::Align::Center)));
    let edit = if r.is_variation() {
        // A variation's own picture: its text is changed in Ecwid's control panel.
        buttons
            .label(RichText::new("edit in Ecwid's control panel").weak().small())
            .on_hover_text("A variation's own image: its alt text is changed in the variation's settings in Ecwid");
        None
    } else {
        if buttons.small_button("Open").on_hover_text("Open in the product's grid and inspector").clicked() {
            actions.push(AuditAction::Open { product: r.product.clone(), media: r.media.clone() });
        }
        Some(buttons.small_button("Edit").on_hover_text("Edit here; Enter saves, Esc cancels"))
    };
    // The text fills what the buttons leave, cut with "…" when long.
    let room = egui::Rect::from_min_max(second.min, egui::pos2(buttons.min_rect().left() - 8.0, second.bottom()));
    let text = egui::Label::new(alt_words(&r.alt)).truncate().sense(sense);
    let shown = put_left(ui, room, text);
    if let Some(edit) = edit
        && (shown.double_clicked() || edit.clicked())
    {
        *state.editing = Some((index, r.alt.clone()));
    }
    None
}

/// A row's text as shown: "(no alt text)" when blank.
fn alt_words(alt: &str) -> RichText {
    if alt.is_empty() {
        RichText::new("(no alt text)").weak().italics()
    } else {
        RichText::new(crate::text::visible(alt))
    }
}

/// Add `widget` in `rect`, at its left and centred in its height, without moving `ui`'s cursor.
fn put_left(ui: &mut egui::Ui, rect: egui::Rect, widget: impl egui::Widget) -> egui::Response {
    ui.new_child(egui::UiBuilder::new().max_rect(rect).layout(egui::Layout::left_to_right(egui::Align::Center)))
        .add(widget)
}

fn kind_name(k: MediaKind) -> &'static str {
    match k {
        MediaKind::Image => "Image",
        MediaKind::Video => "Video",
        MediaKind::ExternalVideo => "External video",
        MediaKind::Model3d => "3D model",
    }
}
