//! Keeping a row of a virtualized list in view: the grid and the product list both lay out
//! fixed-height rows with `show_rows` and scroll to what the arrow keys reach.

/// A list's scroll position at the last frame, and whether a row should be brought into view.
#[derive(Default)]
pub(super) struct RowScroll {
    /// Bring the chosen row into view on the next frame.
    pub(super) reveal: bool,
    offset: f32,
    height: f32,
}

impl RowScroll {
    /// A vertical scroll area, scrolled (when a reveal was asked for) just far enough that
    /// `row`, of rows `row_height` high, is in view.
    pub(super) fn area(&mut self, row: Option<usize>, row_height: f32) -> egui::ScrollArea {
        let area = egui::ScrollArea::vertical().auto_shrink([false; 2]);
        let reveal = std::mem::take(&mut self.reveal);
        let Some(row) = row.filter(|_| reveal) else { return area };
        let top = row as f32 * row_height;
        if top < self.offset {
            area.vertical_scroll_offset(top)
        } else if top + row_height > self.offset + self.height {
            area.vertical_scroll_offset(top + row_height - self.height)
        } else {
            area
        }
    }

    /// Note where the area stands after this frame.
    pub(super) fn remember<R>(&mut self, output: &egui::scroll_area::ScrollAreaOutput<R>) {
        self.offset = output.state.clamped_offset().y;
        self.height = output.inner_rect.height();
    }
}
