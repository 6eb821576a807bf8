//! The page frame shared by every screen, the home page per role, and error pages.

use std::collections::BTreeSet;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Extension, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use haven_core::authz::{Permission, Role};
use haven_store::notifications;

use crate::AppState;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::identity::Identity;

/// What every page shows around its content: language, navigation, the CSRF token.
pub struct Chrome {
    pub l: Lang,
    pub user: Option<String>,
    pub permissions: BTreeSet<Permission>,
    pub roles: Vec<Role>,
    pub csrf: String,
    pub organisation: String,
}

impl Chrome {
    pub fn new(l: Lang, identity: Option<&Identity>, state: &AppState) -> Chrome {
        Chrome {
            l,
            user: identity.filter(|i| !i.mfa_pending()).map(|i| i.username.clone()),
            permissions: identity.map(|i| i.principal.permissions()).unwrap_or_default(),
            roles: identity.map(|i| i.principal.roles().into_iter().collect()).unwrap_or_default(),
            csrf: identity.map(|i| i.csrf_token().to_owned()).unwrap_or_default(),
            organisation: state.config.organisation.clone(),
        }
    }

    /// Whether the user holds a permission (by code), to show or hide navigation.
    pub fn can(&self, code: &str) -> bool {
        Permission::from_code(code).is_some_and(|p| self.permissions.contains(&p))
    }

    pub fn t(&self, key: &str) -> String {
        self.l.t(key)
    }

    pub fn role_name(&self, role: &Role) -> String {
        self.l.t(&format!("role-{}", role.code()))
    }

    pub fn all_roles(&self) -> Vec<Role> {
        Role::ALL.to_vec()
    }

    /// Links to the same page in the other languages.
    pub fn languages(&self) -> Vec<(&'static str, &'static str)> {
        vec![("en", "English"), ("fr", "Français"), ("ar", "العربية")]
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    notices: Vec<String>,
    cards: Vec<(String, String, String)>,
}

pub async fn home(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
) -> Result<Response, WebError> {
    let c = Chrome::new(l, Some(&me), &state);
    let notices = notifications::unread(&state.store, me.user_id())
        .await?
        .into_iter()
        .map(|n| l.t1(&format!("notice-{}", n.kind), "when", l.datetime(n.created_at)))
        .collect();
    let mut cards = Vec::new();
    let mut card = |perm: Permission, href: &str, title: &str, text: &str| {
        if c.permissions.contains(&perm) {
            cards.push((href.to_owned(), l.t(title), l.t(text)));
        }
    };
    card(Permission::CatalogRead, "/catalog", "home-card-catalog", "home-card-catalog-text");
    card(Permission::UsersRead, "/admin/users", "home-card-users", "home-card-users-text");
    card(Permission::AuditRead, "/admin/audit", "home-card-audit", "home-card-audit-text");
    card(Permission::SettingsManage, "/admin/settings", "home-card-settings", "home-card-settings-text");
    Ok(HomePage { c, notices, cards }.into_response())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    status: u16,
    message: String,
}

/// An error page; it carries no user data so it needs no identity.
pub fn error_page(l: Lang, status: StatusCode, message: &str) -> Response {
    let c = Chrome {
        l,
        user: None,
        permissions: BTreeSet::new(),
        roles: vec![],
        csrf: String::new(),
        organisation: String::new(),
    };
    let page = ErrorPage { c, status: status.as_u16(), message: message.to_owned() };
    match page.render() {
        Ok(html) => (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
        Err(_) => status.into_response(),
    }
}

pub async fn not_found() -> WebError {
    WebError::NotFound
}

pub async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../static/haven.css"),
    )
}
