//! The app's model and frame: a searchable product list on the left and the selected product's
//! media in the centre. Draws from the model only; all I/O goes through the engine.

use std::time::{Duration, Instant};

use egui::{Color32, RichText};

use crate::engine::{Command, Engine, Event};
use crate::model::{MediaStatus, ProductId, ProductMedia, ProductSummary};

/// How long typing must pause before a search is sent.
const SEARCH_DEBOUNCE: Duration = Duration::from_millis(300);
/// Longest the app spends applying events in one frame.
const EVENT_BUDGET: Duration = Duration::from_millis(10);

/// The window's state.
pub struct MediadeskApp {
    engine: Engine,
    store_label: Option<String>,
    search: String,
    search_changed: Option<Instant>,
    generation: u64,
    products: Vec<ProductSummary>,
    loading_products: bool,
    selected: Option<ProductId>,
    media: Option<ProductMedia>,
    error: Option<String>,
}

impl MediadeskApp {
    /// The app on the built-in sandbox store.
    pub fn new(ctx: &egui::Context) -> Self {
        let repaint_ctx = ctx.clone();
        let engine = Engine::start_sandbox(move || repaint_ctx.request_repaint());
        engine.send(Command::Search { text: String::new(), generation: 1 });
        MediadeskApp {
            engine,
            store_label: None,
            search: String::new(),
            search_changed: None,
            generation: 1,
            products: Vec::new(),
            loading_products: true,
            selected: None,
            media: None,
            error: None,
        }
    }

    fn apply(&mut self, event: Event) {
        match event {
            Event::Connected { label, .. } => self.store_label = Some(label),
            Event::Products { generation, page, first } if generation == self.generation => {
                if first {
                    self.products.clear();
                }
                self.products.extend(page.items);
                self.loading_products = page.next_cursor.is_some();
            }
            Event::Products { .. } => {}
            Event::Media(media) if Some(&media.id) == self.selected.as_ref() => self.media = Some(media),
            Event::Media(_) => {}
            Event::Failed(message) => {
                self.error = Some(message);
                self.loading_products = false;
            }
        }
    }

    fn product_list(&mut self, ui: &mut egui::Ui) {
        ui.add_space(6.0);
        let label = ui.label(RichText::new("Products").strong());
        let search = ui
            .add(
                egui::TextEdit::singleline(&mut self.search)
                    .hint_text("Search: title, vendor, tag:…")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        if search.changed() {
            self.search_changed = Some(Instant::now());
        }
        ui.add_space(4.0);
        if self.loading_products && self.products.is_empty() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Loading products…");
            });
        } else if self.products.is_empty() {
            ui.label(RichText::new("No products match.").weak());
        }
        let row_height = 34.0;
        let mut open = None;
        egui::ScrollArea::vertical().auto_shrink([false; 2]).show_rows(
            ui,
            row_height,
            self.products.len(),
            |ui, rows| {
                ui.with_layout(egui::Layout::top_down_justified(egui::Align::LEFT), |ui| {
                    for p in &self.products[rows] {
                        let selected = self.selected.as_ref() == Some(&p.id);
                        if ui.add(egui::Button::selectable(selected, product_row(ui, p))).clicked() {
                            open = Some(p.id.clone());
                        }
                    }
                });
            },
        );
        if let Some(id) = open {
            self.selected = Some(id.clone());
            self.media = None;
            self.engine.send(Command::OpenProduct(id));
        }
    }

    fn media_view(&mut self, ui: &mut egui::Ui) {
        let Some(selected) = &self.selected else {
            ui.centered_and_justified(|ui| {
                ui.label(RichText::new("Pick a product on the left to see its media.").weak())
            });
            return;
        };
        let Some(media) = self.media.as_ref().filter(|m| &m.id == selected) else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Loading media…");
            });
            return;
        };
        ui.heading(&media.title);
        ui.label(format!("{} media", media.media.len()));
        ui.separator();
        if media.media.is_empty() {
            ui.label(RichText::new("This product has no media yet.").weak());
            return;
        }
        egui::ScrollArea::vertical().auto_shrink([false; 2]).show(ui, |ui| {
            egui::Grid::new("media").striped(true).num_columns(4).spacing([16.0, 6.0]).show(ui, |ui| {
                ui.strong("#");
                ui.strong("Kind");
                ui.strong("Status");
                ui.strong("Alt text");
                ui.end_row();
                for m in &media.media {
                    ui.label((m.position + 1).to_string());
                    ui.label(m.kind.as_str().replace('_', " "));
                    let status = match m.status {
                        MediaStatus::Ready => RichText::new("ready"),
                        MediaStatus::Failed => RichText::new("failed").color(Color32::from_rgb(200, 60, 60)),
                        other => RichText::new(other.as_str()).italics(),
                    };
                    ui.label(status);
                    if m.alt.is_empty() {
                        ui.label(RichText::new("missing alt text").color(Color32::from_rgb(190, 120, 20)));
                    } else {
                        ui.add(egui::Label::new(&m.alt).truncate()).on_hover_text(&m.alt);
                    }
                    ui.end_row();
                }
            });
        });
    }
}

/// A picker row: the title, and the media count under it in a quieter colour.
fn product_row(ui: &egui::Ui, p: &ProductSummary) -> egui::text::LayoutJob {
    let mut job = egui::text::LayoutJob::default();
    let body = egui::TextStyle::Body.resolve(ui.style());
    let small = egui::TextStyle::Body.resolve(ui.style());
    let strong = ui.visuals().strong_text_color();
    let weak = ui.visuals().weak_text_color();
    job.append(&p.title, 0.0, egui::TextFormat::simple(body, strong));
    let count = match p.media_count {
        0 => "\nno media".to_string(),
        1 => "\n1 media".to_string(),
        n => format!("\n{n} media"),
    };
    job.append(&count, 0.0, egui::TextFormat::simple(small, weak));
    job
}

impl eframe::App for MediadeskApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        let start = Instant::now();
        while start.elapsed() < EVENT_BUDGET {
            let Some(event) = self.engine.try_event() else { break };
            self.apply(event);
        }
        if let Some(changed) = self.search_changed {
            let wait = SEARCH_DEBOUNCE.saturating_sub(changed.elapsed());
            if wait.is_zero() {
                self.search_changed = None;
                self.generation += 1;
                self.loading_products = true;
                self.engine.send(Command::Search { text: self.search.clone(), generation: self.generation });
            } else {
                ctx.request_repaint_after(wait);
            }
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::Panel::top("banner").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.strong("mediadesk");
                ui.separator();
                match &self.store_label {
                    Some(label) => ui.label(format!(
                        "You are looking at the built-in {label}: a demo catalog on this computer. \
                         Nothing here touches a real store."
                    )),
                    None => ui.label("Starting the sandbox store…"),
                };
            });
        });
        if let Some(error) = self.error.clone() {
            egui::Panel::bottom("error").show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.colored_label(Color32::from_rgb(200, 60, 60), error);
                    if ui.button("Dismiss").clicked() {
                        self.error = None;
                    }
                });
            });
        }
        egui::Panel::left("products").default_size(300.0).show(ui, |ui| self.product_list(ui));
        egui::CentralPanel::default().show(ui, |ui| self.media_view(ui));
    }
}
