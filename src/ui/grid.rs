//! The media grid in the centre: thumbnails in position order, then a tile for each file on
//! its way up. Click, Ctrl-click and Shift-click select; dragging moves the selection; the
//! keyboard does all of it too (see `GridView::keys`). The grid owns its cursor, selection and
//! scroll; what the user asks for that changes the product comes back as `GridAction`s.

use std::collections::{HashMap, HashSet};

use egui::{Color32, Key, Modifiers, RichText, Vec2};

use super::scroll::RowScroll;
use super::theme::{BADGE_MISSING, BADGE_OK, BADGE_WORK};
use super::thumbnails::Thumb;
// How a tile's alt text fares: the same checks as the inspector's and the list's counts.
use crate::audit::Mark as AltMark;
use crate::engine::UploadState;
use crate::model::{Media, MediaId, MediaKind, MediaStatus, ProductId, ProductMedia};
use crate::order::{self, Place};

/// Side of a grid tile.
/// A tile's side at zoom 1, before it stretches to fill its row.
const TILE: f32 = 150.0;
/// The smallest a tile gets in a narrow window (two still fit side by side at 720 px).
const SMALLEST_TILE: f32 = 96.0;
/// The zoom's range (Ctrl+wheel over the grid).
const ZOOM: std::ops::RangeInclusive<f32> = 0.6..=2.0;
/// Space between tiles.
const GAP: f32 = 10.0;

/// A file on its way to the store, shown as a tile after the product's media.
pub(super) struct UploadTile {
    pub(super) batch: u64,
    pub(super) index: usize,
    pub(super) product: ProductId,
    pub(super) name: String,
    pub(super) state: UploadState,
}

/// The grid's own state: the keyboard cursor, the selection and the scroll position.
pub(super) struct GridView {
    /// The media under the keyboard cursor, shown in the inspector.
    pub(super) cursor: Option<MediaId>,
    /// Every selected media (Ctrl/Shift-click, Shift+arrows); holds `cursor` too.
    pub(super) selection: Vec<MediaId>,
    /// Where a Shift range starts.
    pub(super) anchor: Option<MediaId>,
    /// True when arrow keys move through the grid rather than the product list.
    pub(super) has_keys: bool,
    /// Tiles per row at the last frame, for Up and Down.
    per_row: usize,
    /// The scroll position; it follows the keyboard cursor.
    scroll: RowScroll,
    /// How large tiles are drawn, 1 being 150 px (kept between runs).
    pub(super) zoom: f32,
}

impl Default for GridView {
    fn default() -> Self {
        GridView {
            cursor: None,
            selection: Vec::new(),
            anchor: None,
            has_keys: false,
            per_row: 0,
            scroll: RowScroll::default(),
            zoom: 1.0,
        }
    }
}

/// Tiles per row and their side for a grid `width` wide at `zoom`: as many tiles of the zoomed
/// size as fit, stretched to fill the row (a wide window is used, not left empty), and in a
/// narrow one shrunk so two still fit, down to `SMALLEST_TILE`.
pub(super) fn tile_layout(width: f32, zoom: f32) -> (usize, f32) {
    let wanted = TILE * zoom.clamp(*ZOOM.start(), *ZOOM.end());
    let mut per_row = (((width + GAP) / (wanted + GAP)).floor() as usize).max(1);
    if per_row < 2 && (width - GAP) / 2.0 >= SMALLEST_TILE {
        per_row = 2;
    }
    let side = ((width + GAP) / per_row as f32 - GAP).max(SMALLEST_TILE.min(width));
    (per_row, side.floor())
}

/// What the grid draws: the open product and its media once they arrived.
pub(super) struct GridInput<'a> {
    /// The product picked in the list, if any.
    pub(super) product: Option<&'a ProductId>,
    /// Its media, once read (another product's while the picked one loads are not shown).
    pub(super) media: Option<&'a ProductMedia>,
    /// Files on their way up, for every product.
    pub(super) uploads: &'a [UploadTile],
    /// Alt texts typed and not saved, per media: their tiles say so.
    pub(super) drafts: &'a HashMap<MediaId, String>,
    /// Media whose saved alt text waits for the store to answer: their tiles say so.
    pub(super) waiting: &'a HashSet<MediaId>,
    /// How each media's alt text fares, in the media's order, for the tiles' alt badges.
    pub(super) marks: &'a [AltMark],
}

/// What the user asked the grid for, for the app to carry out.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum GridAction {
    /// Put the cursor on this media: alone, toggled in the selection (Ctrl), or a range (Shift).
    Select { media: MediaId, toggle: bool, range: bool },
    /// Move the selected media as one block.
    Move(Place),
    /// A tile was dragged onto the tile at `target`.
    Dropped { dragged: MediaId, target: usize },
    /// Remove the selection from the product (Delete).
    Remove,
    /// Ask before deleting the selected files for good (Shift+Delete).
    AskDelete,
    /// Edit the alt text of the media under the cursor (Enter, F2).
    EditAlt,
    /// Give the keyboard back to the product list (Escape).
    Leave,
    /// Open the file dialog.
    AddFiles,
    /// Take the failed upload tiles of this product away.
    ClearFailedUploads(ProductId),
}

impl GridView {
    /// Forget the cursor and the selection (another product, or media gone).
    pub(super) fn clear(&mut self) {
        self.cursor = None;
        self.selection.clear();
        self.anchor = None;
    }

    /// Bring the cursor's row into view on the next frame.
    pub(super) fn reveal(&mut self) {
        self.scroll.reveal = true;
    }

    /// Draw the grid; `texture` gives a thumbnail's texture (asking for it the first time).
    pub(super) fn grid_ui(
        &mut self,
        ui: &mut egui::Ui,
        input: GridInput<'_>,
        texture: &mut dyn FnMut(&str) -> Option<Thumb>,
    ) -> Vec<GridAction> {
        let mut actions = Vec::new();
        let hovering_files = ui.input(|i| !i.raw.hovered_files.is_empty());
        let Some(selected) = input.product else {
            ui.centered_and_justified(|ui| {
                ui.label(RichText::new("Pick a product on the left to see its media.").weak())
            });
            return actions;
        };
        let Some(pm) = input.media.filter(|m| &m.id == selected) else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Loading media…");
            });
            return actions;
        };
        let uploads: Vec<&UploadTile> = input.uploads.iter().filter(|u| u.product == pm.id).collect();
        self.header(ui, pm, &uploads, &mut actions);
        ui.label(
            RichText::new(
                "Drag thumbnails to reorder; Ctrl- or Shift-click to select several. Drop files on the window to \
                 upload them.",
            )
            .weak()
            .small(),
        );
        ui.separator();
        if hovering_files {
            ui.painter().rect_stroke(
                ui.max_rect(),
                6.0,
                egui::Stroke::new(3.0, ui.visuals().selection.bg_fill),
                egui::StrokeKind::Inside,
            );
        }
        if pm.media.is_empty() && uploads.is_empty() {
            ui.centered_and_justified(|ui| {
                ui.label(
                    RichText::new("This product has no media yet: drop files here or use Add files… (Ctrl+O).").weak(),
                )
            });
            return actions;
        }
        self.tiles(ui, pm, &uploads, (input.drafts, input.waiting, input.marks), texture, &mut actions);
        actions
    }

    /// The rows of tiles in view: the product's media, then its uploads.
    fn tiles(
        &mut self,
        ui: &mut egui::Ui,
        pm: &ProductMedia,
        uploads: &[&UploadTile],
        (drafts, waiting, marks): (&HashMap<MediaId, String>, &HashSet<MediaId>, &[AltMark]),
        texture: &mut dyn FnMut(&str) -> Option<Thumb>,
        actions: &mut Vec<GridAction>,
    ) {
        self.zoom_keys(ui);
        let selection: HashSet<&MediaId> = self.selection.iter().collect();
        // Only the rows in view are laid out and drawn: a 250-media product costs what 20 tiles cost.
        // The scroll bar's width is kept free so the last tile is never under it.
        let width = ui.available_width() - ui.spacing().scroll.bar_width - 4.0;
        let (per_row, side) = tile_layout(width, self.zoom);
        self.per_row = per_row;
        let count = pm.media.len() + uploads.len();
        let rows = count.div_ceil(per_row);
        // Keep the keyboard cursor in view.
        let cursor_row =
            self.cursor.as_ref().and_then(|id| pm.media.iter().position(|m| &m.id == id)).map(|at| at / per_row);
        let area = self.scroll.area(cursor_row, side + GAP);
        let mut clicked = None;
        // Each row is exactly side + GAP high, as show_rows and the scroll to the cursor count it.
        ui.spacing_mut().item_spacing.y = 0.0;
        let output = area.show_rows(ui, side + GAP, rows, |ui, row_range| {
            for row in row_range {
                ui.horizontal(|ui| {
                    ui.spacing_mut().item_spacing = Vec2::splat(GAP);
                    for index in row * per_row..((row + 1) * per_row).min(count) {
                        let Some(m) = pm.media.get(index) else {
                            upload_tile(ui, uploads[index - pm.media.len()], side);
                            continue;
                        };
                        let cursor = self.cursor.as_ref() == Some(&m.id);
                        let look = TileLook {
                            selected: selection.contains(&m.id),
                            cursor: cursor && self.has_keys,
                            draft: !cursor && drafts.contains_key(&m.id),
                            waiting: waiting.contains(&m.id),
                            alt: marks.get(index).copied().unwrap_or(AltMark::Missing),
                        };
                        let response = tile(ui, m, (look, side), texture);
                        if let Some(dropped) = drag_and_drop(ui, &response, pm, index) {
                            actions.push(dropped);
                        }
                        if response.dragged() {
                            let moving = if selection.contains(&m.id) { selection.len() } else { 1 };
                            drag_ghost(ui, m.preview_url.as_deref().and_then(&mut *texture), side, moving);
                        }
                        if response.clicked() {
                            clicked = Some(m.id.clone());
                        }
                    }
                });
                ui.add_space(GAP);
            }
        });
        self.scroll.remember(&output);
        if let Some(media) = clicked {
            let mods = release_modifiers(ui);
            actions.push(GridAction::Select { media, toggle: mods.command, range: mods.shift });
            self.has_keys = true;
        }
    }

    /// The header: the product's title, its media count, the selection, and the buttons.
    fn header(&self, ui: &mut egui::Ui, pm: &ProductMedia, uploads: &[&UploadTile], actions: &mut Vec<GridAction>) {
        // The buttons first, from the right, so a narrow window cuts the title, never them (in a
        // row, so the right-to-left part takes one line's height, not the panel's).
        ui.horizontal(|ui| {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("Add files…").on_hover_text("Ctrl+O").clicked() {
                    actions.push(GridAction::AddFiles);
                }
                let failed = uploads.iter().any(|u| matches!(u.state, UploadState::Failed(_)));
                if failed && ui.button("Clear failed uploads").clicked() {
                    actions.push(GridAction::ClearFailedUploads(pm.id.clone()));
                }
                let mut counts = format!("{} media", pm.media.len());
                if self.selection.len() > 1 {
                    counts.push_str(&format!(" · {} selected", self.selection.len()));
                }
                ui.label(RichText::new(counts).weak());
                // The title takes what is left, cut with "…" (whole on hover).
                ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                    let title = crate::text::visible(&pm.title).into_owned();
                    ui.add(egui::Label::new(RichText::new(&title).heading()).truncate()).on_hover_text(&title);
                });
            })
        });
    }

    /// Ctrl+wheel (or a pinch) over the grid zooms the tiles. Ctrl+plus and minus stay egui's
    /// zoom of the whole window, text included, which matters more to a merchant who needs it.
    fn zoom_keys(&mut self, ui: &egui::Ui) {
        let over = ui.rect_contains_pointer(ui.max_rect());
        let factor = ui.input(|i| i.zoom_delta());
        if over && factor != 1.0 {
            self.zoom = (self.zoom * factor).clamp(*ZOOM.start(), *ZOOM.end());
        }
    }

    /// The grid's keys while it has the keyboard, for media in `order`: arrows move the cursor
    /// (with Shift, the selection grows), Alt+arrows move the selected media, Ctrl+A selects
    /// all, Delete removes, Shift+Delete deletes for good, Enter edits the alt text, Escape
    /// goes back to the list.
    pub(super) fn keys(&mut self, ctx: &egui::Context, order: &[MediaId]) -> Vec<GridAction> {
        let mut actions = Vec::new();
        if order.is_empty() {
            return actions;
        }
        let (place, step) = self.arrow_keys(ctx, order);
        if let Some(place) = place {
            actions.push(GridAction::Move(place));
            self.reveal();
        }
        if let Some((delta, range)) = step {
            let at = self.cursor.as_ref().and_then(|id| order.iter().position(|m| m == id));
            let next = match (at, delta) {
                (_, isize::MIN) => 0,
                (_, isize::MAX) => order.len() - 1,
                (None, _) => 0,
                (Some(i), d) => (i as isize + d).clamp(0, order.len() as isize - 1) as usize,
            };
            actions.push(GridAction::Select { media: order[next].clone(), toggle: false, range });
            self.reveal();
        }
        let (all, delete_for_good, remove, edit, leave) = ctx.input_mut(|i| {
            (
                i.consume_key(Modifiers::COMMAND, Key::A),
                i.consume_key(Modifiers::SHIFT, Key::Delete),
                i.consume_key(Modifiers::NONE, Key::Delete) || i.consume_key(Modifiers::NONE, Key::Backspace),
                i.consume_key(Modifiers::NONE, Key::Enter) || i.consume_key(Modifiers::NONE, Key::F2),
                i.consume_key(Modifiers::NONE, Key::Escape),
            )
        });
        if all {
            self.selection = order.to_vec();
        }
        if delete_for_good && !self.selection.is_empty() {
            actions.push(GridAction::AskDelete);
        } else if remove {
            actions.push(GridAction::Remove);
        }
        if edit && self.cursor.is_some() && self.selection.len() <= 1 {
            actions.push(GridAction::EditAlt);
        }
        if leave {
            self.has_keys = false;
            actions.push(GridAction::Leave);
        }
        actions
    }

    /// Arrow keys, Home and End: where Alt moves the selection to, and how far the cursor
    /// steps (with Shift, extending the selection).
    fn arrow_keys(&self, ctx: &egui::Context, order: &[MediaId]) -> (Option<Place>, Option<(isize, bool)>) {
        let per_row = self.per_row.max(1) as isize;
        let steps = [
            (Key::ArrowLeft, -1),
            (Key::ArrowRight, 1),
            (Key::ArrowUp, -per_row),
            (Key::ArrowDown, per_row),
            (Key::Home, isize::MIN),
            (Key::End, isize::MAX),
        ];
        let selected: HashSet<&MediaId> = self.selection.iter().collect();
        let is_selected = |m: &MediaId| selected.contains(m);
        let mut place = None;
        let mut step = None;
        ctx.input_mut(|i| {
            for (key, delta) in steps {
                // Most specific first: consume_key ignores extra Shift and Alt.
                if i.consume_key(Modifiers::ALT, key) {
                    place = match key {
                        Key::ArrowLeft | Key::ArrowUp => order::step_place(order, is_selected, false),
                        Key::ArrowRight | Key::ArrowDown => order::step_place(order, is_selected, true),
                        Key::Home => Some(Place::Start),
                        _ => Some(Place::End),
                    };
                } else if i.consume_key(Modifiers::SHIFT, key) {
                    step = Some((delta, true));
                } else if i.consume_key(Modifiers::NONE, key) {
                    step = Some((delta, false));
                }
            }
        });
        (place, step)
    }
}

/// A tile's drag and drop: it starts a drag, shows where a dragged tile would land, and says
/// what was dropped on it.
fn drag_and_drop(ui: &egui::Ui, response: &egui::Response, pm: &ProductMedia, index: usize) -> Option<GridAction> {
    let m = &pm.media[index];
    if response.drag_started() {
        egui::DragAndDrop::set_payload(ui.ctx(), m.id.clone());
    }
    if response.dragged() {
        ui.ctx().set_cursor_icon(egui::CursorIcon::Grabbing);
    }
    if let Some(from) = response.dnd_hover_payload::<MediaId>()
        && *from != m.id
    {
        let from_index = pm.media.iter().position(|o| o.id == *from).unwrap_or(0);
        landing_line(ui, response, from_index < index);
    }
    response
        .dnd_release_payload::<MediaId>()
        .map(|from| GridAction::Dropped { dragged: (*from).clone(), target: index })
}

/// The dragged tile, small, under the pointer (above everything), with how many media move.
fn drag_ghost(ui: &egui::Ui, thumb: Option<Thumb>, side: f32, moving: usize) {
    let Some(at) = ui.ctx().pointer_interact_pos() else { return };
    let ghost = egui::Rect::from_center_size(at + Vec2::new(side * 0.3, side * 0.3), Vec2::splat(side * 0.6));
    let layer = egui::LayerId::new(egui::Order::Tooltip, egui::Id::unique("dragged media"));
    let painter = ui.ctx().layer_painter(layer);
    painter.rect_filled(ghost, 6.0, Color32::from_black_alpha(200));
    if let Some(t) = thumb {
        t.paint(&painter, ghost.shrink(4.0));
    }
    super::theme::focus_ring(&painter, ghost);
    if moving > 1 {
        badge(&painter, &moving.to_string(), ghost.right_top(), egui::Align2::CENTER_CENTER, BADGE_OK);
    }
}

/// How a tile is marked besides its media.
struct TileLook {
    /// Part of the selection.
    selected: bool,
    /// Under the keyboard cursor while the grid has the keyboard.
    cursor: bool,
    /// Has alt text typed and not saved.
    draft: bool,
    /// Its saved alt text waits for the store to answer.
    waiting: bool,
    /// How its alt text fares under the inspector's checks.
    alt: AltMark,
}

/// One media tile: the thumbnail (or a placeholder), a kind badge, status and an alt badge.
fn tile(
    ui: &mut egui::Ui,
    m: &Media,
    (look, side): (TileLook, f32),
    texture_for: &mut dyn FnMut(&str) -> Option<Thumb>,
) -> egui::Response {
    let TileLook { selected, cursor, draft, waiting, alt } = look;
    // Not focusable: the grid moves its own cursor with the arrow keys, rows out of view included.
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(side), egui::Sense::CLICK | egui::Sense::DRAG);
    let texture = if ui.is_rect_visible(rect) { m.preview_url.as_deref().and_then(texture_for) } else { None };
    let visuals = ui.visuals();
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 6.0, visuals.extreme_bg_color);
    match texture {
        Some(t) => t.paint(&painter, rect.shrink(6.0)),
        None => {
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                "…",
                egui::FontId::proportional(20.0),
                visuals.weak_text_color(),
            );
        }
    }
    let dark = (Color32::from_black_alpha(200), Color32::WHITE);
    match m.kind {
        MediaKind::Image => {}
        // A small play mark, not a word over the picture.
        MediaKind::Video | MediaKind::ExternalVideo => play_mark(&painter, rect.left_top() + Vec2::splat(17.0)),
        MediaKind::Model3d => badge(&painter, "3D", rect.left_top() + Vec2::splat(6.0), egui::Align2::LEFT_TOP, dark),
    }
    if m.position == 0 {
        badge(&painter, "MAIN", rect.right_top() + Vec2::new(-6.0, 6.0), egui::Align2::RIGHT_TOP, dark);
    }
    match m.status {
        MediaStatus::Ready => {}
        MediaStatus::Failed => badge(&painter, "FAILED", rect.center(), egui::Align2::CENTER_CENTER, BADGE_MISSING),
        other => badge(
            &painter,
            &other.as_str().to_uppercase(),
            rect.center(),
            egui::Align2::CENTER_CENTER,
            (Color32::from_black_alpha(200), Color32::WHITE),
        ),
    }
    let (alt_text, alt_colours) = match alt {
        AltMark::Missing => ("NO ALT", BADGE_MISSING),
        AltMark::NeedsWork => ("ALT: CHECK", BADGE_WORK),
        AltMark::Ok => ("ALT OK", BADGE_OK),
    };
    badge(&painter, alt_text, rect.right_bottom() - Vec2::splat(6.0), egui::Align2::RIGHT_BOTTOM, alt_colours);
    let stroke = if selected {
        egui::Stroke::new(3.0, super::theme::palette(ui.ctx()).selected)
    } else {
        egui::Stroke::new(1.0, visuals.widgets.noninteractive.bg_stroke.color)
    };
    painter.rect_stroke(rect, 6.0, stroke, egui::StrokeKind::Inside);
    if waiting {
        badge(&painter, "WAITING", rect.left_bottom() + Vec2::new(6.0, -6.0), egui::Align2::LEFT_BOTTOM, BADGE_WORK);
    } else if draft {
        badge(&painter, "UNSAVED", rect.left_bottom() + Vec2::new(6.0, -6.0), egui::Align2::LEFT_BOTTOM, BADGE_WORK);
    }
    if cursor {
        // Where the arrow keys are.
        super::theme::focus_ring(ui.painter(), rect);
    }
    // Bidi controls written out: `photo\u{202E}gnp.exe` must not read as another name.
    let name = crate::text::visible(m.filename.as_deref().unwrap_or("no file name"));
    let alt_words = if m.alt.is_empty() { "no alt text".into() } else { crate::text::visible(&m.alt) };
    let mut label = format!("{} {}, {name}, {}: {alt_words}", m.kind.label(), m.position + 1, m.status.as_str());
    if m.position == 0 {
        label.push_str(" (main media)");
    }
    if alt == AltMark::NeedsWork {
        label.push_str(" (alt text needs work)");
    }
    if draft {
        label.push_str(" (unsaved alt text)");
    }
    if waiting {
        label.push_str(" (alt text waiting for the store to answer)");
    }
    response.widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, selected, &label));
    if m.status == MediaStatus::Failed && !m.errors.is_empty() {
        // Why processing failed, in the platform's words.
        return response.on_hover_text(m.errors.join("\n"));
    }
    response
}

/// A file on its way up: its name, and how far it got or why it was not sent.
fn upload_tile(ui: &mut egui::Ui, u: &UploadTile, side: f32) {
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(side), egui::Sense::hover());
    let visuals = ui.visuals();
    let painter = ui.painter_at(rect);
    let failed = matches!(u.state, UploadState::Failed(_));
    painter.rect_filled(rect, 6.0, visuals.faint_bg_color);
    let border =
        if failed { super::theme::palette(ui.ctx()).bad } else { visuals.widgets.noninteractive.bg_stroke.color };
    painter.rect_stroke(rect, 6.0, egui::Stroke::new(1.5, border), egui::StrokeKind::Inside);
    let inner = rect.shrink(8.0);
    let name =
        painter.layout(u.name.clone(), egui::FontId::proportional(12.0), visuals.strong_text_color(), inner.width());
    let name_height = name.size().y;
    painter.galley(inner.left_top(), name, visuals.strong_text_color());
    let (status, label) = match &u.state {
        UploadState::Sending(share) => {
            let bar =
                egui::Rect::from_min_size(egui::pos2(inner.left(), inner.center().y), Vec2::new(inner.width(), 6.0));
            painter.rect_filled(bar, 3.0, visuals.extreme_bg_color);
            let done = egui::Rect::from_min_size(bar.min, Vec2::new(bar.width() * share.clamp(0.0, 1.0), bar.height()));
            painter.rect_filled(done, 3.0, visuals.selection.bg_fill);
            let pct = format!("Uploading {:.0}%", share * 100.0);
            (pct.clone(), format!("{pct}: {}", u.name))
        }
        UploadState::Processing => ("Processing…".to_string(), format!("Processing: {}", u.name)),
        UploadState::Done => ("Ready".to_string(), format!("Uploaded: {}", u.name)),
        UploadState::Waiting => (
            "Waiting for the store: sent when it answers".to_string(),
            format!("Waiting for the store to answer: {}", u.name),
        ),
        UploadState::Failed(reason) => {
            (format!("Not uploaded: {reason}"), format!("Not uploaded: {}: {reason}", u.name))
        }
    };
    let colour = if failed { super::theme::palette(ui.ctx()).bad } else { visuals.text_color() };
    let status_galley = painter.layout(status, egui::FontId::proportional(11.5), colour, inner.width());
    // A reason goes right under the name (it may be long); progress sits under the bar.
    let below_name = inner.top() + name_height + 6.0;
    let y = if failed {
        below_name
    } else {
        below_name.max(inner.center().y + 12.0).min(inner.bottom() - status_galley.size().y)
    };
    painter.galley(egui::pos2(inner.left(), y), status_galley, colour);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &label));
}

/// A small coloured label on a tile.
/// A play mark centred at `at`: a dark disc with a white triangle.
fn play_mark(painter: &egui::Painter, at: egui::Pos2) {
    painter.circle_filled(at, 11.0, Color32::from_black_alpha(200));
    let points = vec![at + Vec2::new(-3.5, -6.0), at + Vec2::new(-3.5, 6.0), at + Vec2::new(6.5, 0.0)];
    painter.add(egui::Shape::convex_polygon(points, Color32::WHITE, egui::Stroke::NONE));
}

/// A small label on a tile, in its fill and text colours (`theme`'s pairs meet WCAG AA).
fn badge(painter: &egui::Painter, text: &str, at: egui::Pos2, align: egui::Align2, (fill, ink): (Color32, Color32)) {
    let galley = painter.layout_no_wrap(text.to_string(), egui::FontId::proportional(11.0), ink);
    let r = align.anchor_size(at, galley.size() + Vec2::new(8.0, 4.0));
    painter.rect_filled(r, 3.0, fill);
    painter.galley(r.min + Vec2::new(4.0, 2.0), galley, ink);
}

/// The modifiers held at the release that made a click (they may change within a frame).
fn release_modifiers(ui: &egui::Ui) -> egui::Modifiers {
    ui.input(|i| {
        i.events
            .iter()
            .rev()
            .find_map(|e| match e {
                egui::Event::PointerButton { pressed: false, modifiers, .. } => Some(*modifiers),
                _ => None,
            })
            .unwrap_or(i.modifiers)
    })
}

/// Where dragged tiles will land: a line after the hovered tile when they come from before it.
fn landing_line(ui: &egui::Ui, hovered: &egui::Response, after: bool) {
    let x = if after { hovered.rect.right() + 4.0 } else { hovered.rect.left() - 4.0 };
    let stroke = egui::Stroke::new(3.0, ui.visuals().selection.bg_fill);
    ui.painter().vline(x, hovered.rect.y_range(), stroke);
}

#[cfg(test)]
mod tests {
    use super::tile_layout;

    #[test]
    fn tiles_fill_the_row_and_two_fit_in_a_narrow_window() {
        // 1920×1080 with the side panels: the row is filled, not left two-thirds empty.
        let (per_row, side) = tile_layout(1200.0, 1.0);
        assert_eq!(per_row, 7);
        assert!(side >= 150.0 && (side + 10.0) * 7.0 <= 1210.0, "{side}");
        // The 720 px minimum leaves about 250 px: two tiles, smaller.
        let (per_row, side) = tile_layout(250.0, 1.0);
        assert_eq!((per_row, side), (2, 120.0));
        // Zoomed in twice as large: fewer, larger tiles; zoom is bounded.
        assert_eq!(tile_layout(1200.0, 2.0).0, 3);
        assert_eq!(tile_layout(1200.0, 9.0), tile_layout(1200.0, 2.0));
        // Narrower than two of the smallest: one tile, as wide as there is room for.
        assert_eq!(tile_layout(150.0, 1.0), (1, 150.0));
    }
}
