//! The audit pages: audited sites with their latest level and open actions, the round form
//! (with the reminder never to record incidents), a round with its score and actions, and the
//! trend of a site.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use haven_core::audits::{ActionStatus, AuditAnswer, AuditLevel, RawAction, RawRound, Tally, Thresholds};
use haven_core::authz::{Access, Permission};
use haven_core::catalog::CatalogKind;
use haven_store::audits::{self as store, ActionFilter, Round};
use serde::Deserialize;
use uuid::Uuid;

use super::{add_action as add, one_decimal, record, thresholds, today, update_action};
use crate::AppState;
use crate::authz::Granted;
use crate::charts::LineChart;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::identity::Identity;
use crate::pages::Chrome;
use crate::projects::pages::{Choices, coded_choices, form_errors};

/// Names of places and domains, in the page's language.
struct Names {
    places: HashMap<String, String>,
    domains: Vec<(String, String)>,
}

impl Names {
    async fn load(state: &AppState, l: Lang) -> Result<Names, WebError> {
        let places = haven_store::locations::all(&state.store)
            .await?
            .into_iter()
            .map(|p| (p.pcode.clone(), p.name(l.code()).to_owned()))
            .collect();
        let domains = haven_store::catalog::entries(&state.store, CatalogKind::SafetyAuditDomains)
            .await?
            .into_iter()
            .map(|e| (e.code.clone(), e.name.get(l.code()).to_owned()))
            .collect();
        Ok(Names { places, domains })
    }

    fn place(&self, pcode: &str) -> String {
        match self.places.get(pcode) {
            Some(name) => format!("{name} ({pcode})"),
            None => pcode.to_owned(),
        }
    }

    fn domain(&self, code: &str) -> String {
        self.domains.iter().find(|(c, _)| c == code).map(|(_, n)| n.clone()).unwrap_or_else(|| code.to_owned())
    }
}

/// A score as shown: percent and level.
pub struct Shown {
    pub percent: String,
    pub risk: String,
    pub level: String,
    pub level_label: String,
}

fn shown(l: Lang, t: &Tally, thresholds: &Thresholds) -> Shown {
    let level = thresholds.level(t);
    Shown {
        percent: t.percent().map(|p| format!("{}", one_decimal(p))).unwrap_or_else(|| "–".into()),
        risk: format!("{} / {}", t.risk(), t.max),
        level: level.map(AuditLevel::code).unwrap_or("none").to_owned(),
        level_label: level
            .map(|v| l.t(&format!("audit-level-{}", v.code())))
            .unwrap_or_else(|| l.t("audit-level-none")),
    }
}

// ---------- the list ----------

pub struct SiteRow {
    pub pcode: String,
    pub name: String,
    pub rounds: i64,
    pub latest_round: Uuid,
    pub latest_on: String,
    pub score: Shown,
    pub open: i64,
    pub overdue: i64,
}

pub struct ActionRow {
    pub id: Uuid,
    pub round_id: Uuid,
    pub site: String,
    pub text: String,
    pub domain: String,
    pub deadline: String,
    pub status: String,
    pub status_label: String,
    pub overdue: bool,
}

fn action_rows(l: Lang, names: &Names, actions: Vec<store::Action>) -> Vec<ActionRow> {
    let today = today();
    actions
        .into_iter()
        .map(|a| ActionRow {
            overdue: a.is_overdue(today),
            status_label: l.t(&format!("audit-action-status-{}", a.status.code())),
            status: a.status.code().to_owned(),
            site: names.place(&a.pcode),
            domain: names.domain(&a.domain),
            deadline: a.deadline.to_string(),
            id: a.id,
            round_id: a.round_id,
            text: a.text,
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "audits_list.html")]
pub struct ListPage {
    c: Chrome,
    sites: Vec<SiteRow>,
    overdue: Vec<ActionRow>,
    thresholds: String,
}

pub async fn list(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
) -> Result<Response, WebError> {
    let names = Names::load(&state, l).await?;
    let t = thresholds(&state).await?;
    let sites = store::sites(&state.store, &access, today())
        .await?
        .into_iter()
        .map(|s| SiteRow {
            name: names.place(&s.pcode),
            score: shown(l, &s.latest, &t),
            latest_on: s.latest_on.to_string(),
            pcode: s.pcode,
            rounds: s.rounds,
            latest_round: s.latest_round,
            open: s.open_actions,
            overdue: s.overdue_actions,
        })
        .collect();
    let overdue =
        store::actions(&state.store, &access, &ActionFilter { overdue_on: Some(today()), ..Default::default() })
            .await?;
    let page = ListPage {
        c: Chrome::new(l, Some(&me), &state),
        sites,
        overdue: action_rows(l, &names, overdue),
        thresholds: l.targs(
            "audit-thresholds",
            &[
                ("medium", &one_decimal(t.medium)),
                ("high", &one_decimal(t.high)),
                ("veryhigh", &one_decimal(t.very_high)),
            ],
        ),
    };
    Ok(page.into_response())
}

// ---------- the round form ----------

pub struct Question {
    pub code: String,
    pub text: String,
    pub how: String,
    pub points: u8,
    pub chosen: String,
}

pub struct DomainBlock {
    pub name: String,
    pub questions: Vec<Question>,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit_new.html")]
pub struct NewPage {
    c: Chrome,
    sites: Choices,
    site: String,
    audited_on: String,
    team_notes: String,
    blocks: Vec<DomainBlock>,
    answers: Choices,
    errors: Vec<(&'static str, String)>,
}

/// The places the caller may audit: those under their scope.
pub(crate) fn sites_in_scope(l: Lang, access: &Access, places: Vec<haven_store::locations::LocationRow>) -> Choices {
    let scopes = access.filter().locations.clone();
    places
        .into_iter()
        .filter(|p| scopes.as_ref().is_none_or(|s| s.iter().any(|scope| p.path.starts_with(scope.as_str()))))
        .map(|p| (p.pcode.clone(), format!("{} ({})", p.name(l.code()), p.pcode)))
        .collect()
}

async fn new_page(
    state: &AppState,
    l: Lang,
    me: &Identity,
    access: &Access,
    form: &HashMap<String, String>,
    errors: Vec<(&'static str, String)>,
) -> Result<NewPage, WebError> {
    let names = Names::load(state, l).await?;
    let entries = haven_store::catalog::entries(&state.store, CatalogKind::SafetyAuditItems).await?;
    let mut blocks: Vec<DomainBlock> =
        names.domains.iter().map(|(_, name)| DomainBlock { name: name.clone(), questions: Vec::new() }).collect();
    let (_, items) = store::current_items(&state.store).await?;
    for item in items {
        let Some(at) = names.domains.iter().position(|(c, _)| *c == item.domain) else { continue };
        let entry = entries.iter().find(|e| e.code == item.code);
        blocks[at].questions.push(Question {
            text: entry.map(|e| e.name.get(l.code()).to_owned()).unwrap_or_default(),
            how: entry.map(|e| e.description.get(l.code()).to_owned()).unwrap_or_default(),
            chosen: form.get(&format!("answer-{}", item.code)).cloned().unwrap_or_default(),
            points: item.points,
            code: item.code,
        });
    }
    let value = |k: &str| form.get(k).cloned().unwrap_or_default();
    let places = haven_store::locations::all(&state.store).await?;
    Ok(NewPage {
        c: Chrome::new(l, Some(me), state),
        sites: sites_in_scope(l, access, places),
        site: value("site"),
        audited_on: form.get("audited_on").cloned().unwrap_or_else(|| today().to_string()),
        team_notes: value("team_notes"),
        blocks: blocks.into_iter().filter(|b| !b.questions.is_empty()).collect(),
        answers: coded_choices(l, "audit-answer", AuditAnswer::ALL, AuditAnswer::code),
        errors,
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
) -> Result<Response, WebError> {
    Ok(new_page(&state, l, &me, &access, &HashMap::new(), vec![]).await?.into_response())
}

fn raw_round(form: &HashMap<String, String>) -> RawRound {
    let text = |k: &str| form.get(k).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    RawRound {
        site: text("site"),
        audited_on: text("audited_on"),
        team_notes: text("team_notes"),
        answers: Some(
            form.iter()
                .filter_map(|(k, v)| k.strip_prefix("answer-").map(|code| (code.to_owned(), v.clone())))
                .collect(),
        ),
    }
}

pub async fn create(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    match record(&state, &me, raw_round(&form)).await {
        Ok(id) => Ok(Redirect::to(&format!("/audits/{id}")).into_response()),
        Err(e) => {
            let errors = form_errors(l, e)?;
            let page = new_page(&state, l, &me, &access, &form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

// ---------- a round ----------

pub struct DomainLine {
    pub name: String,
    pub score: Shown,
}

pub struct AnswerLine {
    pub domain: String,
    pub text: String,
    pub answer: String,
    pub answer_label: String,
    pub points: u8,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit_round.html")]
pub struct RoundPage {
    c: Chrome,
    id: Uuid,
    pcode: String,
    site: String,
    audited_on: String,
    team_notes: String,
    catalog_version: String,
    total: Shown,
    domains: Vec<DomainLine>,
    answers: Vec<AnswerLine>,
    actions: Vec<ActionRow>,
    domain_choices: Choices,
    statuses: Choices,
    can_write: bool,
    errors: Vec<(&'static str, String)>,
}

fn read_access(me: &Identity) -> Result<Access, WebError> {
    haven_core::authz::decide(&me.principal, Permission::ProjectsRead).map_err(|_| WebError::Forbidden)
}

async fn round_page(
    state: &AppState,
    l: Lang,
    me: &Identity,
    round: Round,
    errors: Vec<(&'static str, String)>,
) -> Result<RoundPage, WebError> {
    let access = read_access(me)?;
    let names = Names::load(state, l).await?;
    let t = thresholds(state).await?;
    let entries = haven_store::catalog::entries(&state.store, CatalogKind::SafetyAuditItems).await?;
    let score = round.score();
    let filter = ActionFilter { round: Some(round.id), ..Default::default() };
    let actions = store::actions(&state.store, &access, &filter).await?;
    let c = Chrome::new(l, Some(me), state);
    let answers = round
        .items
        .iter()
        .map(|i| {
            let answer = round.answers.get(&i.code).map(|a| a.code()).unwrap_or("na");
            AnswerLine {
                domain: names.domain(&i.domain),
                text: entries
                    .iter()
                    .find(|e| e.code == i.code)
                    .map(|e| e.name.get(l.code()).to_owned())
                    .unwrap_or_else(|| i.code.clone()),
                answer_label: l.t(&format!("audit-answer-{answer}")),
                answer: answer.to_owned(),
                points: i.points,
            }
        })
        .collect();
    Ok(RoundPage {
        can_write: c.can(Permission::SafetyAuditsWrite.code()),
        c,
        id: round.id,
        site: names.place(&round.pcode),
        pcode: round.pcode.clone(),
        audited_on: round.audited_on.to_string(),
        team_notes: round.team_notes.clone().unwrap_or_default(),
        catalog_version: round.catalog_version.clone(),
        total: shown(l, &score.total, &t),
        domains: score
            .domains
            .iter()
            .map(|d| DomainLine { name: names.domain(&d.domain), score: shown(l, &d.tally, &t) })
            .collect(),
        answers,
        actions: action_rows(l, &names, actions),
        domain_choices: round.domains().iter().map(|d| (d.clone(), names.domain(d))).collect(),
        statuses: coded_choices(l, "audit-action-status", ActionStatus::ALL, ActionStatus::code),
        errors,
    })
}

pub async fn page(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let round = store::round(&state.store, &access, id).await?;
    Ok(round_page(&state, l, &me, round, vec![]).await?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionForm {
    text: String,
    domain: String,
    deadline: String,
    status: String,
}

impl ActionForm {
    fn raw(self) -> RawAction {
        let text = |v: String| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        RawAction {
            text: text(self.text),
            domain: text(self.domain),
            owner_id: None,
            deadline: text(self.deadline),
            status: text(self.status),
        }
    }
}

/// After an action form: back to the round, or the round again with what went wrong.
async fn after_action(
    state: &AppState,
    l: Lang,
    me: &Identity,
    access: &Access,
    round_id: Uuid,
    outcome: Result<(), WebError>,
) -> Result<Response, WebError> {
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/audits/{round_id}#actions")).into_response()),
        Err(e) => {
            let errors = form_errors(l, e)?;
            let round = store::round(&state.store, access, round_id).await?;
            let page = round_page(state, l, me, round, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

pub async fn add_action(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
    Form(form): Form<ActionForm>,
) -> Result<Response, WebError> {
    let outcome = add(&state, &me, &access, id, form.raw()).await.map(|_| ());
    after_action(&state, l, &me, &access, id, outcome).await
}

/// The status form on a round's page changes only the status; the rest is kept.
pub async fn set_action_status(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
    Form(form): Form<ActionForm>,
) -> Result<Response, WebError> {
    let before = store::action(&state.store, &access, id).await?;
    let raw = RawAction {
        text: Some(before.text),
        domain: Some(before.domain),
        owner_id: before.owner_id,
        deadline: Some(before.deadline.to_string()),
        status: Some(form.status),
    };
    let outcome = update_action(&state, &me, &access, id, raw).await.map(|_| ());
    after_action(&state, l, &me, &access, before.round_id, outcome).await
}

// ---------- the trend of a site ----------

pub struct TrendRow {
    pub id: Uuid,
    pub audited_on: String,
    pub total: Shown,
    pub domains: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit_site.html")]
pub struct SitePage {
    c: Chrome,
    site: String,
    charts: Vec<LineChart>,
    domain_names: Vec<String>,
    rows: Vec<TrendRow>,
}

pub async fn site(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path(pcode): Path<String>,
) -> Result<Response, WebError> {
    if store::site_path(&state.store, &pcode).await?.is_none() {
        return Err(WebError::NotFound);
    }
    let names = Names::load(&state, l).await?;
    let t = thresholds(&state).await?;
    let rounds = store::site_rounds(&state.store, &access, &pcode).await?;
    let scores: Vec<_> = rounds.iter().map(|r| (r.audited_on.to_string(), r.score())).collect();
    let domains: Vec<String> = rounds.last().map(Round::domains).unwrap_or_default();
    let percent_label = |date: &str, p: Option<f64>| match p {
        Some(p) => format!("{date}: {}%", one_decimal(p)),
        None => date.to_owned(),
    };
    let mut charts = vec![LineChart::new(
        l.t("audit-trend-total"),
        &scores.iter().map(|(d, s)| (percent_label(d, s.total.percent()), s.total.percent())).collect::<Vec<_>>(),
    )];
    for domain in &domains {
        let values: Vec<(String, Option<f64>)> = scores
            .iter()
            .map(|(d, s)| {
                let p = s.domains.iter().find(|x| &x.domain == domain).and_then(|x| x.tally.percent());
                (percent_label(d, p), p)
            })
            .collect();
        charts.push(LineChart::new(names.domain(domain), &values));
    }
    let rows = scores
        .iter()
        .zip(&rounds)
        .map(|((date, s), r)| TrendRow {
            id: r.id,
            audited_on: date.clone(),
            total: shown(l, &s.total, &t),
            domains: domains
                .iter()
                .map(|d| {
                    s.domains
                        .iter()
                        .find(|x| &x.domain == d)
                        .and_then(|x| x.tally.percent())
                        .map(|p| format!("{}", one_decimal(p)))
                        .unwrap_or_else(|| "–".into())
                })
                .collect(),
        })
        .collect();
    let page = SitePage {
        c: Chrome::new(l, Some(&me), &state),
        site: names.place(&pcode),
        charts: if rounds.is_empty() { Vec::new() } else { charts },
        domain_names: domains.iter().map(|d| names.domain(d)).collect(),
        rows,
    };
    Ok(page.into_response())
}
