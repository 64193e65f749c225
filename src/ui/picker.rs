//! The product picker on the left: a search box and a virtualized list whose rows show the
//! product's first image, title, media count and alt-text health.

use std::time::Instant;

use std::collections::HashSet;

use egui::{Key, RichText, Vec2};

use super::scroll::RowScroll;
use super::theme::{BADGE_MISSING, BADGE_OK, BADGE_WORK};
use crate::engine::{CatalogState, Command, Engine};
use crate::model::{Page, ProductId, ProductSummary, StoreRef};

const ROW_HEIGHT: f32 = 44.0;
const ROW_THUMB: f32 = 36.0;
/// The next page is asked for when the rows in view come this close to the end of the list.
const PREFETCH_ROWS: usize = 20;

pub(super) use crate::audit::Health;

/// The product list's own state: the search, the pages read so far, and the list's scroll.
#[derive(Default)]
pub(super) struct Picker {
    /// The search box's text.
    pub(super) search: String,
    /// When the text last changed: the search waits for typing to pause.
    search_changed: Option<Instant>,
    /// Names the current search, so pages of an older one are ignored.
    generation: u64,
    /// The products read so far, in order.
    pub(super) products: Vec<ProductSummary>,
    /// The first page of a search is on its way.
    pub(super) loading: bool,
    /// A later page is on its way.
    loading_more: bool,
    /// Where the search's next page starts, if there is one.
    next_cursor: Option<String>,
    /// Put the keyboard in the search box on the next frame (Ctrl+F).
    pub(super) focus: bool,
    scroll: RowScroll,
    /// The rows came from the local catalog and the store's answer is being merged in.
    from_catalog: bool,
    /// Rows of the catalog's answer the store's answer has confirmed so far.
    confirmed: HashSet<ProductId>,
    /// What the open store's local catalog holds (the latest word of the engine, for any store).
    pub(super) catalog: Option<CatalogState>,
    /// Why the store cannot be reached, while the list shows the local catalog.
    pub(super) offline: Option<String>,
}

/// What the list needs from the rest of the window while it draws.
pub(super) trait PickerHost {
    /// The product open in the grid.
    fn open_product_id(&self) -> Option<&ProductId>;
    /// The store open in the window.
    fn store(&self) -> &StoreRef;
    /// A product's alt-text health, when known.
    fn health(&self, id: &ProductId) -> Option<Health>;
    /// A thumbnail's texture, asked for when not loaded yet.
    fn thumbnail(&mut self, url: &str) -> Option<super::thumbnails::Thumb>;
    /// Send a command to the engine.
    fn send(&self, command: Command);
}

/// What the user did in the list, for the window to carry out.
#[derive(Debug, PartialEq)]
pub(super) enum PickerAction {
    /// Open this product (a click, or the arrow keys).
    Open(ProductId),
    /// Enter in the search box: the keyboard goes to the grid.
    EnterGrid,
    /// The rows in view whose health is not known: read these.
    WantHealth(Vec<(ProductId, u32)>),
    /// Sync the local catalog now (everything again when `full`).
    SyncNow {
        /// Read every product, not only the changes.
        full: bool,
    },
}

impl Picker {
    /// The list at start: loading, since the first store's products are asked for as it opens.
    pub(super) fn starting() -> Picker {
        Picker { loading: true, ..Picker::default() }
    }

    /// Start the search over with the current text: its first page.
    pub(super) fn search_again(&mut self, engine: &Engine) {
        self.generation += 1;
        self.loading = true;
        self.loading_more = false;
        self.next_cursor = None;
        self.from_catalog = false;
        engine.send(Command::Search { text: self.search.clone(), generation: self.generation, after: None });
    }

    /// Ask for the search's next page, once, if there is one (the list is scrolled near its end).
    fn more(&mut self, host: &dyn PickerHost) {
        if self.loading_more || self.loading {
            return;
        }
        if let Some(after) = self.next_cursor.clone() {
            self.loading_more = true;
            host.send(Command::Search { text: self.search.clone(), generation: self.generation, after: Some(after) });
        }
    }

    /// The local catalog's answer to the current search: shown at once, while the store's
    /// answer is on its way (the list stays busy until it comes).
    pub(super) fn on_local(&mut self, generation: u64, items: Vec<ProductSummary>) {
        if generation != self.generation {
            return;
        }
        self.products = items;
        self.from_catalog = true;
        self.confirmed.clear();
    }

    /// A page of results arrived; pages of an older search are dropped. Over the catalog's
    /// answer, the store's rows replace the ones they match and new ones are added, so the
    /// list never empties and the open product keeps its row.
    pub(super) fn on_page(&mut self, generation: u64, page: Page<ProductSummary>, first: bool) {
        if generation != self.generation {
            return;
        }
        self.offline = None;
        if self.from_catalog {
            self.reconcile(page.items, page.next_cursor.is_none());
        } else {
            if first {
                self.products.clear();
            }
            self.products.extend(page.items);
        }
        self.next_cursor = page.next_cursor;
        self.loading = false;
        self.loading_more = false;
    }

    /// Merge the store's rows into the catalog's: changed rows in place, new rows where their
    /// title sorts (or at the end of a list ranked by relevance). Once the store has answered
    /// in full, rows it did not return (deleted, or no longer matching) go.
    fn reconcile(&mut self, items: Vec<ProductSummary>, complete: bool) {
        let key = |p: &ProductSummary| p.title.to_lowercase();
        let by_title = self.products.is_sorted_by_key(key);
        for item in items {
            self.confirmed.insert(item.id.clone());
            match self.products.iter().position(|p| p.id == item.id) {
                Some(i) => self.products[i] = item,
                None if by_title => {
                    let at = self.products.partition_point(|p| key(p) <= key(&item));
                    self.products.insert(at, item);
                }
                None => self.products.push(item),
            }
        }
        if complete {
            self.products.retain(|p| self.confirmed.contains(&p.id));
            self.from_catalog = false;
        }
    }

    /// A request failed: nothing more is on its way.
    pub(super) fn on_failed(&mut self) {
        self.loading = false;
        self.loading_more = false;
    }

    /// True while a page is on its way.
    pub(super) fn busy(&self) -> bool {
        self.loading || self.loading_more
    }

    /// Search once typing has paused; otherwise ask for a repaint when it will have.
    pub(super) fn debounce(&mut self, ctx: &egui::Context, engine: &Engine, pause: std::time::Duration) {
        if let Some(changed) = self.search_changed {
            let wait = pause.saturating_sub(changed.elapsed());
            if wait.is_zero() {
                self.search_changed = None;
                self.search_again(engine);
            } else {
                ctx.request_repaint_after(wait);
            }
        }
    }

    /// Draw the search box and the list. `grid_keys` says whether the keyboard is in the grid.
    pub(super) fn picker_ui(
        &mut self,
        ui: &mut egui::Ui,
        host: &mut dyn PickerHost,
        grid_keys: &mut bool,
    ) -> Vec<PickerAction> {
        let mut actions = Vec::new();
        ui.add_space(6.0);
        let label = ui.label(RichText::new("Products").strong());
        let search = ui
            .add(
                egui::TextEdit::singleline(&mut self.search)
                    .hint_text("Search: title, vendor, tag:…  (Ctrl+F)")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        if std::mem::take(&mut self.focus) {
            search.request_focus();
        }
        if search.changed() {
            self.search_changed = Some(Instant::now());
        }
        if search.has_focus() || search.gained_focus() {
            *grid_keys = false;
        }
        if let Some(full) = self.catalog_line(ui, host.store()) {
            actions.push(PickerAction::SyncNow { full });
        }
        legend(ui);
        // Up and Down move through the list from the search box, Enter goes on to the grid.
        if search.has_focus() || (!*grid_keys && !ui.ctx().text_edit_focused()) {
            let (down, up, enter) = ui.input_mut(|i| {
                (
                    i.consume_key(egui::Modifiers::NONE, Key::ArrowDown),
                    i.consume_key(egui::Modifiers::NONE, Key::ArrowUp),
                    i.key_pressed(Key::Enter),
                )
            });
            if (down || up) && !self.products.is_empty() {
                let at = host.open_product_id().and_then(|s| self.products.iter().position(|p| &p.id == s));
                let next = match (at, down) {
                    (None, _) => 0,
                    (Some(i), true) => (i + 1).min(self.products.len() - 1),
                    (Some(i), false) => i.saturating_sub(1),
                };
                actions.push(PickerAction::Open(self.products[next].id.clone()));
                self.scroll.reveal = true;
            }
            if enter && (search.has_focus() || search.lost_focus()) && host.open_product_id().is_some() {
                actions.push(PickerAction::EnterGrid);
            }
        }
        ui.add_space(4.0);
        if self.loading && self.products.is_empty() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Loading products…");
            });
        } else if self.products.is_empty() {
            ui.label(RichText::new("No products match.").weak());
        }
        let rows = self.products.len();
        // Keep the product chosen with the arrow keys in view.
        let open_row = host.open_product_id().and_then(|s| self.products.iter().position(|p| &p.id == s));
        let area = self.scroll.area(open_row, ROW_HEIGHT);
        // Rows touch: show_rows and the scroll to the open row both count exactly ROW_HEIGHT a row.
        ui.spacing_mut().item_spacing.y = 0.0;
        let mut near_end = false;
        let output = area.show_rows(ui, ROW_HEIGHT, rows, |ui, range| {
            near_end = range.end + PREFETCH_ROWS >= rows;
            let mut unknown = Vec::new();
            for i in range {
                let p = &self.products[i];
                let health = host.health(&p.id);
                // A product without media has nothing to read.
                if health.is_none() && p.media_count > 0 {
                    unknown.push((p.id.clone(), p.media_count));
                }
                let thumb = p.preview_url.as_deref().and_then(|u| host.thumbnail(u));
                let selected = host.open_product_id() == Some(&p.id);
                if product_row(ui, p, selected, thumb, health.as_ref()).clicked() {
                    *grid_keys = false;
                    actions.push(PickerAction::Open(p.id.clone()));
                }
            }
            actions.push(PickerAction::WantHealth(unknown));
        });
        self.scroll.remember(&output);
        if near_end {
            self.more(host);
        }
        actions
    }
}

impl Picker {
    /// The line under the search box: what the local catalog holds and when it was synced (or
    /// that the store cannot be reached and this is the local copy), with "Sync now". Returns
    /// the sync asked for: Shift-click reads everything again.
    fn catalog_line(&self, ui: &mut egui::Ui, store: &StoreRef) -> Option<bool> {
        let state = self.catalog.as_ref().filter(|c| &c.store == store)?;
        let now = crate::time::unix(std::time::SystemTime::now());
        let synced = state.last_sync.map(|t| format!("synced {}", crate::text::ago(now.saturating_sub(t))));
        let mut asked = None;
        ui.horizontal_wrapped(|ui| {
            let held = match state.products {
                1 => "1 product on this computer".to_string(),
                n => format!("{} products on this computer", crate::text::thousands(n)),
            };
            match (&self.offline, state.syncing, &synced) {
                (Some(why), _, _) => {
                    let when = synced.as_deref().unwrap_or("never synced");
                    ui.label(
                        RichText::new(format!("Offline: showing the local copy, {when}"))
                            .color(super::theme::palette(ui.ctx()).warn)
                            .small(),
                    )
                    .on_hover_text(why);
                }
                (None, true, _) if state.products == 0 => {
                    ui.label(RichText::new("Copying the store to this computer…").small());
                }
                (None, true, _) => {
                    ui.label(RichText::new(format!("Syncing… {held}")).small());
                }
                (None, false, Some(when)) => {
                    ui.label(RichText::new(format!("{held}, {when}")).small());
                }
                (None, false, None) => {
                    ui.label(RichText::new("Not synced to this computer yet").small());
                }
            }
            let button = ui
                .add_enabled(!state.syncing, egui::Button::new(RichText::new("Sync now").small()))
                .on_hover_text("Read the changes from the store now. Shift-click reads every product again.");
            if button.clicked() {
                asked = Some(ui.input(|i| i.modifiers.shift));
            }
        });
        // "3 min ago" moves on by itself.
        ui.ctx().request_repaint_after(std::time::Duration::from_secs(30));
        asked
    }
}

/// What the badges mean: their three kinds, as they look, each explained on hover.
fn legend(ui: &mut egui::Ui) {
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 4.0;
        ui.label(RichText::new("Alt text:").small());
        let kinds = [
            ("OK", BADGE_OK, "Every image's alt text passes the checks the inspector shows."),
            ("need work", BADGE_WORK, "Alt text the checks flag: a file name, \u{201c}Image of\u{2026}\u{201d}, a keyword list, the same text twice\u{2026}"),
            ("missing", BADGE_MISSING, "No alt text: screen readers get nothing, or the file name."),
        ];
        for (word, (fill, ink), why) in kinds {
            let text = RichText::new(format!(" {word} ")).small().color(ink).background_color(fill);
            ui.label(text).on_hover_text(why);
        }
    });
}

/// One row: first image, title, media count, and a health badge once known.
fn product_row(
    ui: &mut egui::Ui,
    p: &ProductSummary,
    selected: bool,
    thumb: Option<super::thumbnails::Thumb>,
    health: Option<&Health>,
) -> egui::Response {
    let width = ui.available_width();
    let (rect, response) = ui.allocate_exact_size(Vec2::new(width, ROW_HEIGHT), egui::Sense::click());
    let visuals = ui.visuals();
    let painter = ui.painter_at(rect);
    if selected {
        painter.rect_filled(rect, 4.0, visuals.selection.bg_fill);
    } else if response.hovered() {
        painter.rect_filled(rect, 4.0, visuals.widgets.hovered.weak_bg_fill);
    }
    if response.has_focus() {
        // Tab reaches the rows: the ring shows where (inside the row, so the list's clip keeps it).
        super::theme::focus_ring(&painter, rect.shrink(3.0));
    }
    let thumb_rect = egui::Rect::from_min_size(
        rect.left_top() + Vec2::new(4.0, (ROW_HEIGHT - ROW_THUMB) / 2.0),
        Vec2::splat(ROW_THUMB),
    );
    painter.rect_filled(thumb_rect, 3.0, visuals.extreme_bg_color);
    if let Some(t) = thumb {
        t.paint(&painter, thumb_rect);
    }
    let text_x = thumb_rect.right() + 8.0;
    let (text_colour, count_colour) = if selected {
        (super::theme::palette(ui.ctx()).on_selection, super::theme::palette(ui.ctx()).on_selection_weak)
    } else {
        (visuals.strong_text_color(), visuals.weak_text_color())
    };
    let badge = health.and_then(health_badge);
    let title_width = (rect.right() - text_x - 6.0).max(20.0);
    // One line, cut with an ellipsis: a long title never runs into the count below it.
    let mut job = egui::text::LayoutJob::simple_singleline(
        crate::text::visible(&p.title).into_owned(),
        egui::TextStyle::Body.resolve(ui.style()),
        text_colour,
    );
    job.wrap = egui::text::TextWrapping {
        max_width: title_width,
        max_rows: 1,
        break_anywhere: true,
        overflow_character: Some('…'),
    };
    let title = painter.layout_job(job);
    let title_row = title.rows.first().map(|r| r.height()).unwrap_or(14.0);
    painter
        .with_clip_rect(egui::Rect::from_min_size(
            egui::pos2(text_x, rect.top()),
            Vec2::new(title_width, rect.height()),
        ))
        .galley(egui::pos2(text_x, rect.top() + 5.0), title, text_colour);
    let count = match p.media_count {
        0 => "no media".to_string(),
        1 => "1 media".to_string(),
        n => format!("{n} media"),
    };
    let count_at = egui::pos2(text_x, rect.top() + 7.0 + title_row);
    let count_rect = painter.text(
        count_at,
        egui::Align2::LEFT_TOP,
        &count,
        egui::TextStyle::Small.resolve(ui.style()),
        count_colour,
    );
    let mut label = format!("{}\n{count}", crate::text::visible(&p.title));
    // On the count's line, so the title keeps the row's whole width.
    if let Some((text, (fill, ink))) = badge {
        let galley = painter.layout_no_wrap(text, egui::FontId::proportional(11.0), ink);
        let r = egui::Rect::from_min_size(
            egui::pos2(count_rect.right() + 8.0, count_rect.center().y - galley.size().y / 2.0 - 1.0),
            galley.size() + Vec2::new(8.0, 2.0),
        );
        painter.rect_filled(r, 3.0, fill);
        painter.galley(r.min + Vec2::new(4.0, 1.0), galley, ink);
    }
    if let Some(words) = health.and_then(health_words) {
        label.push_str(&format!(", {words}"));
    }
    response.widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, selected, &label));
    response
}

/// The badge's words and colours (fill, text), under the same checks as the inspector: how many
/// media have no alt text, else how many have one the checks flag, else OK; none without media
/// (the row says so already).
pub(super) fn health_badge(h: &Health) -> Option<(String, (egui::Color32, egui::Color32))> {
    Some(match (h.media, h.missing, h.needs_work) {
        (0, _, _) => return None,
        (n, 0, 0) => (format!("{n} OK"), BADGE_OK),
        (n, 0, w) => (format!("{w} of {n} need work"), BADGE_WORK),
        (n, m, _) => (format!("{m} of {n} missing"), BADGE_MISSING),
    })
}

/// What a screen reader says of the badge: every count that is not zero.
pub(super) fn health_words(h: &Health) -> Option<String> {
    if h.media == 0 {
        return None;
    }
    if h.missing == 0 && h.needs_work == 0 {
        return Some("alt text ok".into());
    }
    let mut parts = Vec::new();
    if h.missing > 0 {
        parts.push(format!("{} of {} missing alt text", h.missing, h.media));
    }
    if h.needs_work > 0 {
        parts.push(format!("{} of {} alt texts need work", h.needs_work, h.media));
    }
    Some(parts.join(", "))
}
