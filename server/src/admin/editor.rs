//! The new → check → save (or show again) → redirect flow every editor shares, and the
//! delete confirmation; what differs between editors is an [`Editor`] (and a
//! [`Deletable`]).
//!
//! Every change checks the role and the CSRF token first (`form::allow_change`), shows a
//! refused form again with status 422, and answers a saved one with a 303 to the list.

use std::future::Future;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::form::{self, CsrfOnly, Done, ListForm, Problems, allow_change};
use crate::auth::Staff;
use crate::db::edit_audit::{Actor, Outcome};
use crate::error::{Error, Result};
use crate::extract::Query;
use crate::lang::Lang;
use crate::layout::PageContext;
use crate::secret::Secret;
use crate::state::AppState;

/// The query of a new page that takes none.
#[derive(Debug, Default, Deserialize)]
pub struct NoQuery {}

/// One kind of record staff create and edit through a form.
pub trait Editor: Send + Sync + 'static {
    /// The form as typed (every field may be missing).
    type Form: DeserializeOwned + Default + Send + Sync + 'static;
    /// The query of the new page (e.g. the parent to put it in).
    type NewQuery: DeserializeOwned + Default + Send + 'static;
    /// The checked fields to store.
    type Fields: Send + Sync;
    /// What is stored.
    type Record: Send + Sync;
    /// The editor page.
    type Page: Template + IntoResponse;

    /// The list every change returns to.
    const LIST: &'static str;

    /// The form's CSRF field.
    fn csrf(form: &Self::Form) -> &Secret;

    /// The form of a new one.
    fn blank(query: Self::NewQuery) -> Self::Form;

    /// The stored record the path names; `Error::NotFound` when malformed or unknown.
    fn find(state: &AppState, key: &str) -> impl Future<Output = Result<Self::Record>> + Send;

    /// The record's key as stored (what its paths carry).
    fn key(record: &Self::Record) -> String;

    /// The form filled from a stored record.
    fn form_of(record: Self::Record) -> Self::Form;

    /// Checks the form (`existing` is the key being edited): the fields to store and
    /// what is wrong.
    fn check(
        state: &AppState,
        lang: Lang,
        typed: &Self::Form,
        existing: Option<&str>,
    ) -> impl Future<Output = Result<(Self::Fields, Problems)>> + Send;

    /// Stores a new record (`existing` is `None`) or the edited one, audited.
    fn save(
        state: &AppState,
        existing: Option<&str>,
        fields: &Self::Fields,
        actor: &Actor,
    ) -> impl Future<Output = Result<Outcome>> + Send;

    /// The list's anchor of a saved record.
    fn anchor(fields: &Self::Fields) -> String;

    /// Puts a refused save (a taken key, a missing parent) beside its field.
    fn place(outcome: Outcome, lang: Lang, problems: &mut Problems);

    /// The editor page (`existing` is the key being edited).
    fn page(
        state: &AppState,
        context: &PageContext,
        staff: &Staff,
        existing: Option<String>,
        form: Self::Form,
        problems: Problems,
    ) -> impl Future<Output = Result<Self::Page>> + Send;
}

/// An [`Editor`] whose records can be deleted unless something still needs them.
pub trait Deletable: Editor {
    /// The confirmation (or refusal) page.
    type Confirm: IntoResponse;

    /// Why the record cannot be deleted, if it cannot.
    fn refusal(
        state: &AppState,
        lang: Lang,
        record: &Self::Record,
    ) -> impl Future<Output = Result<Option<String>>> + Send;

    /// Deletes it, audited.
    fn delete(
        state: &AppState,
        key: &str,
        actor: &Actor,
    ) -> impl Future<Output = Result<Outcome>> + Send;

    /// The page asking to confirm, or saying why it cannot be done.
    fn confirm(
        state: &AppState,
        context: &PageContext,
        staff: &Staff,
        record: &Self::Record,
        refusal: Option<String>,
    ) -> Self::Confirm;
}

/// `GET` and `POST` of the new page.
pub fn new_route<E: Editor>() -> MethodRouter<AppState> {
    get(get_new::<E>).post(post_new::<E>)
}

/// `GET` and `POST` of the edit page.
pub fn edit_route<E: Editor>() -> MethodRouter<AppState> {
    get(get_edit::<E>).post(post_edit::<E>)
}

/// `GET` (asks, or says why not) and `POST` (deletes) of the delete page.
pub fn delete_route<E: Deletable>() -> MethodRouter<AppState> {
    get(get_delete::<E>).post(post_delete::<E>)
}

async fn get_new<E: Editor>(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Query(query): Query<E::NewQuery>,
) -> Result<E::Page> {
    staff.require_admin()?;
    let typed = E::blank(query);
    E::page(&state, &context, &staff, None, typed, Problems::default()).await
}

async fn post_new<E: Editor>(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    ListForm(typed): ListForm<E::Form>,
) -> Result<Response> {
    allow_change(&staff, E::csrf(&typed))?;
    save::<E>(&state, &context, &staff, None, typed).await
}

async fn get_edit<E: Editor>(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Path(key): Path<String>,
) -> Result<E::Page> {
    staff.require_admin()?;
    let record = E::find(&state, &key).await?;
    let key = E::key(&record);
    let typed = E::form_of(record);
    E::page(
        &state,
        &context,
        &staff,
        Some(key),
        typed,
        Problems::default(),
    )
    .await
}

async fn post_edit<E: Editor>(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Path(key): Path<String>,
    ListForm(typed): ListForm<E::Form>,
) -> Result<Response> {
    allow_change(&staff, E::csrf(&typed))?;
    let key = E::key(&E::find(&state, &key).await?);
    save::<E>(&state, &context, &staff, Some(key), typed).await
}

/// Checks and stores a form; shows it again with what is wrong.
async fn save<E: Editor>(
    state: &AppState,
    context: &PageContext,
    staff: &Staff,
    existing: Option<String>,
    typed: E::Form,
) -> Result<Response> {
    let lang = context.lang;
    let (fields, mut problems) = E::check(state, lang, &typed, existing.as_deref()).await?;
    if problems.is_empty() {
        let actor = form::actor(staff, state);
        match E::save(state, existing.as_deref(), &fields, &actor).await? {
            Outcome::Done => {
                let done = match existing {
                    Some(_) => Done::Saved,
                    None => Done::Created,
                };
                return Ok(form::done(E::LIST, done, &E::anchor(&fields)));
            }
            Outcome::NotFound => return Err(Error::NotFound),
            refused => E::place(refused, lang, &mut problems),
        }
    }
    form::refused(E::page(state, context, staff, existing, typed, problems).await?)
}

async fn get_delete<E: Deletable>(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Path(key): Path<String>,
) -> Result<E::Confirm> {
    staff.require_admin()?;
    let record = E::find(&state, &key).await?;
    let refusal = E::refusal(&state, context.lang, &record).await?;
    Ok(E::confirm(&state, &context, &staff, &record, refusal))
}

async fn post_delete<E: Deletable>(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Path(key): Path<String>,
    Form(confirm): Form<CsrfOnly>,
) -> Result<Response> {
    allow_change(&staff, &confirm.csrf)?;
    let record = E::find(&state, &key).await?;
    let mut refusal = E::refusal(&state, context.lang, &record).await?;
    if refusal.is_none() {
        let actor = form::actor(&staff, &state);
        match E::delete(&state, &E::key(&record), &actor).await? {
            Outcome::Done => return Ok(form::done(E::LIST, Done::Deleted, "")),
            // Put to use between the check and the delete.
            Outcome::InUse(_) => refusal = E::refusal(&state, context.lang, &record).await?,
            _ => return Err(Error::NotFound),
        }
    }
    let page = E::confirm(&state, &context, &staff, &record, refusal);
    Ok((StatusCode::CONFLICT, page).into_response())
}
