//! Step-by-step help for connecting a store, in the Stores window: what to click in the
//! Shopify admin or Dev Dashboard, or in the Ecwid control panel, which permissions and why, a
//! button that opens the right page for the shop typed, and which step a failed test points to.

use egui::RichText;

/// Shopify's steps, in order.
pub const SHOPIFY_STEPS: [&str; 4] = [
    "Type your shop's name: the part before .myshopify.com (e.g. acme for acme.myshopify.com).",
    "In your shop's admin, open Settings > Apps > Develop apps and create an app (or create one in \
     Shopify's Dev Dashboard). Give it the Admin API permissions read_products and write_products (to read and \
     change product media) and read_files and write_files (to upload files and save alt text), then install it.",
    "Copy the Admin API access token (it starts with shpat_ and is shown once) into the token field. An app made \
     in the Dev Dashboard shows a client id and secret instead: tick the box above and paste both.",
    "Press Test and save: mediadesk asks the shop who it is, then keeps the token in your system's keyring.",
];

/// Ecwid's steps, in order.
pub const ECWID_STEPS: [&str; 4] = [
    "Type your store id: the number in your Ecwid control panel's address, or under My profile.",
    "In the Ecwid control panel, open Apps > My apps and create a custom app with the permissions \
     read_catalog (to read products and their images) and update_catalog (to upload, reorder and save alt text).",
    "Copy the app's secret token (it starts with secret_; the public_ one can only read) into the token field.",
    "Press Test and save: mediadesk asks the store for its profile, then keeps the token in your system's keyring.",
];

/// The step a failed test points to (0-based), from the words the engine gave: the shop that
/// did not answer, the permissions, or the token.
pub fn step_to_fix(message: &str) -> Option<usize> {
    let m = message.to_lowercase();
    if m.contains("lacks the") || m.contains("permission") || m.contains("scope") {
        Some(1)
    } else if m.contains("refused the access token") || m.contains("token") {
        Some(2)
    } else if m.contains("could not be reached") || m.contains("not found") || m.contains("no shop") {
        Some(0)
    } else {
        None
    }
}

/// The page to create the app on: the shop's own app settings when its name is typed, else
/// Shopify's Dev Dashboard; for Ecwid, the control panel's apps.
pub fn admin_url(ecwid: bool, shop: &str) -> String {
    if ecwid {
        return "https://my.ecwid.com/#develop-apps".into();
    }
    let name = shop.trim().trim_end_matches(".myshopify.com").to_ascii_lowercase();
    let plain = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if plain {
        format!("https://admin.shopify.com/store/{name}/settings/apps/development")
    } else {
        "https://dev.shopify.com/dashboard".into()
    }
}

/// Draw the steps (open when nothing is saved yet), with `failed` marking the step to fix.
pub fn show(ui: &mut egui::Ui, ecwid: bool, shop: &str, failed: Option<usize>, first_time: bool) {
    let steps: &[&str] = if ecwid { &ECWID_STEPS } else { &SHOPIFY_STEPS };
    let palette = super::theme::palette(ui.ctx());
    egui::CollapsingHeader::new("How to connect, step by step").default_open(first_time || failed.is_some()).show(
        ui,
        |ui| {
            for (i, step) in steps.iter().enumerate() {
                let text = RichText::new(format!("{}. {step}", i + 1));
                let text = if failed == Some(i) { text.color(palette.bad).strong() } else { text };
                ui.label(text);
            }
            let url = admin_url(ecwid, shop);
            let what = match (ecwid, url.contains("admin.shopify.com")) {
                (true, _) => "Open the Ecwid control panel's apps",
                (false, true) => "Open your shop's app settings",
                (false, false) => "Open Shopify's Dev Dashboard",
            };
            if ui.button(what).on_hover_text(url.as_str()).clicked() {
                ui.ctx().open_url(egui::OpenUrl::new_tab(url));
            }
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_right_page_opens_for_the_shop_typed() {
        assert_eq!(
            admin_url(false, "Acme.myshopify.com"),
            "https://admin.shopify.com/store/acme/settings/apps/development"
        );
        assert_eq!(admin_url(false, ""), "https://dev.shopify.com/dashboard");
        assert_eq!(admin_url(false, "acme/../x"), "https://dev.shopify.com/dashboard", "never a made-up path");
        assert!(admin_url(true, "1003").contains("ecwid.com"));
    }

    #[test]
    fn a_failed_test_points_to_its_step() {
        let refused = crate::engine::describe(&crate::store::StoreError::Auth { message: "401".into() });
        assert_eq!(step_to_fix(&refused), Some(2));
        let scope = crate::engine::describe(&crate::store::StoreError::MissingScope {
            scope: "write_files".into(),
            message: String::new(),
        });
        assert_eq!(step_to_fix(&scope), Some(1));
        let unreachable = crate::engine::describe(&crate::store::StoreError::Network { message: "dns".into() });
        assert_eq!(step_to_fix(&unreachable), Some(0));
    }
}
