//! The desktop app.

/// Open the window (placeholder until the app is built).
pub fn run() -> Result<(), String> {
    Err("the window is not built yet".into())
}
