//! Escalation targets: who hears of overdue feedback, per organisation.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use haven_store::feedback::outbound as store;
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::identity::Identity;
use crate::pages::Chrome;

#[derive(Template, WebTemplate)]
#[template(path = "escalation.html")]
struct EscalationPage {
    c: Chrome,
    targets: Vec<store::Target>,
    agencies: Vec<(Uuid, String)>,
    error: Option<String>,
}

async fn render(state: &AppState, l: Lang, me: &Identity, error: Option<String>) -> Result<EscalationPage, WebError> {
    Ok(EscalationPage {
        c: Chrome::new(l, Some(me), state),
        targets: store::targets(&state.store).await?,
        agencies: haven_store::identity::agencies(&state.store).await?,
        error,
    })
}

pub async fn page(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
) -> Result<Response, WebError> {
    Ok(render(&state, l, &me, None).await?.into_response())
}

#[derive(Deserialize)]
pub struct AddTarget {
    #[serde(default)]
    agency: String,
    #[serde(default)]
    username: String,
}

pub async fn add(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Form(form): Form<AddTarget>,
) -> Result<Response, WebError> {
    let agency = match form.agency.trim() {
        "" => None,
        id => Some(Uuid::parse_str(id).map_err(|_| WebError::Invalid(vec![("agency", "unknown-code")]))?),
    };
    let found =
        haven_store::identity::user_id_by_username(&state.store, &form.username.trim().to_ascii_lowercase()).await;
    let refusal = match found {
        Err(_) => "error-unknown-user",
        Ok(user) => match store::add_target(&state.store, &me.actor(), agency, user).await {
            Ok(()) => return Ok(Redirect::to("/admin/escalation").into_response()),
            Err(haven_store::StoreError::Conflict(_)) => "escalation-already",
            Err(e) => return Err(e.into()),
        },
    };
    let page = render(&state, l, &me, Some(l.t(refusal))).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub async fn remove(State(state): State<AppState>, me: Identity, Path(id): Path<Uuid>) -> Result<Response, WebError> {
    store::remove_target(&state.store, &me.actor(), id).await?;
    Ok(Redirect::to("/admin/escalation").into_response())
}
