//! The "Add files…" dialog: a seam tests replace, since a native dialog cannot run there.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;

/// The extensions the dialog offers: what Shopify or Ecwid accept as product media.
const MEDIA_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "gif", "webp", "heic", "mp4", "mov", "glb", "usdz"];

/// How a dialog ended: the files chosen, `None` when cancelled, or why no dialog could open.
pub type Answer = Result<Option<Vec<PathBuf>>, String>;

/// No person cancels a file dialog this fast: a native dialog that answers "cancelled" sooner
/// never opened (no portal or file chooser on this system).
const QUICKEST_CANCEL: std::time::Duration = std::time::Duration::from_millis(300);

type Pick = dyn Fn() -> Answer + Send + Sync;

/// Asks the user for files; runs off the UI thread.
#[derive(Clone)]
pub struct FilePicker(Arc<Pick>);

impl FilePicker {
    /// The platform's own file dialog (the XDG portal on Linux).
    pub fn native() -> FilePicker {
        FilePicker(Arc::new(|| {
            let opened = std::time::Instant::now();
            let dialog = rfd::AsyncFileDialog::new()
                .set_title("Add files to the product")
                .add_filter("Images, videos and 3D models", MEDIA_EXTENSIONS)
                .add_filter("All files", &["*"])
                .pick_files();
            // The dialog's future needs an executor; this thread has nothing else to do.
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("the file dialog could not start ({e})"))?;
            match runtime.block_on(dialog) {
                Some(handles) => Ok(Some(handles.into_iter().map(|h| h.path().to_path_buf()).collect())),
                None if opened.elapsed() < QUICKEST_CANCEL => Err(NO_DIALOG.to_string()),
                None => Ok(None),
            }
        }))
    }

    /// A picker that answers with `answer` (`None`: the user cancelled).
    pub fn answering(answer: Option<Vec<PathBuf>>) -> FilePicker {
        FilePicker(Arc::new(move || Ok(answer.clone())))
    }

    /// A picker whose dialog cannot open, as on a system without a file chooser.
    pub fn unavailable() -> FilePicker {
        FilePicker(Arc::new(|| Err(NO_DIALOG.to_string())))
    }

    /// Start asking; the answer arrives later, with a repaint.
    pub(super) fn pick(&self, ctx: &egui::Context) -> PickedFiles {
        let (tx, rx) = mpsc::channel();
        let (pick, ctx) = (self.0.clone(), ctx.clone());
        // If the thread cannot start, the sender is dropped and the answer reads as cancelled.
        let _ = std::thread::Builder::new().name("mediadesk-file-dialog".into()).spawn(move || {
            let _ = tx.send(pick());
            ctx.request_repaint();
        });
        PickedFiles(rx)
    }
}

/// What the window says when no dialog can open, and what to do instead.
const NO_DIALOG: &str = "No file dialog could open on this system (it needs the desktop's file chooser portal, \
     e.g. xdg-desktop-portal-gtk). Type or paste the files' paths in the field above the grid, or drop the files \
     on the window.";

/// A dialog that is open or has answered.
pub(super) struct PickedFiles(mpsc::Receiver<Answer>);

impl PickedFiles {
    /// `Some` once the dialog closed: the files chosen, `None` when cancelled, or why it could
    /// not open.
    pub(super) fn answer(&self) -> Option<Answer> {
        match self.0.try_recv() {
            Ok(answer) => Some(answer),
            Err(mpsc::TryRecvError::Empty) => None,
            Err(mpsc::TryRecvError::Disconnected) => Some(Ok(None)),
        }
    }
}

/// The paths typed or pasted in the path field: one per line, or separated by `;`, quotes
/// (as a file manager's "copy path" adds them) taken off.
pub(super) fn typed_paths(text: &str) -> Vec<PathBuf> {
    text.split(['\n', ';'])
        .map(|p| p.trim().trim_matches(|c| c == '"' || c == '\''))
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn typed_paths_split_and_lose_their_quotes() {
        let paths = super::typed_paths(" '/home/me/a b.jpg' ;\n\"/tmp/c.mp4\"\n\n");
        assert_eq!(paths, [std::path::PathBuf::from("/home/me/a b.jpg"), "/tmp/c.mp4".into()]);
        assert!(super::typed_paths(" ; ").is_empty());
    }
}
