//! The banner at the top: which store this is (and that the sandbox is a demo), what its token
//! cannot do, and the button that opens the stores window.

use egui::RichText;

use super::app::MediadeskApp;

impl MediadeskApp {
    pub(super) fn banner(&mut self, ui: &mut egui::Ui) {
        let on_sandbox = self.store == crate::model::StoreRef::Sandbox;
        ui.horizontal(|ui| {
            // The button stays at the right edge, so it does not move when the label changes.
            let button = if on_sandbox { "Connect your store…" } else { "Stores…" };
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button(button).clicked() {
                    self.stores.open = !self.stores.open;
                }
                let about = ui.button("About").on_hover_text("Version, where data and logs are, and diagnostics");
                self.about.anchor = Some(about.rect.left_bottom());
                if about.clicked() {
                    self.about.open = !self.about.open;
                }
                let history = ui.button("History").on_hover_text("The changes you made, with an Undo for each");
                // The window opens under its button, like the Stores window.
                self.history.anchor = Some(history.rect.left_bottom());
                if history.clicked() {
                    self.history.open = !self.history.open;
                    if self.history.open {
                        self.engine.send(crate::engine::Command::LoadHistory);
                    }
                }
                ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| self.banner_text(ui, on_sandbox));
            });
        });
        for l in &self.limitations {
            ui.label(RichText::new(l).color(super::theme::palette(ui.ctx()).warn).small());
        }
        if let Some(command) = self.unconfirmed.show(ui) {
            self.engine.send(command);
        }
        self.opened_files_bar(ui);
    }

    fn banner_text(&mut self, ui: &mut egui::Ui, on_sandbox: bool) {
        ui.strong("mediadesk");
        ui.separator();
        // The two views, reachable by Tab and by Ctrl+1 / Ctrl+2.
        use super::app::View;
        let products = ui
            .selectable_label(self.view == View::Products, "Editor")
            .on_hover_text("The product list, the media grid and the inspector (Ctrl+1)");
        if products.clicked() {
            self.show_view(View::Products);
        }
        let audit = ui
            .selectable_label(self.view == View::Audit, "Audit")
            .on_hover_text("Every image of the store checked against the alt-text rules (Ctrl+2)");
        if audit.clicked() {
            self.show_view(View::Audit);
        }
        ui.separator();
        match (&self.store_label, on_sandbox) {
            // Its address means nothing to a merchant: on hover, for whoever needs it. Cut with
            // "…" in a narrow window rather than running under the button.
            (Some(label), true) => {
                let text = "You are looking at the built-in sandbox store: a demo catalog on this computer. \
                            Nothing here touches a real store.";
                ui.add(egui::Label::new(text).truncate()).on_hover_text(format!("{text}\n{label}"))
            }
            (Some(label), false) => {
                ui.add(egui::Label::new(RichText::new(label).strong()).truncate()).on_hover_text(label.as_str())
            }
            (None, _) if self.stores.busy => ui.label("Opening your store…"),
            (None, _) if self.has_sandbox => ui.label("Starting the sandbox store…"),
            (None, _) => ui.label("No store is connected yet: connect your store to begin."),
        };
        if self.stores.busy && !self.stores.open {
            ui.spinner();
            ui.label(format!("Opening {}…", self.stores.pending.as_ref().map(|s| s.to_string()).unwrap_or_default()));
        }
    }

    /// Files the app was opened with: which product they go to is asked, never guessed.
    fn opened_files_bar(&mut self, ui: &mut egui::Ui) {
        if self.opened_files.is_empty() {
            return;
        }
        let names: Vec<String> = self.opened_files.iter().map(|p| crate::engine::file_name(p)).collect();
        let n = names.len();
        let title = self
            .media
            .as_ref()
            .filter(|m| self.selected.as_ref() == Some(&m.id))
            .map(|m| crate::text::visible(&m.title).into_owned());
        ui.horizontal_wrapped(|ui| {
            let what = if n == 1 { "1 file".to_string() } else { format!("{n} files") };
            ui.label(
                RichText::new(format!("{what} to upload ({})", names.join(", ")))
                    .color(super::theme::palette(ui.ctx()).warn),
            );
            match (&title, self.selected.clone()) {
                (Some(title), Some(product)) => {
                    if ui.button(format!("Upload to \u{201c}{title}\u{201d}")).clicked() {
                        let files = std::mem::take(&mut self.opened_files);
                        self.upload(product, files);
                    }
                }
                _ => {
                    ui.label("Choose their product in the list.");
                }
            }
            if ui.button("Cancel").on_hover_text("Upload nothing").clicked() {
                self.opened_files.clear();
            }
        });
    }
}
