//! The "Add files…" dialog: a seam tests replace, since a native dialog cannot run there.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;

/// The extensions the dialog offers: what Shopify or Ecwid accept as product media.
const MEDIA_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "gif", "webp", "heic", "mp4", "mov", "glb", "usdz"];

type Pick = dyn Fn() -> Option<Vec<PathBuf>> + Send + Sync;

/// Asks the user for files; runs off the UI thread.
#[derive(Clone)]
pub struct FilePicker(Arc<Pick>);

impl FilePicker {
    /// The platform's own file dialog (the XDG portal on Linux).
    pub fn native() -> FilePicker {
        FilePicker(Arc::new(|| {
            let dialog = rfd::AsyncFileDialog::new()
                .set_title("Add files to the product")
                .add_filter("Images, videos and 3D models", MEDIA_EXTENSIONS)
                .add_filter("All files", &["*"])
                .pick_files();
            // The dialog's future needs an executor; this thread has nothing else to do.
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            let handles = runtime.block_on(dialog)?;
            Some(handles.into_iter().map(|h| h.path().to_path_buf()).collect())
        }))
    }

    /// A picker that answers with `answer` (`None`: the user cancelled).
    pub fn answering(answer: Option<Vec<PathBuf>>) -> FilePicker {
        FilePicker(Arc::new(move || answer.clone()))
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

/// A dialog that is open or has answered.
pub(super) struct PickedFiles(mpsc::Receiver<Option<Vec<PathBuf>>>);

impl PickedFiles {
    /// `Some` once the dialog closed: the files chosen, or `None` when cancelled.
    pub(super) fn answer(&self) -> Option<Option<Vec<PathBuf>>> {
        match self.0.try_recv() {
            Ok(answer) => Some(answer),
            Err(mpsc::TryRecvError::Empty) => None,
            Err(mpsc::TryRecvError::Disconnected) => Some(None),
        }
    }
}
