//! The participation page: committees and consultations of the caller's sites, with the
//! forms to record them. Composition is entered as counts in a sex × age × disability grid.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use haven_core::authz::{Access, Permission};
use haven_core::catalog::CatalogKind;
use haven_core::participation::{
    Composition, PeopleCell, RawCommittee, RawConsultation, RawGroupCount, RawPeopleCell, totals,
};
use haven_store::participation as store;
use uuid::Uuid;

use super::{create_committee, record_consultation, update_committee};
use crate::AppState;
use crate::authz::Granted;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::identity::Identity;
use crate::pages::Chrome;
use crate::projects::pages::{Choices, form_errors};

const SEXES: [&str; 2] = ["f", "m"];
const BRACKETS: [&str; 3] = ["12-17", "18-59", "60-plus"];

/// One input of the composition grid.
pub struct GridCell {
    pub name: String,
    pub label: String,
    pub value: String,
}

fn grid(l: Lang, form: &HashMap<String, String>) -> Vec<GridCell> {
    let mut out = Vec::new();
    for sex in SEXES {
        for bracket in BRACKETS {
            for (flag, disability) in [("0", "no"), ("1", "yes")] {
                let name = format!("cell-{sex}-{bracket}-{flag}");
                out.push(GridCell {
                    label: format!(
                        "{} · {bracket} · {}",
                        l.t(&format!("feedback-sex-{sex}")),
                        l.t(&format!("feedback-disability-{disability}"))
                    ),
                    value: form.get(&name).cloned().unwrap_or_default(),
                    name,
                });
            }
        }
    }
    out
}

fn number(v: &str) -> Option<i64> {
    let v = v.trim();
    if v.is_empty() { None } else { Some(v.parse().unwrap_or(-1)) }
}

fn text(form: &HashMap<String, String>, key: &str) -> Option<String> {
    form.get(key).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The grid's filled cells; a cell that is not a number is kept so that it is reported.
fn cells(form: &HashMap<String, String>) -> Vec<RawPeopleCell> {
    let mut out = Vec::new();
    for sex in SEXES {
        for bracket in BRACKETS {
            for flag in ["0", "1"] {
                if let Some(count) = form.get(&format!("cell-{sex}-{bracket}-{flag}")).and_then(|v| number(v)) {
                    out.push(RawPeopleCell {
                        sex: Some(sex.to_owned()),
                        age_bracket: Some(bracket.to_owned()),
                        disability: Some(flag == "1"),
                        count: Some(count),
                    });
                }
            }
        }
    }
    out
}

fn project_id(form: &HashMap<String, String>) -> Option<Uuid> {
    text(form, "project_id").map(|v| Uuid::parse_str(&v).unwrap_or(Uuid::nil()))
}

fn raw_committee(form: &HashMap<String, String>) -> RawCommittee {
    RawCommittee {
        site: text(form, "site"),
        project_id: project_id(form),
        purpose: text(form, "purpose"),
        formed_on: text(form, "formed_on"),
        active: Some(true),
        members: Some(cells(form)),
        at_risk_members: form.get("at_risk_members").and_then(|v| number(v)),
        at_risk_groups: Some(
            form.iter()
                .filter_map(|(k, v)| {
                    let group = k.strip_prefix("group-")?;
                    Some(RawGroupCount { group: Some(group.to_owned()), count: Some(number(v)?) })
                })
                .collect(),
        ),
    }
}

fn raw_consultation(form: &HashMap<String, String>) -> RawConsultation {
    RawConsultation {
        site: text(form, "site"),
        project_id: project_id(form),
        held_on: text(form, "held_on"),
        participants: Some(cells(form)),
        topics: text(form, "topics"),
        concerns: text(form, "concerns"),
        decisions: text(form, "decisions"),
        changes: text(form, "changes"),
    }
}

pub struct CommitteeLine {
    pub id: Uuid,
    pub site: String,
    pub purpose: String,
    pub formed_on: String,
    pub active: bool,
    pub members: u32,
    pub women: u32,
    pub at_risk: u32,
    pub with_disability: u32,
    pub groups: String,
}

pub struct ConsultationLine {
    pub held_on: String,
    pub site: String,
    pub participants: u32,
    pub women: u32,
    pub with_disability: u32,
    pub topics: String,
    pub concerns: String,
    pub decisions: String,
    pub changes: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "participation.html")]
pub struct ParticipationPage {
    c: Chrome,
    committees: Vec<CommitteeLine>,
    consultations: Vec<ConsultationLine>,
    can_write: bool,
    sites: Choices,
    projects: Choices,
    groups: Vec<GridCell>,
    committee_grid: Vec<GridCell>,
    consultation_grid: Vec<GridCell>,
    /// Which form the errors (and the values kept) belong to: committee or consultation.
    failed: String,
    form: HashMap<String, String>,
    errors: Vec<(&'static str, String)>,
}

impl ParticipationPage {
    /// A value kept from the form that failed, for the form `which`.
    pub fn kept(&self, which: &str, key: &str) -> String {
        if self.failed == which { self.form.get(key).cloned().unwrap_or_default() } else { String::new() }
    }
}

fn read_access(me: &Identity) -> Result<Access, WebError> {
    haven_core::authz::decide(&me.principal, Permission::ProjectsRead).map_err(|_| WebError::Forbidden)
}

async fn build(
    state: &AppState,
    l: Lang,
    me: &Identity,
    failed: &str,
    form: HashMap<String, String>,
    errors: Vec<(&'static str, String)>,
) -> Result<ParticipationPage, WebError> {
    let access = read_access(me)?;
    let places = haven_store::locations::all(&state.store).await?;
    let place = |pcode: &str| {
        places
            .iter()
            .find(|p| p.pcode == pcode)
            .map(|p| format!("{} ({pcode})", p.name(l.code())))
            .unwrap_or_else(|| pcode.to_owned())
    };
    let groups = haven_store::catalog::entries(&state.store, CatalogKind::AtRiskGroups).await?;
    let group_name = |code: &str| {
        groups
            .iter()
            .find(|g| g.code == code)
            .map(|g| g.name.get(l.code()).to_owned())
            .unwrap_or_else(|| code.to_owned())
    };
    let committees = store::committees(&state.store, &access)
        .await?
        .into_iter()
        .map(|c| {
            let (members, women, with_disability) = totals(&c.composition.members);
            let Composition { at_risk_members, groups: counts, .. } = &c.composition;
            CommitteeLine {
                id: c.id,
                site: place(&c.pcode),
                purpose: c.purpose.clone(),
                formed_on: c.formed_on.map(|d| d.to_string()).unwrap_or_default(),
                active: c.active,
                members,
                women,
                at_risk: *at_risk_members,
                with_disability,
                groups: counts
                    .iter()
                    .map(|g| format!("{} {}", group_name(&g.group), g.count))
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })
        .collect();
    let consultations = store::consultations(&state.store, &access)
        .await?
        .into_iter()
        .map(|c| {
            let (participants, women, with_disability) = totals(&c.participants);
            ConsultationLine {
                held_on: c.held_on.to_string(),
                site: place(&c.pcode),
                participants,
                women,
                with_disability,
                topics: c.topics,
                concerns: c.concerns.unwrap_or_default(),
                decisions: c.decisions.unwrap_or_default(),
                changes: c.changes.unwrap_or_default(),
            }
        })
        .collect();
    let write = haven_core::authz::decide(&me.principal, Permission::ParticipationWrite).ok();
    let sites = match &write {
        Some(w) => crate::audits::pages::sites_in_scope(l, w, places.clone()),
        None => Vec::new(),
    };
    let projects = haven_store::projects::list(&state.store, &access, &Default::default())
        .await?
        .into_iter()
        .map(|p| (p.id.to_string(), format!("{} · {}", p.code, p.title)))
        .collect();
    let kept = |which: &str| if failed == which { form.clone() } else { HashMap::new() };
    let group_cells = groups
        .iter()
        .map(|g| GridCell {
            name: format!("group-{}", g.code),
            label: g.name.get(l.code()).to_owned(),
            value: kept("committee").get(&format!("group-{}", g.code)).cloned().unwrap_or_default(),
        })
        .collect();
    Ok(ParticipationPage {
        c: Chrome::new(l, Some(me), state),
        committees,
        consultations,
        can_write: write.is_some(),
        sites,
        projects,
        groups: group_cells,
        committee_grid: grid(l, &kept("committee")),
        consultation_grid: grid(l, &kept("consultation")),
        failed: failed.to_owned(),
        form,
        errors,
    })
}

pub async fn page(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
) -> Result<Response, WebError> {
    Ok(build(&state, l, &me, "", HashMap::new(), vec![]).await?.into_response())
}

async fn after(
    state: &AppState,
    l: Lang,
    me: &Identity,
    which: &str,
    form: HashMap<String, String>,
    outcome: Result<(), WebError>,
) -> Result<Response, WebError> {
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/participation#{which}s")).into_response()),
        Err(e) => {
            let errors = form_errors(l, e)?;
            let page = build(state, l, me, which, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

pub async fn add_committee(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let outcome = create_committee(&state, &me, &access, raw_committee(&form)).await.map(|_| ());
    after(&state, l, &me, "committee", form, outcome).await
}

pub async fn add_consultation(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let outcome = record_consultation(&state, &me, &access, raw_consultation(&form)).await.map(|_| ());
    after(&state, l, &me, "consultation", form, outcome).await
}

/// Mark a committee inactive (dissolved) or active again; its composition is kept.
pub async fn toggle_active(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let c = store::committee(&state.store, &access, id).await?;
    let cell = |x: &PeopleCell| RawPeopleCell {
        sex: Some(x.sex.code().to_owned()),
        age_bracket: Some(x.age_bracket.clone()),
        disability: Some(x.disability),
        count: Some(i64::from(x.count)),
    };
    let raw = RawCommittee {
        site: Some(c.pcode.clone()),
        project_id: c.project_id,
        purpose: Some(c.purpose.clone()),
        formed_on: c.formed_on.map(|d| d.to_string()),
        active: Some(!c.active),
        members: Some(c.composition.members.iter().map(cell).collect()),
        at_risk_members: Some(i64::from(c.composition.at_risk_members)),
        at_risk_groups: Some(
            c.composition
                .groups
                .iter()
                .map(|g| RawGroupCount { group: Some(g.group.clone()), count: Some(i64::from(g.count)) })
                .collect(),
        ),
    };
    let outcome = update_committee(&state, &me, &access, id, raw).await.map(|_| ());
    after(&state, l, &me, "committee", HashMap::new(), outcome).await
}
