//! The activity strip at the bottom: running jobs with progress, finished ones, failures with
//! their platform's words and Retry, and the last error with Dismiss.

use egui::RichText;

use crate::engine::{Command, JobState};

/// Jobs shown in the strip, newest first.
const JOBS_SHOWN: usize = 6;

/// One entry of the activity strip.
struct Job {
    title: String,
    state: JobState,
    /// What "Retry" sends, when the failed part can be tried again.
    retry: Option<Command>,
    /// What "Cancel" sends while the job runs, when it can be stopped.
    cancel: Option<Command>,
}

/// A button of the strip that was clicked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ActivityClick {
    /// Retry this failed job.
    Retry(u64),
    /// Stop this running job.
    Cancel(u64),
    /// Take back the last edit (as Ctrl+Z does).
    Undo,
}

/// The strip's state: the engine's jobs, newest last, and the error shown above them.
#[derive(Default)]
pub(super) struct Activity {
    jobs: Vec<(u64, Job)>,
    /// The last error, until dismissed.
    pub(super) error: Option<String>,
}

impl Activity {
    /// A job started, moved on or finished.
    pub(super) fn update(&mut self, job: u64, title: String, state: JobState) {
        match self.jobs.iter_mut().find(|(id, _)| *id == job) {
            Some((_, j)) => {
                j.title = title;
                if !matches!(state, JobState::Running(_)) {
                    j.cancel = None;
                }
                j.state = state;
            }
            None => self.jobs.push((job, Job { title, state, retry: None, cancel: None })),
        }
    }

    /// What Retry on a failed job sends.
    pub(super) fn offer_retry(&mut self, job: u64, command: Command) {
        if let Some((_, j)) = self.jobs.iter_mut().find(|(id, _)| *id == job) {
            j.retry = Some(command);
        }
    }

    /// What Cancel on a running job sends.
    pub(super) fn offer_cancel(&mut self, job: u64, command: Command) {
        if let Some((_, j)) = self.jobs.iter_mut().find(|(id, _)| *id == job)
            && matches!(j.state, JobState::Running(_))
        {
            j.cancel = Some(command);
        }
    }

    /// The command a job's Cancel sends, once.
    pub(super) fn take_cancel(&mut self, job: u64) -> Option<Command> {
        self.jobs.iter_mut().find(|(id, _)| *id == job).and_then(|(_, j)| j.cancel.take())
    }

    /// The command a job's Retry sends, once: the button goes with it.
    pub(super) fn take_retry(&mut self, job: u64) -> Option<Command> {
        self.jobs.iter_mut().find(|(id, _)| *id == job).and_then(|(_, j)| j.retry.take())
    }

    /// True while a job runs.
    pub(super) fn running(&self) -> bool {
        self.jobs.iter().any(|(_, j)| matches!(j.state, JobState::Running(_)))
    }

    /// Draw the strip, with an Undo button naming `undo` (the last edit) when there is one;
    /// the button clicked, if one was.
    pub(super) fn activity_ui(&mut self, ui: &mut egui::Ui, undo: Option<&str>) -> Option<ActivityClick> {
        if let Some(error) = self.error.clone() {
            ui.horizontal(|ui| {
                ui.colored_label(super::theme::palette(ui.ctx()).bad, error);
                if ui.button("Dismiss").clicked() {
                    self.error = None;
                }
            });
        }
        let mut clicked = None;
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Activity").strong());
            if let Some(what) = undo
                && ui.button("Undo").on_hover_text(format!("Take back the {what} (Ctrl+Z)")).clicked()
            {
                clicked = Some(ActivityClick::Undo);
            }
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
                        if job.cancel.is_some() && ui.button("Cancel").clicked() {
                            clicked = Some(ActivityClick::Cancel(*id));
                        }
                    }
                    JobState::Done => {
                        ui.label(RichText::new(done_words(&job.title)).color(super::theme::palette(ui.ctx()).good));
                    }
                    JobState::Failed { message, detail } => {
                        // The user's words on the strip; the platform's code and words on hover
                        // and, for the newest failure, on the line below.
                        ui.label(
                            RichText::new(format!("Failed: {}: {message}", job.title))
                                .color(super::theme::palette(ui.ctx()).bad),
                        )
                        .on_hover_text(detail);
                        if job.retry.is_some() && ui.button(format!("Retry: {}", job.title)).clicked() {
                            clicked = Some(ActivityClick::Retry(*id));
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
        clicked
    }
}

/// A finished job in the strip's words: "Done: Saving the alt text of polaris.jpg", and an undo
/// as "Undone: alt text of polaris.jpg" (not as a new action).
fn done_words(title: &str) -> String {
    match title.strip_prefix("Undo: ") {
        Some(what) => format!("Undone: {what}"),
        None => format!("Done: {title}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_undo_reads_as_undone() {
        assert_eq!(super::done_words("Undo: alt text of polaris.jpg"), "Undone: alt text of polaris.jpg");
        assert_eq!(super::done_words("Saving the new order"), "Done: Saving the new order");
    }
}
