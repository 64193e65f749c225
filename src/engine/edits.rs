//! The engine's edits of a product: alt text, order, and batch edits (remove, delete, put back),
//! each announced in the activity strip, with a retry where trying again can help.

use super::{Command, Ctx, Event, JobState, describe, next_job, refresh};
use crate::model::{MediaId, ProductId};
use crate::store::{AltEdit, StoreError};

/// Save one media's alt text; a refusal puts the attempted text back as a draft.
/// `edit` is the media, its new text and the text it had.
pub(super) async fn save_alt(ctx: &Ctx, product: ProductId, edit: (MediaId, String, String), title: String) {
    let (media, alt, previous) = edit;
    let send = &ctx.send;
    let job = next_job(ctx);
    send(Event::Activity { job, title: title.clone(), state: JobState::Running(None) });
    let attempted = alt.clone();
    let result = ctx.store().set_alt(&product, &[AltEdit { media: media.clone(), alt: alt.clone() }]).await;
    if let Ok(crate::store::BatchOutcome { notice: Some(n), .. }) = &result {
        send(Event::Notice(n.clone()));
    }
    let failure = match result {
        Ok(o) if o.failed.is_empty() => None,
        Ok(o) => o.failed.into_iter().next().map(|e| (e.message.clone(), format!("{}: {}", e.code, e.message))),
        Err(e) => {
            if e.is_transient() {
                let again = Command::SaveAlt {
                    product,
                    media: media.clone(),
                    alt,
                    previous: previous.clone(),
                    title: title.clone(),
                };
                send(Event::Retry { job, command: Box::new(again) });
            }
            Some((describe(&e), e.to_string()))
        }
    };
    match failure {
        None => {
            send(Event::AltSaved { media, alt: attempted });
            send(Event::Activity { job, title, state: JobState::Done });
        }
        Some((message, detail)) => {
            send(Event::AltRefused { media, previous, attempted });
            send(Event::Activity { job, title, state: JobState::Failed { message, detail } });
        }
    }
}

/// Put the product's media in this order; a refusal shows the product as the store has it.
pub(super) async fn reorder(ctx: &Ctx, product: ProductId, order: Vec<MediaId>, previous: Vec<MediaId>, title: String) {
    let send = &ctx.send;
    let job = next_job(ctx);
    send(Event::Activity { job, title: title.clone(), state: JobState::Running(None) });
    match ctx.store().reorder(&product, &order).await {
        Ok(()) => send(Event::Activity { job, title, state: JobState::Done }),
        Err(e) => {
            if e.is_transient() {
                let again = Command::Reorder {
                    product: product.clone(),
                    order,
                    previous: previous.clone(),
                    title: title.clone(),
                };
                send(Event::Retry { job, command: Box::new(again) });
            }
            send(Event::ReorderRefused { product: product.clone(), previous });
            send(Event::Activity {
                job,
                title,
                state: JobState::Failed { message: describe(&e), detail: e.to_string() },
            });
            // The product may have changed meanwhile (the usual reason): show it as it is.
            refresh(ctx, &product).await;
        }
    }
}

/// Report a finished batch edit in the activity strip (with a retry of what failed), then show
/// the product as the store has it.
pub(super) async fn report_batch(
    ctx: &Ctx,
    title: String,
    result: Result<crate::store::BatchOutcome, StoreError>,
    product: &ProductId,
    media: &[MediaId],
    retry: impl FnOnce(Vec<MediaId>) -> Command,
) {
    let job = next_job(ctx);
    if let Ok(crate::store::BatchOutcome { notice: Some(n), .. }) = &result {
        (ctx.send)(Event::Notice(n.clone()));
    }
    let (state, again) = match result {
        Ok(o) if o.failed.is_empty() => (JobState::Done, None),
        Ok(o) => {
            let failed: Vec<MediaId> = media
                .iter()
                .filter(|m| o.failed.iter().any(|e| e.item.as_deref() == Some(m.0.as_str())))
                .cloned()
                .collect();
            let detail = o.failed.iter().map(|e| format!("{}: {}", e.code, e.message)).collect::<Vec<_>>().join("; ");
            let message = format!("{} of {} failed", o.failed.len(), media.len());
            (JobState::Failed { message, detail }, Some(if failed.is_empty() { media.to_vec() } else { failed }))
        }
        Err(e) => (JobState::Failed { message: describe(&e), detail: e.to_string() }, Some(media.to_vec())),
    };
    (ctx.send)(Event::Activity { job, title, state });
    if let Some(ids) = again {
        (ctx.send)(Event::Retry { job, command: Box::new(retry(ids)) });
    }
    refresh(ctx, product).await;
}
