//! The banner at the top (which store this is, what its token cannot do) and the activity
//! strip at the bottom (running jobs with progress, finished ones, failures with Retry).

use egui::RichText;

use super::app::MediadeskApp;
use super::theme::{BAD, GOOD, WARN};
use crate::engine::JobState;

/// Jobs shown in the strip, newest first.
const JOBS_SHOWN: usize = 6;

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
                ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| self.banner_text(ui, on_sandbox));
            });
        });
        for l in &self.limitations {
            ui.label(RichText::new(l).color(WARN).small());
        }
    }

    fn banner_text(&mut self, ui: &mut egui::Ui, on_sandbox: bool) {
        ui.strong("mediadesk");
        ui.separator();
        match (&self.store_label, on_sandbox) {
            (Some(label), true) => ui.label(format!(
                "You are looking at the built-in {label}: a demo catalog on this computer. \
                 Nothing here touches a real store."
            )),
            (Some(label), false) => ui.label(RichText::new(label).strong()),
            (None, _) if self.stores.busy => ui.label("Opening your store…"),
            (None, _) if self.has_sandbox => ui.label("Starting the sandbox store…"),
            (None, _) => ui.label("No store is connected yet: connect your store to begin."),
        };
        if self.stores.busy && !self.stores.open {
            ui.spinner();
            ui.label(format!("Opening {}…", self.stores.pending.as_ref().map(|s| s.to_string()).unwrap_or_default()));
        }
    }

    pub(super) fn activity(&mut self, ui: &mut egui::Ui) {
        if let Some(error) = self.error.clone() {
            ui.horizontal(|ui| {
                ui.colored_label(BAD, error);
                if ui.button("Dismiss").clicked() {
                    self.error = None;
                }
            });
        }
        let mut retry = None;
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Activity").strong());
            if self.jobs.is_empty() {
                ui.label(RichText::new("Nothing running.").weak());
            }
            for (id, job) in self.jobs.iter().rev().take(JOBS_SHOWN) {
                ui.separator();
                match &job.state {
                    JobState::Running(p) => {
                        ui.spinner();
                        let pct = p.map(|f| format!(" {:.0}%", f * 100.0)).unwrap_or_default();
                        ui.label(format!("{}{pct}", job.title));
                    }
                    JobState::Done => {
                        ui.label(RichText::new(format!("Done: {}", job.title)).color(GOOD));
                    }
                    JobState::Failed { message, detail } => {
                        // The user's words on the strip; the platform's code and words on hover
                        // and, for the newest failure, on the line below.
                        ui.label(RichText::new(format!("Failed: {}: {message}", job.title)).color(BAD))
                            .on_hover_text(detail);
                        if job.retry.is_some() && ui.button(format!("Retry: {}", job.title)).clicked() {
                            retry = Some(*id);
                        }
                    }
                }
            }
        });
        // The newest failure's platform code and words, on a line of their own.
        let newest_failure = self.jobs.iter().rev().take(JOBS_SHOWN).find_map(|(_, j)| match &j.state {
            JobState::Failed { detail, .. } if !detail.is_empty() => Some(detail.clone()),
            _ => None,
        });
        if let Some(detail) = newest_failure {
            ui.label(RichText::new(format!("Details: {detail}")).weak().small());
        }
        if let Some(job) = retry {
            self.retry(job);
        }
    }
}
