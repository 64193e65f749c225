//! The "Stores" window: saved stores (opened or removed, the secret staying in the keyring) and
//! the form that tests a new store's credentials before saving them.

use egui::RichText;

use crate::engine::{Command, Engine};
use crate::model::StoreRef;
use crate::secrets::Secret;
use crate::store::credentials::Credentials;

/// The "Stores" window: saved stores and the form that adds one.
#[derive(Default)]
pub(super) struct StoresForm {
    pub(super) open: bool,
    pub(super) saved: Vec<String>,
    pub(super) ecwid: bool,
    pub(super) shop: String,
    pub(super) use_client: bool,
    pub(super) client_id: String,
    pub(super) secret: String,
    pub(super) busy: bool,
    pub(super) message: Option<String>,
    /// Requests go here instead of the stores' own hosts (tests point it at the sandbox).
    pub(super) endpoint: Option<String>,
    /// What was being connected, to remember it once it works.
    pub(super) pending: Option<StoreRef>,
}

impl StoresForm {
    /// Draw the window when it is open; what the user asks for goes to `engine`. `has_sandbox`:
    /// this build can go back to the built-in sandbox.
    pub(super) fn window_ui(&mut self, ctx: &egui::Context, engine: &Engine, has_sandbox: bool) {
        let mut open = self.open;
        // Under the banner's button that opens it, at the window's top right.
        let corner = egui::pos2(ctx.content_rect().right() - 8.0, 36.0);
        let window = egui::Window::new("Stores").pivot(egui::Align2::RIGHT_TOP).default_pos(corner);
        window.open(&mut open).resizable(false).default_width(420.0).show(ctx, |ui| {
            self.form_ui(ui, engine, has_sandbox);
        });
        self.open = open;
    }

    /// The window's content: saved stores, then the form that adds one.
    fn form_ui(&mut self, ui: &mut egui::Ui, engine: &Engine, has_sandbox: bool) {
        {
            let f = &mut *self;
            ui.label(RichText::new("Saved stores").strong());
            if f.saved.is_empty() {
                ui.label(RichText::new("None yet.").weak());
            }
            let mut forget = None;
            for name in &f.saved {
                ui.horizontal(|ui| {
                    ui.label(name);
                    if ui.button(format!("Open {name}")).clicked()
                        && let Ok(store) = name.parse::<StoreRef>()
                    {
                        f.busy = true;
                        f.pending = Some(store.clone());
                        engine.send(Command::OpenSaved { store, endpoint: f.endpoint.clone() });
                    }
                    if ui.button(format!("Remove {name}")).clicked() {
                        forget = Some(name.clone());
                    }
                });
            }
            if let Some(name) = forget {
                f.saved.retain(|n| *n != name);
                if let Ok(store) = name.parse::<StoreRef>() {
                    engine.send(Command::Forget(store));
                }
            }
            if has_sandbox && ui.button("Use the sandbox store").clicked() {
                engine.send(Command::OpenLocal);
            }
            ui.separator();
            ui.label(RichText::new("Add a store").strong());
            ui.horizontal(|ui| {
                ui.radio_value(&mut f.ecwid, false, "Shopify");
                ui.radio_value(&mut f.ecwid, true, "Ecwid");
            });
            let step = f.message.as_deref().and_then(super::connect_help::step_to_fix);
            // Open at first, unless the window is too short to show the form below it too.
            let roomy = ui.ctx().content_rect().height() >= 700.0;
            super::connect_help::show(ui, f.ecwid, &f.shop, step, f.saved.is_empty() && roomy);
            let field = |ui: &mut egui::Ui, label: &str, value: &mut String, password: bool| {
                let l = ui.label(label);
                ui.add(egui::TextEdit::singleline(value).password(password).desired_width(f32::INFINITY))
                    .labelled_by(l.id);
            };
            if f.ecwid {
                field(ui, "Store id", &mut f.shop, false);
                field(ui, "Access token (secret_…)", &mut f.secret, true);
            } else {
                field(ui, "Shop (name or name.myshopify.com)", &mut f.shop, false);
                ui.checkbox(&mut f.use_client, "Use a client id and secret instead of an access token");
                if f.use_client {
                    field(ui, "Client id", &mut f.client_id, false);
                    field(ui, "Client secret", &mut f.secret, true);
                } else {
                    field(ui, "Admin API access token (shpat_…)", &mut f.secret, true);
                }
            }
            ui.label(
                RichText::new(
                    "mediadesk tests the connection, then keeps the secret in your system's keyring, nowhere else. \
                     Without a keyring, set MEDIADESK_TOKEN before starting mediadesk.",
                )
                .weak()
                .small(),
            );
            ui.horizontal(|ui| {
                let ready = !f.shop.trim().is_empty() && !f.secret.trim().is_empty() && !f.busy;
                if ui.add_enabled(ready, egui::Button::new("Test and save")).clicked() {
                    let text =
                        if f.ecwid { format!("ecwid:{}", f.shop.trim()) } else { format!("shopify:{}", f.shop.trim()) };
                    match text.parse::<StoreRef>() {
                        Ok(store) => {
                            let secret = Secret::new(f.secret.trim());
                            let credentials = if f.use_client && !f.ecwid {
                                Credentials::Client { id: f.client_id.trim().to_string(), secret }
                            } else {
                                Credentials::Token(secret)
                            };
                            f.busy = true;
                            f.message = None;
                            f.pending = Some(store.clone());
                            engine.send(Command::Connect {
                                store,
                                endpoint: f.endpoint.clone(),
                                credentials,
                                save: true,
                            });
                        }
                        Err(e) => f.message = Some(e.to_string()),
                    }
                }
                if f.busy {
                    ui.spinner();
                    ui.label("Testing the connection…");
                }
            });
            if let Some(m) = &f.message {
                let step = super::connect_help::step_to_fix(m).map(|n| format!(" Fix step {} above.", n + 1));
                ui.colored_label(super::theme::palette(ui.ctx()).bad, format!("{m}{}", step.unwrap_or_default()));
            }
        }
    }
}
