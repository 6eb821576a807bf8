//! Haven's web layer: the router, identity, the authorization layer, server-rendered pages
//! and the JSON API (`/api/v1`, described by an OpenAPI 3.1 document).
//!
//! A request flows: security headers → language → error rendering → identity (who) →
//! CSRF check → the route's guard (may they, and over which records) → handler → store.

pub mod admin;
pub mod api;
pub mod audits;
pub mod authz;
pub mod catalog;
pub mod charts;
pub mod csrf;
pub mod error;
pub mod feedback;
pub mod i18n;
pub mod identity;
pub mod indicators;
pub mod ops;
pub mod outbound;
pub mod pages;
pub mod participation;
pub mod projects;
pub mod security;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post, put};
use haven_core::authz::{Permission, Role};
use haven_store::Store;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;

pub use error::WebError;

/// Settings of the web layer that come from the configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Cookies marked `Secure` and HSTS sent: set when Haven is served over TLS.
    pub secure: bool,
    /// A demo installation: no second factor is required.
    pub demo: bool,
    pub mfa_required_roles: BTreeSet<Role>,
    pub session_policy: haven_core::identity::SessionPolicy,
    pub lockout_policy: haven_core::identity::LockoutPolicy,
    /// The organisation name shown in the header.
    pub organisation: String,
    /// Messaging channels: each is on only when its secret is configured.
    pub channels: feedback::webhooks::ChannelSecrets,
    /// Notification e-mail, the reply gateway and how often they run.
    pub outbound: outbound::OutboundConfig,
    /// Reverse proxies whose `X-Forwarded-For` names the client for the rate limits.
    pub trusted_proxies: identity::client::TrustedProxies,
}

impl WebConfig {
    pub fn new(secure: bool, demo: bool) -> WebConfig {
        let mfa_required_roles = if demo {
            BTreeSet::new()
        } else {
            Role::ALL.into_iter().filter(|r| r.requires_mfa_by_default()).collect()
        };
        WebConfig {
            secure,
            demo,
            mfa_required_roles,
            session_policy: Default::default(),
            lockout_policy: Default::default(),
            organisation: "Haven".into(),
            channels: Default::default(),
            outbound: Default::default(),
            trusted_proxies: Default::default(),
        }
    }
}

/// What every request shares, behind one reference count: extractors and middleware clone
/// the state several times a request, and one count is cheaper than one per field.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub store: Store,
    pub config: Arc<WebConfig>,
    pub throttle: Arc<identity::Throttle>,
    /// Anonymous feedback (public form and API): 30 a minute per address.
    pub public_intake: Arc<identity::Throttle>,
    /// Reference-code look-ups on the status page: 20 a minute per address.
    pub status_lookups: Arc<identity::Throttle>,
    /// Feedback intake, committed in groups by one writer.
    pub intake: haven_store::feedback::IntakeQueue,
    /// The SMTP pool and the HTTP client of the gateways.
    pub senders: outbound::Senders,
}

impl AppState {
    /// Must be called on a tokio runtime: it starts the intake writer.
    pub fn new(store: Store, config: WebConfig) -> AppState {
        let minute = std::time::Duration::from_secs(60);
        install_tls_provider();
        AppState(Arc::new(Shared {
            senders: outbound::Senders::new(&config.outbound),
            intake: haven_store::feedback::IntakeQueue::start(store.clone()),
            store,
            config: Arc::new(config),
            throttle: Arc::new(identity::Throttle::default()),
            public_intake: Arc::new(identity::Throttle::new(minute, 30)),
            status_lookups: Arc::new(identity::Throttle::new(minute, 20)),
        }))
    }
}

/// TLS for e-mail, gateways and HTTP clients uses ring; installing it twice is harmless.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Every route, each behind its guard. A route without a guard is public on purpose.
pub fn router(state: AppState) -> Router {
    use authz::{allow, signed_in};
    let public = Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/static/haven.css", get(pages::stylesheet))
        .route("/login", get(identity::login::form).post(identity::login::submit))
        .route("/login/mfa", get(identity::mfa::challenge_form).post(identity::mfa::challenge_submit))
        .route("/api/v1/openapi.json", get(api::openapi_json))
        .route("/feedback/new", get(feedback::public::form).post(feedback::public::submit))
        .route("/feedback/status", get(feedback::public::status))
        .route("/api/v1/public/feedback", post(feedback::api::create_public))
        .route("/webhooks/sms/twilio", post(feedback::webhooks::twilio))
        .route("/webhooks/sms/generic", post(feedback::webhooks::generic_sms))
        .route("/webhooks/sms/twilio/status", post(feedback::webhooks::twilio_status))
        .route("/webhooks/sms/generic/status", post(feedback::webhooks::generic_status))
        .route("/webhooks/whatsapp", get(feedback::webhooks::whatsapp_verify).post(feedback::webhooks::whatsapp));

    let signed_in_routes = Router::new()
        .route("/", get(pages::home))
        .route("/logout", post(identity::login::logout))
        .route("/account", get(identity::account::page))
        .route("/account/password", post(identity::account::change_password))
        .route("/account/language", post(identity::account::set_language))
        .route("/account/logout-everywhere", post(identity::account::logout_everywhere))
        .route("/account/mfa", get(identity::mfa::enrol_form).post(identity::mfa::enrol_submit))
        .route("/account/tokens", post(identity::account::create_token))
        .route("/account/tokens/{id}/revoke", post(identity::account::revoke_token))
        .route("/admin/users/{id}/roles", post(admin::users::grant_role))
        .route("/admin/users/{id}/roles/{role}/revoke", post(admin::users::revoke_role))
        .route("/admin/users/{id}/password-reset", post(admin::users::reset_password))
        .route("/admin/users/{id}/mfa-reset", post(admin::users::reset_mfa))
        .route("/api/v1/me", get(api::me))
        .route_layer(from_fn(signed_in));

    let guarded = Router::new()
        .merge(
            Router::new()
                .route("/catalog", get(catalog::index))
                .route("/catalog/{kind}", get(catalog::page))
                .route("/api/v1/catalog/{kind}", get(catalog::api_list))
                .route_layer(from_fn(allow(Permission::CatalogRead))),
        )
        .merge(
            Router::new()
                .route("/catalog/{kind}/entries", post(catalog::add_entry))
                .route_layer(from_fn(allow(Permission::CatalogEdit))),
        )
        .merge(
            Router::new()
                .route("/admin/users", get(admin::users::list))
                .route("/admin/users/{id}", get(admin::users::detail))
                .route("/api/v1/users", get(api::users))
                .route_layer(from_fn(allow(Permission::UsersRead))),
        )
        .merge(
            Router::new()
                .route("/admin/users/new", post(admin::users::create))
                .route("/admin/users/{id}/disable", post(admin::users::disable))
                .route("/admin/users/{id}/enable", post(admin::users::enable))
                .route_layer(from_fn(allow(Permission::UsersManage))),
        )
        .merge(
            Router::new()
                .route("/admin/audit", get(admin::audit::page))
                .route("/api/v1/audit", get(api::audit))
                .route_layer(from_fn(allow(Permission::AuditRead))),
        )
        .merge(
            // Counts and service levels only: the M&E officers' indicator feeds.
            Router::new()
                .route("/feedback/dashboard", get(feedback::dashboard::page))
                .route("/api/v1/feedback/stats", get(feedback::dashboard::stats))
                .route("/api/v1/feedback/stats/export", get(feedback::export::export_aggregates))
                .route("/api/v1/feedback/service-levels", get(feedback::dashboard::service))
                .route("/api/v1/feedback/top-issues", get(feedback::dashboard::top_issues))
                .route_layer(from_fn(allow(Permission::FeedbackFiguresRead))),
        )
        .merge(
            Router::new()
                .route("/api/v1/feedback", get(feedback::api::list))
                .route("/api/v1/feedback/{id}", get(feedback::api::get))
                .route("/api/v1/feedback/{id}/events", get(feedback::api::events))
                .route("/api/v1/feedback/{id}/steps", post(feedback::api::step))
                // Links: the handlers check the item may be worked on by the caller.
                .route("/api/v1/feedback/{id}/links", axum::routing::put(feedback::links::api_put))
                .route("/feedback/items/{id}/links", post(feedback::links::form_post))
                .route("/feedback", get(feedback::pages::list))
                .route("/api/v1/feedback/export", get(feedback::export::export))
                .route("/feedback/items/{id}", get(feedback::pages::item))
                .route("/feedback/items/{id}/steps", post(feedback::pages::step))
                .route("/feedback/answers", get(feedback::answers::page))
                .route("/feedback/answers/{id}", get(feedback::answers::answer))
                .route("/api/v1/answers", get(feedback::answers::api_list))
                .route("/api/v1/answers/{id}/versions", get(feedback::answers::api_versions))
                // Call-backs: the handlers also check the item may be worked on by the caller.
                .route("/feedback/callbacks", get(feedback::callbacks::page))
                .route("/api/v1/callbacks", get(feedback::callbacks::api_queue))
                .route("/feedback/items/{id}/callbacks", post(feedback::callbacks::schedule_form))
                .route("/api/v1/feedback/{id}/callbacks", post(feedback::callbacks::api_schedule))
                .route("/feedback/callbacks/{id}/outcome", post(feedback::callbacks::outcome_form))
                .route("/api/v1/callbacks/{id}/outcome", post(feedback::callbacks::api_outcome))
                .route_layer(from_fn(allow(Permission::FeedbackRead))),
        )
        .merge(
            Router::new()
                .route("/feedback/answers", post(feedback::answers::create_form))
                .route("/feedback/answers/{id}", post(feedback::answers::approve_form))
                .route("/feedback/answers/{id}/retire", post(feedback::answers::retire_form))
                .route("/api/v1/answers", post(feedback::answers::api_create))
                .route("/api/v1/answers/{id}/versions", post(feedback::answers::api_approve))
                .route_layer(from_fn(allow(Permission::AnswersManage))),
        )
        .merge(
            Router::new()
                .route("/feedback/services", get(feedback::directory::page))
                .route("/api/v1/services", get(feedback::directory::api_list))
                .route("/api/v1/services/{id}", get(feedback::directory::api_get))
                .route_layer(from_fn(allow(Permission::ServicesRead))),
        )
        .merge(
            Router::new()
                .route("/feedback/services", post(feedback::directory::create_form))
                .route("/feedback/services/new", get(feedback::directory::new_form))
                .route(
                    "/feedback/services/{id}",
                    get(feedback::directory::edit_form).post(feedback::directory::update_form),
                )
                .route("/api/v1/services", post(feedback::directory::api_create))
                .route("/api/v1/services/import", post(feedback::directory::api_import))
                .route("/api/v1/services/{id}", axum::routing::put(feedback::directory::api_update))
                .route_layer(from_fn(allow(Permission::ServicesManage))),
        )
        .merge(
            Router::new()
                .route("/feedback/lexicon", get(feedback::lexicon::page).post(feedback::lexicon::submit))
                .route("/feedback/lexicon/restore", post(feedback::lexicon::restore))
                .route("/api/v1/feedback/lexicon", get(feedback::lexicon::api_get).put(feedback::lexicon::api_put))
                .route_layer(from_fn(allow(Permission::LexiconManage))),
        )
        .merge(
            Router::new()
                .route("/api/v1/feedback/{id}/seal", post(feedback::api::seal))
                .route("/feedback/items/{id}/seal", post(feedback::pages::seal))
                .route("/api/v1/feedback/{id}/stand-down", post(feedback::api::stand_down))
                .route("/feedback/items/{id}/stand-down", post(feedback::pages::stand_down))
                .route_layer(from_fn(allow(Permission::SealedWrite))),
        )
        .merge(
            Router::new()
                .route("/api/v1/feedback", post(feedback::api::create))
                .route("/api/v1/feedback/import", post(feedback::api::import))
                .route("/feedback/record", get(feedback::pages::record_form).post(feedback::pages::record_submit))
                .route_layer(from_fn(allow(Permission::FeedbackWrite))),
        )
        .merge(
            Router::new()
                .route("/api/v1/projects", get(projects::api::list))
                .route("/api/v1/projects/{id}", get(projects::api::get))
                .route("/api/v1/projects/{id}/checklist", get(projects::api::checklist))
                .route("/api/v1/projects/{id}/risks", get(projects::api::risks))
                .route("/api/v1/projects/{id}/endorsements", get(projects::api::endorsements))
                .route("/api/v1/projects/portfolio", get(projects::portfolio::api))
                .route("/api/v1/projects/portfolio/export", get(projects::portfolio::export))
                .route("/projects/portfolio", get(projects::portfolio::page))
                .route("/projects", get(projects::pages::list))
                .route("/projects/{id}", get(projects::pages::page))
                .route("/projects/{id}/endorsements/{endorsement}", get(projects::pages::endorsement))
                .route("/api/v1/projects/{id}/evidence", get(projects::evidence::api_list))
                .route("/api/v1/projects/{id}/evidence/{evidence_id}", get(projects::evidence::download))
                .route("/projects/{id}/evidence/{evidence}", get(projects::evidence::download))
                .route_layer(from_fn(allow(Permission::ProjectsRead))),
        )
        .merge(
            Router::new()
                .route("/api/v1/projects", post(projects::api::create))
                .route("/api/v1/projects/{id}", put(projects::api::update))
                .route("/api/v1/projects/{id}/checklist", put(projects::api::answer_many))
                .route("/api/v1/projects/{id}/checklist/upgrade", post(projects::api::upgrade))
                .route("/projects/{id}/checklist-upgrade", post(projects::pages::upgrade))
                .route("/api/v1/projects/{id}/checklist/{item_id}", put(projects::api::answer))
                .route("/api/v1/projects/{id}/checklist/{item_id}/deviation", post(projects::api::request_deviation))
                .route("/api/v1/projects/{id}/risks", post(projects::api::add_risk))
                .route("/api/v1/projects/{id}/risks/review", post(projects::api::review))
                .route("/api/v1/projects/{id}/risks/{risk_id}", put(projects::api::update_risk))
                .route("/api/v1/projects/{id}/phase", post(projects::api::advance))
                .route("/projects", post(projects::pages::create))
                .route("/projects/new", get(projects::pages::new_form))
                .route("/projects/{id}/edit", get(projects::pages::edit_form))
                .route("/projects/{id}", post(projects::pages::update))
                .route("/projects/{id}/checklist/{item}", post(projects::pages::answer))
                .route("/projects/{id}/checklist/{item}/deviation", post(projects::pages::request_deviation))
                .route("/projects/{id}/risks", post(projects::pages::add_risk))
                .route("/projects/{id}/risks/review", post(projects::pages::review))
                .route("/projects/{id}/phase", post(projects::pages::advance))
                .route(
                    "/api/v1/projects/{id}/evidence/{evidence_id}",
                    axum::routing::delete(projects::evidence::api_remove),
                )
                .route("/projects/{id}/evidence/{evidence}/remove", post(projects::evidence::page_remove))
                .route_layer(from_fn(allow(Permission::ProjectsWrite))),
        )
        .merge(
            Router::new()
                .route("/api/v1/projects/{id}/checklist/{item_id}/evidence", post(projects::evidence::api_attach))
                .route("/projects/{id}/checklist/{item}/evidence", post(projects::evidence::page_attach))
                .route_layer(from_fn(allow(Permission::ProjectsWrite))),
        )
        .merge(
            Router::new()
                .route(
                    "/api/v1/projects/{id}/deviations/{deviation_id}/decision",
                    post(projects::api::decide_deviation),
                )
                .route("/api/v1/projects/{id}/endorse", post(projects::api::endorse))
                .route("/projects/{id}/deviations/{deviation}/decision", post(projects::pages::decide_deviation))
                .route("/projects/{id}/endorse", post(projects::pages::endorse))
                .route_layer(from_fn(allow(Permission::ProjectsApprove))),
        )
        .merge(
            Router::new()
                .route("/api/v1/projects/{id}/rounds", get(projects::rounds::list))
                .route("/api/v1/projects/{id}/rounds/{round_id}", get(projects::rounds::get))
                .route("/api/v1/projects/{id}/lessons", get(projects::rounds::lessons))
                .route("/projects/{id}/rounds", get(projects::round_pages::rounds))
                .route("/projects/{id}/rounds/{round}", get(projects::round_pages::round))
                .route("/projects/{id}/lessons", get(projects::round_pages::lessons))
                .route_layer(from_fn(allow(Permission::ProjectsRead))),
        )
        .merge(
            Router::new()
                .route("/api/v1/projects/{id}/rounds", post(projects::rounds::create))
                .route("/api/v1/projects/{id}/rounds/{round_id}/checklist", put(projects::rounds::answer))
                .route("/api/v1/projects/{id}/rounds/{round_id}/complete", post(projects::rounds::complete))
                .route("/api/v1/projects/{id}/lessons", post(projects::rounds::add))
                .route("/api/v1/projects/{id}/lessons/{lesson_id}/uptake", put(projects::rounds::uptake))
                .route("/api/v1/projects/{id}/close", post(projects::rounds::close))
                .route("/projects/{id}/rounds", post(projects::round_pages::open_round))
                .route("/projects/{id}/rounds/{round}/checklist", post(projects::round_pages::answer))
                .route("/projects/{id}/rounds/{round}/complete", post(projects::round_pages::complete))
                .route("/projects/{id}/lessons", post(projects::round_pages::add))
                .route("/projects/{id}/lessons/{lesson}/uptake", post(projects::round_pages::uptake))
                .route("/projects/{id}/close", post(projects::round_pages::close))
                .route_layer(from_fn(allow(Permission::ProjectsWrite))),
        )
        .merge(
            Router::new()
                .route("/api/v1/audits/{id}", get(audits::api::get))
                .route("/api/v1/sites/{pcode}/audits", get(audits::api::site))
                .route("/api/v1/audit-actions", get(audits::api::actions))
                .route("/audits", get(audits::pages::list))
                .route("/audits/{id}", get(audits::pages::page))
                .route("/sites/{pcode}/audits", get(audits::pages::site))
                .route("/api/v1/committees", get(participation::api::list))
                .route("/api/v1/consultations", get(participation::api::consultations))
                .route("/participation", get(participation::pages::page))
                .route_layer(from_fn(allow(Permission::ProjectsRead))),
        )
        .merge(
            Router::new()
                .route("/api/v1/audits", post(audits::api::create))
                .route("/api/v1/audits/{id}/actions", post(audits::api::add_action))
                .route("/api/v1/audit-actions/{id}", put(audits::api::put_action))
                .route("/audits/new", get(audits::pages::new_form))
                .route("/audits", post(audits::pages::create))
                .route("/audits/{id}/actions", post(audits::pages::add_action))
                .route("/audit-actions/{id}", post(audits::pages::set_action_status))
                .route_layer(from_fn(allow(Permission::SafetyAuditsWrite))),
        )
        .merge(
            Router::new()
                .route("/api/v1/committees", post(participation::api::create))
                .route("/api/v1/committees/{id}", put(participation::api::update))
                .route("/api/v1/consultations", post(participation::api::create_consultation))
                .route("/participation/committees", post(participation::pages::add_committee))
                .route("/participation/committees/{id}/active", post(participation::pages::toggle_active))
                .route("/participation/consultations", post(participation::pages::add_consultation))
                .route_layer(from_fn(allow(Permission::ParticipationWrite))),
        )
        .merge(
            Router::new()
                .route("/api/v1/projects/{id}/indicators", get(indicators::api::get_plan))
                .route("/api/v1/projects/{id}/indicators/{code}/values", get(indicators::api::values))
                .route("/api/v1/indicators", get(indicators::api::portfolio_api))
                .route("/projects/{id}/indicators", get(indicators::pages::dashboard))
                .route("/indicators", get(indicators::pages::portfolio_page))
                .route_layer(from_fn(allow(Permission::IndicatorsRead))),
        )
        .merge(
            Router::new()
                .route("/api/v1/projects/{id}/indicators", put(indicators::api::put_plan))
                .route("/api/v1/projects/{id}/indicators/{code}/values", post(indicators::api::record))
                .route("/projects/{id}/indicators/plan", post(indicators::pages::save_plan))
                .route("/projects/{id}/indicators/{code}/values", post(indicators::pages::record_value))
                .route_layer(from_fn(allow(Permission::IndicatorsWrite))),
        )
        .merge(
            Router::new()
                .route("/admin/settings", get(admin::settings::page).post(admin::settings::save))
                .route("/admin/escalation", get(admin::escalation::page).post(admin::escalation::add))
                .route("/admin/escalation/{id}/remove", post(admin::escalation::remove))
                .route_layer(from_fn(allow(Permission::SettingsManage))),
        );

    Router::new()
        .merge(public)
        .merge(signed_in_routes)
        .merge(guarded)
        .fallback(pages::not_found)
        .layer(from_fn_with_state(state.clone(), csrf::verify))
        .layer(from_fn_with_state(state.clone(), identity::identify))
        .layer(from_fn(error::render_errors))
        .layer(from_fn(i18n_layer::negotiate))
        .layer(from_fn_with_state(state.clone(), security::headers))
        .layer(ops::request_log_layer())
        // Extractors may read up to an upload's size; limit_body holds every other path to 2 MiB.
        .layer(axum::extract::DefaultBodyLimit::max(projects::evidence::UPLOAD_BODY_LIMIT))
        .layer(from_fn(security::limit_body))
        .layer(CompressionLayer::new())
        .layer(CatchPanicLayer::custom(|_| error::empty(axum::http::StatusCode::INTERNAL_SERVER_ERROR)))
        .with_state(state)
}

mod i18n_layer {
    use axum::extract::Request;
    use axum::http::{HeaderValue, header};
    use axum::middleware::Next;
    use axum::response::Response;

    use crate::i18n::Lang;

    pub const LANG_COOKIE: &str = "haven_lang";

    /// Choose the response language and remember an explicit `?lang=` in a cookie.
    pub async fn negotiate(mut request: Request, next: Next) -> Response {
        let from_query = request
            .uri()
            .query()
            .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("lang=")))
            .and_then(Lang::from_code);
        let from_cookie = crate::identity::cookie(request.headers(), LANG_COOKIE).and_then(|v| Lang::from_code(&v));
        let from_header = request
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::from_accept_language);
        let lang = from_query.or(from_cookie).or(from_header).unwrap_or_default();
        request.extensions_mut().insert(lang);
        let mut response = next.run(request).await;
        if let Some(chosen) = from_query {
            let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", chosen.code());
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, v);
            }
        }
        response
    }
}

pub use i18n_layer::LANG_COOKIE;

/// Serve until `shutdown` resolves, then finish in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state.clone());
    let sweeper = tokio::spawn(identity::sweep_sessions(state.clone()));
    let outbound = tokio::spawn(outbound::run(state.clone()));
    let eraser = tokio::spawn(feedback::erase_contacts_periodically(state.store.clone()));
    let result = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await;
    sweeper.abort();
    outbound.abort();
    eraser.abort();
    result
}
