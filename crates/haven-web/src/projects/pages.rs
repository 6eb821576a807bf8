//! The project pages: the list, the register form, the project with its checklist per phase
//! × principle, deviations, the do-no-harm register and the gate, and the printable
//! endorsement record.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use haven_core::authz::{Access, Permission};
use haven_core::catalog::CatalogKind;
use haven_core::feedback::Sex;
use haven_core::projects::{
    Answer, Attribute, CrisisPhase, CyclePhase, Dimension, PopulationGroup, Principle, ProjectStatus, RawAnswer,
    RawCriterion, RawProject, RawRisk, RawTargetCell, RawTargeting, RiskStatus, Rule, Stage, TargetingMode, Unmet,
    next_phase, principle_scores,
};
use haven_store::projects::{self as store, ChecklistLine, EndorsementOutcome, Project};
use serde::Deserialize;
use uuid::Uuid;

use super::api::{checked_risk, decide, list_filter};
use super::{checked, code_taken, visible};
use crate::AppState;
use crate::authz::Granted;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::identity::Identity;
use crate::pages::Chrome;

/// Value and label, for selects, radios and check boxes.
pub type Choices = Vec<(String, String)>;

pub(super) async fn catalog_choices(state: &AppState, l: Lang, kind: CatalogKind) -> Result<Choices, WebError> {
    Ok(haven_store::catalog::entries(&state.store, kind)
        .await?
        .into_iter()
        .map(|e| (e.code.clone(), e.name.get(l.code()).to_owned()))
        .collect())
}

pub(crate) fn coded_choices<T: Copy>(l: Lang, prefix: &str, all: &[T], code: impl Fn(T) -> &'static str) -> Choices {
    all.iter().map(|v| (code(*v).to_owned(), l.t(&format!("{prefix}-{}", code(*v))))).collect()
}

fn name_of(choices: &Choices, code: &str) -> String {
    choices.iter().find(|(c, _)| c == code).map(|(_, n)| n.clone()).unwrap_or_else(|| code.to_owned())
}

fn iso(d: Option<time::Date>) -> String {
    d.map(haven_core::input::iso_date).unwrap_or_default()
}

// ---------- list ----------

pub struct ListLine {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub phase: String,
    pub status: String,
    pub status_label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "projects_list.html")]
pub struct ListPage {
    c: Chrome,
    filter_action: &'static str,
    lines: Vec<ListLine>,
    total: i64,
    page: u32,
    pages: u32,
    /// The filters as a query string, for the page links.
    query: String,
    q: String,
    sector: String,
    phase: String,
    status: String,
    sectors: Choices,
    phases: Choices,
    statuses: Choices,
}

/// The list's filters as a query string (without the page).
fn list_query(params: &super::api::ListParams) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in
        [("q", &params.q), ("sector", &params.sector), ("phase", &params.phase), ("status", &params.status)]
    {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            query.append_pair(key, v);
        }
    }
    if let Some(n) = params.per_page {
        query.append_pair("per_page", &n.to_string());
    }
    query.finish()
}

pub async fn list(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Query(params): Query<super::api::ListParams>,
) -> Result<Response, WebError> {
    let filter = list_filter(&params)?;
    let (page, per_page, offset) = params.window()?;
    let (lines, total) = store::list_page(&state.store, &access, &filter, i64::from(per_page), offset).await?;
    let pages = u32::try_from((total + i64::from(per_page) - 1) / i64::from(per_page)).unwrap_or(u32::MAX);
    let lines = lines
        .into_iter()
        .map(|line| ListLine {
            phase: l.t(&format!("project-phase-{}", line.phase)),
            status_label: l.t(&format!("project-status-{}", line.status)),
            status: line.status,
            id: line.id,
            code: line.code,
            title: line.title,
        })
        .collect();
    let query = list_query(&params);
    let page = ListPage {
        c: Chrome::new(l, Some(&me), &state),
        filter_action: "/projects",
        lines,
        total,
        page,
        pages,
        query,
        q: params.q.unwrap_or_default(),
        sector: params.sector.unwrap_or_default(),
        phase: params.phase.unwrap_or_default(),
        status: params.status.unwrap_or_default(),
        sectors: catalog_choices(&state, l, CatalogKind::Sectors).await?,
        phases: coded_choices(l, "project-phase", CyclePhase::ALL, CyclePhase::code),
        statuses: coded_choices(l, "project-status", ProjectStatus::ALL, ProjectStatus::code),
    };
    Ok(page.into_response())
}

// ---------- the register form ----------

/// Blank lines offered for new target cells and criteria.
const BLANK_LINES: usize = 4;

#[derive(Default, Clone)]
pub struct CellLine {
    pub group: String,
    pub sex: String,
    pub age_bracket: String,
    pub disability: bool,
    pub count: String,
}

#[derive(Default, Clone)]
pub struct CriterionLine {
    pub attribute: String,
    pub condition: String,
    pub weight: String,
    pub notes: String,
}

/// The register form's values, as sent (repeated fields in order).
#[derive(Default, Clone)]
pub struct ProjectForm {
    pub code: String,
    pub title: String,
    pub summary: String,
    pub sectors: Vec<String>,
    pub crisis_phase: String,
    pub locations: String,
    pub start_date: String,
    pub end_date: String,
    pub partners: String,
    pub dimension: String,
    pub pillars: Vec<String>,
    pub action_types: Vec<String>,
    pub at_risk_groups: Vec<String>,
    pub selection_notes: String,
    pub targeting_mode: String,
    pub cells: Vec<CellLine>,
    pub criteria: Vec<CriterionLine>,
}

fn split_list(text: &str) -> Vec<String> {
    text.split([',', ';', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

fn nonempty(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl ProjectForm {
    /// Read the posted pairs: lists repeat their name, table lines are read column by column.
    fn from_pairs(pairs: &[(String, String)]) -> ProjectForm {
        let all = |name: &str| pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect::<Vec<_>>();
        let one = |name: &str| all(name).into_iter().next().unwrap_or_default();
        let column = |name: &str, i: usize| all(name).get(i).cloned().unwrap_or_default();
        let cells = (0..all("cell_count").len())
            .map(|i| CellLine {
                group: column("cell_group", i),
                sex: column("cell_sex", i),
                age_bracket: column("cell_age_bracket", i),
                disability: column("cell_disability", i) == "yes",
                count: column("cell_count", i),
            })
            .collect();
        let criteria = (0..all("criterion_condition").len())
            .map(|i| CriterionLine {
                attribute: column("criterion_attribute", i),
                condition: column("criterion_condition", i),
                weight: column("criterion_weight", i),
                notes: column("criterion_notes", i),
            })
            .collect();
        ProjectForm {
            code: one("code"),
            title: one("title"),
            summary: one("summary"),
            sectors: all("sectors"),
            crisis_phase: one("crisis_phase"),
            locations: one("locations"),
            start_date: one("start_date"),
            end_date: one("end_date"),
            partners: one("partners"),
            dimension: one("dimension"),
            pillars: all("pillars"),
            action_types: all("action_types"),
            at_risk_groups: all("at_risk_groups"),
            selection_notes: one("selection_notes"),
            targeting_mode: one("targeting_mode"),
            cells,
            criteria,
        }
    }

    fn of_project(p: &Project) -> ProjectForm {
        ProjectForm {
            code: p.code.clone(),
            title: p.title.clone(),
            summary: p.summary.clone().unwrap_or_default(),
            sectors: p.sectors.clone(),
            crisis_phase: p.crisis_phase.map(|c| c.code().to_owned()).unwrap_or_default(),
            locations: p.locations.join(", "),
            start_date: iso(p.start_date),
            end_date: iso(p.end_date),
            partners: p.details.partners.join(", "),
            dimension: p.dimension.code().to_owned(),
            pillars: p.details.pillars.clone(),
            action_types: p.details.action_types.clone(),
            at_risk_groups: p.details.at_risk_groups.clone(),
            selection_notes: p.details.selection_notes.clone().unwrap_or_default(),
            targeting_mode: p.targeting.mode.map(|m| m.code().to_owned()).unwrap_or_default(),
            cells: p
                .details
                .target_population
                .iter()
                .map(|c| CellLine {
                    group: c.group.code().to_owned(),
                    sex: c.sex.code().to_owned(),
                    age_bracket: c.age_bracket.clone(),
                    disability: c.disability,
                    count: c.count.to_string(),
                })
                .collect(),
            criteria: p
                .targeting
                .criteria
                .iter()
                .map(|c| CriterionLine {
                    attribute: c.attribute.code().to_owned(),
                    condition: c.condition.clone(),
                    weight: match c.rule {
                        Rule::Weight(w) => w.to_string(),
                        Rule::Eligibility => String::new(),
                    },
                    notes: c.notes.clone().unwrap_or_default(),
                })
                .collect(),
        }
    }

    fn raw(&self, manager: Option<Uuid>, focal_point: Option<Uuid>) -> RawProject {
        let cells: Vec<RawTargetCell> = self
            .cells
            .iter()
            .filter(|c| !c.count.trim().is_empty())
            .map(|c| RawTargetCell {
                sex: nonempty(&c.sex),
                age_bracket: nonempty(&c.age_bracket),
                disability: Some(c.disability),
                group: nonempty(&c.group),
                // Not a whole number: reported as an invalid cell.
                count: Some(c.count.trim().parse().unwrap_or(-1)),
            })
            .collect();
        let criteria: Vec<RawCriterion> = self
            .criteria
            .iter()
            .filter(|c| !(c.condition.trim().is_empty() && c.attribute.trim().is_empty()))
            .map(|c| RawCriterion {
                attribute: nonempty(&c.attribute),
                condition: nonempty(&c.condition),
                weight: nonempty(&c.weight).map(|w| w.parse().unwrap_or(0)),
                eligibility: None,
                notes: nonempty(&c.notes),
            })
            .collect();
        RawProject {
            code: Some(self.code.clone()),
            title: Some(self.title.clone()),
            summary: Some(self.summary.clone()),
            sectors: Some(self.sectors.clone()),
            crisis_phase: Some(self.crisis_phase.clone()),
            locations: Some(split_list(&self.locations)),
            start_date: Some(self.start_date.clone()),
            end_date: Some(self.end_date.clone()),
            partners: Some(split_list(&self.partners)),
            dimension: Some(self.dimension.clone()),
            pillars: Some(self.pillars.clone()),
            action_types: Some(self.action_types.clone()),
            manager_id: manager,
            focal_point_id: focal_point,
            target_population: Some(cells),
            at_risk_groups: Some(self.at_risk_groups.clone()),
            selection_notes: Some(self.selection_notes.clone()),
            targeting: Some(RawTargeting { mode: nonempty(&self.targeting_mode), criteria: Some(criteria) }),
        }
    }

    /// The form as shown: the saved lines and a few blank ones.
    fn with_blank_lines(mut self) -> ProjectForm {
        self.cells.extend(std::iter::repeat_n(CellLine::default(), BLANK_LINES));
        self.criteria.extend(std::iter::repeat_n(CriterionLine::default(), BLANK_LINES));
        self
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "project_form.html")]
pub struct FormPage {
    c: Chrome,
    /// Present when editing.
    id: Option<Uuid>,
    form: ProjectForm,
    errors: Vec<(&'static str, String)>,
    sectors: Choices,
    pillars: Choices,
    action_types: Choices,
    at_risk_groups: Choices,
    crisis_phases: Choices,
    dimensions: Choices,
    groups: Choices,
    sexes: Choices,
    age_brackets: Choices,
    attributes: Choices,
    modes: Choices,
}

impl FormPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
    fn checked(list: &[String], code: &str) -> bool {
        list.iter().any(|c| c == code)
    }
}

async fn form_page(
    state: &AppState,
    l: Lang,
    me: &Identity,
    id: Option<Uuid>,
    form: ProjectForm,
    errors: Vec<(&'static str, String)>,
) -> Result<FormPage, WebError> {
    Ok(FormPage {
        c: Chrome::new(l, Some(me), state),
        id,
        form: form.with_blank_lines(),
        errors,
        sectors: catalog_choices(state, l, CatalogKind::Sectors).await?,
        pillars: catalog_choices(state, l, CatalogKind::Pillars).await?,
        action_types: catalog_choices(state, l, CatalogKind::ActionTypes).await?,
        at_risk_groups: catalog_choices(state, l, CatalogKind::AtRiskGroups).await?,
        crisis_phases: coded_choices(l, "project-crisis", CrisisPhase::ALL, CrisisPhase::code),
        dimensions: coded_choices(l, "project-dimension", Dimension::ALL, Dimension::code),
        groups: coded_choices(l, "project-group", PopulationGroup::ALL, PopulationGroup::code),
        sexes: coded_choices(l, "feedback-sex", &[Sex::Female, Sex::Male, Sex::Other], Sex::code),
        age_brackets: catalog_choices(state, l, CatalogKind::AgeBrackets).await?,
        attributes: coded_choices(l, "project-attribute", Attribute::ALL, Attribute::code),
        modes: coded_choices(l, "project-targeting", TargetingMode::ALL, TargetingMode::code),
    })
}

/// Field problems as the form shows them, each in the reader's language.
pub(crate) fn form_errors(l: Lang, e: WebError) -> Result<Vec<(&'static str, String)>, WebError> {
    match e {
        WebError::Invalid(problems) => {
            Ok(problems.into_iter().map(|(field, code)| (field, l.t(&format!("error-{code}")))).collect())
        }
        WebError::Conflict { code, field } => Ok(vec![(field.unwrap_or("code"), l.t(&format!("error-{code}")))]),
        other => Err(other),
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
) -> Result<Response, WebError> {
    let form = ProjectForm { dimension: Dimension::Mainstreaming.code().into(), ..Default::default() };
    Ok(form_page(&state, l, &me, None, form, vec![]).await?.into_response())
}

pub async fn create(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = ProjectForm::from_pairs(&pairs);
    let saved = async {
        let input = checked(&state, form.raw(None, None)).await?;
        let agency = store::agency_of(&state.store, me.user_id()).await?;
        store::create(&state.store, &me.actor(), &input, agency).await.map_err(code_taken)
    }
    .await;
    match saved {
        Ok(id) => Ok(Redirect::to(&format!("/projects/{id}")).into_response()),
        Err(e) => {
            let errors = form_errors(l, e)?;
            let page = form_page(&state, l, &me, None, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let p = visible(&state, &access, id).await?;
    Ok(form_page(&state, l, &me, Some(id), ProjectForm::of_project(&p), vec![]).await?.into_response())
}

pub async fn update(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let before = visible(&state, &access, id).await?;
    let form = ProjectForm::from_pairs(&pairs);
    let saved = async {
        let input = checked(&state, form.raw(before.manager_id, before.focal_point_id)).await?;
        store::update(&state.store, &me.actor(), &access, id, &input).await.map_err(code_taken)
    }
    .await;
    match saved {
        Ok(_) => Ok(Redirect::to(&format!("/projects/{id}")).into_response()),
        Err(e) => {
            let errors = form_errors(l, e)?;
            let page = form_page(&state, l, &me, Some(id), form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

// ---------- the project ----------

pub struct DeviationView {
    pub id: Uuid,
    pub state: String,
    pub label: String,
    pub justification: String,
    pub note: String,
}

pub struct ItemView {
    pub code: String,
    pub question: String,
    pub guidance: String,
    pub mandatory: bool,
    pub sector_standard: bool,
    pub stage: String,
    pub answer: String,
    pub answer_label: String,
    pub justification: String,
    pub evidence_link: String,
    pub evidence: Vec<EvidenceView>,
    pub answered: String,
    pub deviation: Option<DeviationView>,
    pub may_request_deviation: bool,
    pub blocks: bool,
    pub error: Option<String>,
}

/// A file attached to an item, as the page lists it.
#[derive(Clone)]
pub struct EvidenceView {
    pub id: Uuid,
    pub file_name: String,
    pub size: String,
    pub uploaded: String,
}

/// The project's evidence files by item, in upload order.
fn evidence_by_item(l: Lang, files: Vec<store::evidence::Evidence>) -> BTreeMap<String, Vec<EvidenceView>> {
    let mut by_item: BTreeMap<String, Vec<EvidenceView>> = BTreeMap::new();
    for f in files {
        let kib = (f.size_bytes + 1023) / 1024;
        by_item.entry(f.item_code).or_default().push(EvidenceView {
            id: f.id,
            file_name: f.file_name,
            size: format!("{} KiB", l.number(kib)),
            uploaded: format!("{} · {}", f.uploaded_by, l.datetime(f.uploaded_at)),
        });
    }
    by_item
}

pub struct PrincipleView {
    pub label: String,
    pub percent: Option<u32>,
    pub items: Vec<ItemView>,
}

pub struct PhaseView {
    pub code: String,
    pub label: String,
    pub principles: Vec<PrincipleView>,
}

pub struct RiskView {
    pub title: String,
    pub description: String,
    pub gpc_risk: String,
    pub groups: String,
    pub score: i64,
    pub level: String,
    pub level_label: String,
    pub mitigation: String,
    pub due_date: String,
    pub status_label: String,
}

pub struct UnmetView {
    pub text: String,
    pub anchor: Option<String>,
}

pub struct EventView {
    pub at: String,
    pub who: String,
    pub what: String,
}

pub struct EndorsementLine {
    pub id: Uuid,
    pub by: String,
    pub at: String,
    pub sha256: String,
}

pub struct CriterionView {
    pub attribute: String,
    pub condition: String,
    pub rule: String,
    pub notes: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "project.html")]
pub struct ProjectPage {
    c: Chrome,
    p: Project,
    status_label: String,
    phase_label: String,
    reopened: Vec<String>,
    sectors: Vec<String>,
    facts: Vec<(String, String)>,
    targeting_mode: String,
    criteria: Vec<CriterionView>,
    cells: Vec<(String, String, String, String, u32)>,
    unmet: Vec<UnmetView>,
    phases: Vec<PhaseView>,
    risks: Vec<RiskView>,
    last_review: Option<String>,
    endorsements: Vec<EndorsementLine>,
    events: Vec<EventView>,
    can_write: bool,
    can_approve: bool,
    next_phase: Option<String>,
    message: Option<String>,
    error: Option<String>,
    gpc_risks: Choices,
    risk_statuses: Choices,
    answer_choices: Choices,
    /// A newer checklist version the project could move to.
    newer_checklist: Option<String>,
    /// Lessons of closed projects sharing a sector or a place, while it is being designed.
    carried: Vec<super::round_pages::CarriedView>,
    designing: bool,
}

struct PageNotes {
    /// The item an error belongs to, and the message.
    item_error: Option<(String, String)>,
    message: Option<String>,
    error: Option<String>,
}

impl PageNotes {
    fn none() -> PageNotes {
        PageNotes { item_error: None, message: None, error: None }
    }
}

fn deviation_view(l: Lang, line: &ChecklistLine) -> Option<DeviationView> {
    let d = line.deviation.as_ref()?;
    Some(DeviationView {
        id: d.id,
        label: l.t(&format!("project-deviation-{}", d.state)),
        state: d.state.clone(),
        justification: d.justification.clone(),
        note: d.decision_note.clone().unwrap_or_default(),
    })
}

fn item_view(
    l: Lang,
    line: &ChecklistLine,
    unmet: &[Unmet],
    notes: &PageNotes,
    evidence: &BTreeMap<String, Vec<EvidenceView>>,
) -> ItemView {
    let answer = line.answer.as_ref();
    let deviation = deviation_view(l, line);
    let blocks = unmet.contains(&Unmet::Item(line.item.code.clone()));
    ItemView {
        code: line.item.code.clone(),
        question: line.item.question.get(l.code()).to_owned(),
        guidance: line.item.guidance.get(l.code()).to_owned(),
        mandatory: line.item.mandatory,
        sector_standard: !line.item.sectors.is_empty(),
        stage: line.item.stage.map(|s| l.t(&format!("project-stage-{}", s.code()))).unwrap_or_default(),
        answer: answer.map(|a| a.answer.code().to_owned()).unwrap_or_default(),
        answer_label: match answer {
            Some(a) => l.t(&format!("project-answer-{}", a.answer.code())),
            None => l.t("project-answer-none"),
        },
        justification: answer.and_then(|a| a.justification.clone()).unwrap_or_default(),
        evidence_link: answer.and_then(|a| a.evidence_link.clone()).unwrap_or_default(),
        evidence: evidence.get(&line.item.code).cloned().unwrap_or_default(),
        answered: answer.map(|a| format!("{} · {}", a.answered_by, l.datetime(a.answered_at))).unwrap_or_default(),
        may_request_deviation: blocks
            && deviation.as_ref().is_none_or(|d| d.state == "rejected")
            && line.item.mandatory
            && line.item.before_endorsement(),
        deviation,
        blocks,
        error: notes.item_error.as_ref().filter(|(code, _)| *code == line.item.code).map(|(_, m)| m.clone()),
    }
}

fn phase_views(
    l: Lang,
    lines: &[ChecklistLine],
    unmet: &[Unmet],
    principles: &Choices,
    notes: &PageNotes,
    evidence: &BTreeMap<String, Vec<EvidenceView>>,
) -> Vec<PhaseView> {
    let answers: BTreeMap<String, _> =
        lines.iter().filter_map(|l| Some((l.item.code.clone(), l.answer.as_ref()?.answer))).collect();
    CyclePhase::ALL
        .iter()
        .map(|&phase| {
            let in_phase: Vec<&ChecklistLine> = lines.iter().filter(|x| x.item.phase == phase).collect();
            let items: Vec<_> = in_phase.iter().map(|x| &x.item).collect();
            let scores = principle_scores(&items, &answers);
            let principles = Principle::ALL
                .iter()
                .map(|&principle| {
                    // Within development and design, the analysis items come first.
                    let mut of: Vec<&&ChecklistLine> =
                        in_phase.iter().filter(|x| x.item.principle == principle).collect();
                    of.sort_by_key(|x| x.item.stage.map(|s| s == Stage::Design));
                    PrincipleView {
                        label: name_of(principles, principle.code()),
                        percent: scores.iter().find(|s| s.principle == principle).and_then(|s| s.percent()),
                        items: of.into_iter().map(|x| item_view(l, x, unmet, notes, evidence)).collect(),
                    }
                })
                .filter(|p| !p.items.is_empty())
                .collect();
            PhaseView {
                code: phase.code().to_owned(),
                label: l.t(&format!("project-phase-{}", phase.code())),
                principles,
            }
        })
        .filter(|p| !p.principles.is_empty())
        .collect()
}

fn event_view(l: Lang, e: &store::ProjectEvent) -> EventView {
    let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
    let mut what = l.t(&format!("project-event-{}", e.kind));
    if let Some(item) = detail.get("item").and_then(|v| v.as_str()) {
        what.push_str(&format!(" · {item}"));
    }
    if let Some(answer) = detail.get("answer").and_then(|v| v.as_str()) {
        what.push_str(&format!(" · {}", l.t(&format!("project-answer-{answer}"))));
    }
    if let Some(decision) = detail.get("decision").and_then(|v| v.as_str()) {
        what.push_str(&format!(" · {}", l.t(&format!("project-deviation-{decision}"))));
    }
    for key in ["because", "material_changes"] {
        if let Some(list) = detail.get(key).and_then(|v| v.as_array()).filter(|a| !a.is_empty()) {
            let reasons: Vec<String> =
                list.iter().filter_map(|c| c.as_str()).map(|c| l.t(&format!("project-change-{c}"))).collect();
            what.push_str(&format!(" · {}", reasons.join(", ")));
        }
    }
    EventView { at: l.datetime(e.at), who: e.actor_name.clone(), what }
}

async fn project_page(
    state: &AppState,
    l: Lang,
    me: &Identity,
    access: &Access,
    id: Uuid,
    notes: PageNotes,
) -> Result<ProjectPage, WebError> {
    let p = visible(state, access, id).await?;
    let lines = store::checklist(&state.store, &p).await?;
    let unmet = store::gate_of(&state.store, &p, &lines).await?;
    let evidence = evidence_by_item(l, store::evidence::list(&state.store, p.id).await?);
    let principles = catalog_choices(state, l, CatalogKind::Principles).await?;
    let sector_names = catalog_choices(state, l, CatalogKind::Sectors).await?;
    let groups = catalog_choices(state, l, CatalogKind::AtRiskGroups).await?;
    let gpc_risks = catalog_choices(state, l, CatalogKind::Risks).await?;
    let pillars = catalog_choices(state, l, CatalogKind::Pillars).await?;
    let action_types = catalog_choices(state, l, CatalogKind::ActionTypes).await?;
    let names =
        |choices: &Choices, codes: &[String]| codes.iter().map(|c| name_of(choices, c)).collect::<Vec<_>>().join(", ");
    let facts = vec![
        (l.t("project-summary"), p.summary.clone().unwrap_or_default()),
        (l.t("project-places"), p.locations.join(", ")),
        (
            l.t("project-crisis-phase"),
            p.crisis_phase.map(|c| l.t(&format!("project-crisis-{}", c.code()))).unwrap_or_default(),
        ),
        (l.t("project-dimension"), l.t(&format!("project-dimension-{}", p.dimension.code()))),
        (l.t("project-dates"), format!("{} – {}", iso(p.start_date), iso(p.end_date))),
        (l.t("project-partners"), p.details.partners.join(", ")),
        (l.t("project-pillars"), names(&pillars, &p.details.pillars)),
        (l.t("project-action-types"), names(&action_types, &p.details.action_types)),
        (l.t("project-at-risk-groups"), names(&groups, &p.details.at_risk_groups)),
        (l.t("project-selection-notes"), p.details.selection_notes.clone().unwrap_or_default()),
        (l.t("project-checklist-version"), p.checklist_version.clone()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.trim().is_empty() && v.trim() != "–")
    .collect();
    let criteria = p
        .targeting
        .criteria
        .iter()
        .map(|c| CriterionView {
            attribute: l.t(&format!("project-attribute-{}", c.attribute.code())),
            condition: c.condition.clone(),
            rule: match c.rule {
                Rule::Eligibility => l.t("project-rule-eligibility"),
                Rule::Weight(w) => format!("{} {}", l.t("project-rule-weight"), l.number(i64::from(w))),
            },
            notes: c.notes.clone().unwrap_or_default(),
        })
        .collect();
    let cells = p
        .details
        .target_population
        .iter()
        .map(|c| {
            (
                l.t(&format!("project-group-{}", c.group.code())),
                l.t(&format!("feedback-sex-{}", c.sex.code())),
                c.age_bracket.clone(),
                if c.disability { l.t("project-with-disability") } else { String::new() },
                c.count,
            )
        })
        .collect();
    let unmet_views = unmet
        .iter()
        .map(|u| match u {
            Unmet::Item(code) => {
                let question = lines
                    .iter()
                    .find(|x| &x.item.code == code)
                    .map(|x| x.item.question.get(l.code()).to_owned())
                    .unwrap_or_default();
                UnmetView { text: format!("{code} · {question}"), anchor: Some(format!("item-{code}")) }
            }
            other => UnmetView { text: l.t(&format!("project-unmet-{}", other.code())), anchor: None },
        })
        .collect();
    let risks = store::risks(&state.store, p.id)
        .await?
        .into_iter()
        .map(|r| RiskView {
            level: r.level().code().to_owned(),
            level_label: l.t(&format!("project-level-{}", r.level().code())),
            score: r.likelihood * r.impact,
            gpc_risk: r.gpc_risk.as_deref().map(|c| name_of(&gpc_risks, c)).unwrap_or_default(),
            groups: names(&groups, &r.at_risk_groups),
            status_label: l.t(&format!("project-risk-{}", r.status)),
            title: r.title,
            description: r.description.unwrap_or_default(),
            mitigation: r.mitigation.unwrap_or_default(),
            due_date: r.due_date.unwrap_or_default(),
        })
        .collect();
    let events = store::events(&state.store, p.id).await?;
    let last_review = events.iter().rev().find(|e| e.kind == "dnh-review").map(|e| l.datetime(e.at));
    let endorsements = store::endorsements(&state.store, p.id)
        .await?
        .into_iter()
        .map(|e| EndorsementLine {
            id: e.id,
            by: e.endorser_name,
            at: l.datetime(e.endorsed_at),
            sha256: e.snapshot_sha256,
        })
        .collect();
    let c = Chrome::new(l, Some(me), state);
    Ok(ProjectPage {
        can_write: c.can(Permission::ProjectsWrite.code()),
        can_approve: c.can(Permission::ProjectsApprove.code()),
        c,
        status_label: l.t(&format!("project-status-{}", p.status.code())),
        phase_label: l.t(&format!("project-phase-{}", p.phase.code())),
        reopened: p.reopened_because.iter().map(|c| l.t(&format!("project-change-{}", c.code()))).collect(),
        sectors: p.sectors.iter().map(|s| name_of(&sector_names, s)).collect(),
        facts,
        targeting_mode: l.t(&format!("project-targeting-{}", p.targeting.mode.map(|m| m.code()).unwrap_or("none"))),
        criteria,
        cells,
        phases: phase_views(l, &lines, &unmet, &principles, &notes, &evidence),
        unmet: unmet_views,
        risks,
        last_review,
        endorsements,
        events: events.iter().rev().map(|e| event_view(l, e)).collect(),
        next_phase: next_phase(p.phase, p.status).ok().map(|n| l.t(&format!("project-phase-{}", n.code()))),
        message: notes.message,
        error: notes.error,
        gpc_risks,
        risk_statuses: coded_choices(l, "project-risk", RiskStatus::ALL, RiskStatus::code),
        answer_choices: coded_choices(l, "project-answer", Answer::ALL, Answer::code),
        newer_checklist: Some(store::current_checklist(&state.store).await?.0).filter(|v| *v != p.checklist_version),
        designing: matches!(p.phase, CyclePhase::DevelopmentDesign | CyclePhase::Endorsement),
        carried: if matches!(p.phase, CyclePhase::DevelopmentDesign | CyclePhase::Endorsement) {
            super::round_pages::carried_views(state, l, access, &p).await?
        } else {
            Vec::new()
        },
        p,
    })
}

pub async fn page(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    Ok(project_page(&state, l, &me, &access, id, PageNotes::none()).await?.into_response())
}

/// Read access for a form posted under a write permission: the project must be in scope.
fn read_access(me: &Identity) -> Result<Access, WebError> {
    haven_core::authz::decide(&me.principal, Permission::ProjectsRead).map_err(|_| WebError::Forbidden)
}

/// The project page again with a problem shown (422), or back to it at `anchor` when done.
pub(super) async fn after(
    state: &AppState,
    l: Lang,
    me: &Identity,
    id: Uuid,
    anchor: &str,
    outcome: Result<(), (Option<String>, WebError)>,
) -> Result<Response, WebError> {
    let (item, e) = match outcome {
        Ok(()) => return Ok(Redirect::to(&format!("/projects/{id}#{anchor}")).into_response()),
        Err(x) => x,
    };
    let status =
        if matches!(e, WebError::Refused(_)) { StatusCode::FORBIDDEN } else { StatusCode::UNPROCESSABLE_ENTITY };
    let message = super::form_message(l, e)?;
    let notes = match item {
        Some(code) => PageNotes { item_error: Some((code, message)), message: None, error: None },
        None => PageNotes { item_error: None, message: None, error: Some(message) },
    };
    let access = read_access(me)?;
    let page = project_page(state, l, me, &access, id, notes).await?;
    Ok((status, page).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AnswerForm {
    answer: String,
    justification: String,
    evidence_link: String,
}

pub async fn answer(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path((id, item)): Path<(Uuid, String)>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, WebError> {
    let p = visible(&state, &access, id).await?;
    let raw = RawAnswer {
        answer: nonempty(&form.answer),
        justification: nonempty(&form.justification),
        evidence_link: nonempty(&form.evidence_link),
    };
    let outcome = super::answer(&state, &me, &p, &item, raw).await;
    after(&state, l, &me, id, &format!("item-{item}"), outcome.map_err(|e| (Some(item.clone()), e))).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeviationForm {
    justification: String,
}

pub async fn request_deviation(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path((id, item)): Path<(Uuid, String)>,
    Form(form): Form<DeviationForm>,
) -> Result<Response, WebError> {
    let p = visible(&state, &access, id).await?;
    let outcome = super::request_deviation(&state, &me, &p, &item, nonempty(&form.justification)).await.map(|_| ());
    after(&state, l, &me, id, &format!("item-{item}"), outcome.map_err(|e| (Some(item.clone()), e))).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
    note: String,
    item: String,
}

/// Decided within the scope of the approving permission, not the wider reading one.
pub async fn decide_deviation(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path((id, deviation)): Path<(Uuid, Uuid)>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, WebError> {
    let outcome = decide(&state, &me, &access, id, deviation, form.decision == "approve", nonempty(&form.note)).await;
    let item = Some(form.item.clone()).filter(|i| !i.is_empty());
    after(&state, l, &me, id, &format!("item-{}", form.item), outcome.map_err(|e| (item, e))).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RiskForm {
    title: String,
    description: String,
    gpc_risk: String,
    likelihood: String,
    impact: String,
    mitigation: String,
    due_date: String,
    status: String,
}

pub async fn add_risk(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
    Form(form): Form<RiskForm>,
) -> Result<Response, WebError> {
    let p = visible(&state, &access, id).await?;
    let scale = |v: &str| nonempty(v).map(|v| v.parse().unwrap_or(0));
    let raw = RawRisk {
        title: nonempty(&form.title),
        description: nonempty(&form.description),
        gpc_risk: nonempty(&form.gpc_risk),
        at_risk_groups: None,
        likelihood: scale(&form.likelihood),
        impact: scale(&form.impact),
        mitigation: nonempty(&form.mitigation),
        owner_id: None,
        due_date: nonempty(&form.due_date),
        status: nonempty(&form.status),
        review_date: None,
    };
    let outcome = match checked_risk(&state, raw).await {
        Err(e) => Err(e),
        Ok(risk) => store::add_risk(&state.store, &me.actor(), &p, &risk).await.map(|_| ()).map_err(WebError::from),
    };
    after(&state, l, &me, id, "risks", outcome.map_err(|e| (None, e))).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewForm {
    note: String,
}

pub async fn review(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
    Form(form): Form<ReviewForm>,
) -> Result<Response, WebError> {
    let p = visible(&state, &access, id).await?;
    let note = nonempty(&form.note);
    let outcome = if note.as_ref().is_some_and(|n| n.chars().count() > 4_000) {
        Err(WebError::Invalid(vec![("note", "too-long")]))
    } else {
        store::review_register(&state.store, &me.actor(), &p, note.as_deref()).await.map_err(WebError::from)
    };
    after(&state, l, &me, id, "risks", outcome.map_err(|e| (None, e))).await
}

/// Endorsed within the scope of the approving permission, not the wider reading one.
pub async fn endorse(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let p = visible(&state, &access, id).await?;
    let outcome = match super::endorse(&state, &me, &p).await {
        Ok(EndorsementOutcome::Endorsed(record)) => {
            return Ok(Redirect::to(&format!("/projects/{id}/endorsements/{}", record.id)).into_response());
        }
        // The page lists what blocks it.
        Ok(EndorsementOutcome::Blocked(_)) => Err(WebError::Conflict { code: "endorsement-blocked", field: None }),
        Err(e) => Err(e),
    };
    after(&state, l, &me, id, "gate", outcome.map_err(|e| (None, e))).await
}

pub async fn upgrade(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let p = visible(&state, &access, id).await?;
    let outcome = match store::upgrade_checklist(&state.store, &me.actor(), &p).await? {
        Some(_) => Ok(()),
        None => Err(WebError::Conflict { code: "checklist-current", field: None }),
    };
    after(&state, l, &me, id, "checklist", outcome.map_err(|e| (None, e))).await
}

pub async fn advance(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let outcome = match store::advance(&state.store, &me.actor(), &access, id).await? {
        Ok(_) => Ok(()),
        Err(haven_core::projects::PhaseError::NotEndorsed) => {
            Err(WebError::Conflict { code: "not-endorsed", field: None })
        }
        Err(haven_core::projects::PhaseError::Closed) => {
            Err(WebError::Conflict { code: "project-closed", field: None })
        }
        Err(haven_core::projects::PhaseError::LastPhase) => Err(WebError::Conflict { code: "last-phase", field: None }),
    };
    after(&state, l, &me, id, "gate", outcome.map_err(|e| (None, e))).await
}

// ---------- the printable endorsement record ----------

pub struct SnapshotAnswer {
    pub code: String,
    pub question: String,
    pub answer: String,
    pub justification: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "project_endorsement.html")]
pub struct EndorsementPage {
    c: Chrome,
    p: Project,
    record: store::Endorsement,
    at: String,
    answers: Vec<SnapshotAnswer>,
    deviations: Vec<(String, String)>,
    risks: Vec<(String, String)>,
}

pub async fn endorsement(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path((id, endorsement)): Path<(Uuid, Uuid)>,
) -> Result<Response, WebError> {
    let p = visible(&state, &access, id).await?;
    let record = store::endorsement(&state.store, p.id, endorsement).await?;
    let snapshot: serde_json::Value = serde_json::from_str(&record.snapshot).unwrap_or_default();
    let items = store::checklist_items(&state.store, &record.checklist_version).await?;
    let question = |code: &str| {
        items.iter().find(|i| i.code == code).map(|i| i.question.get(l.code()).to_owned()).unwrap_or_default()
    };
    let text = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_default().to_owned();
    let answers = snapshot["answers"]
        .as_object()
        .map(|m| {
            let mut out: Vec<SnapshotAnswer> = m
                .iter()
                .map(|(code, a)| SnapshotAnswer {
                    question: question(code),
                    answer: l.t(&format!("project-answer-{}", text(a, "answer"))),
                    justification: text(a, "justification"),
                    code: code.clone(),
                })
                .collect();
            let order = |code: &str| items.iter().position(|i| i.code == code).unwrap_or(usize::MAX);
            out.sort_by_key(|a| order(&a.code));
            out
        })
        .unwrap_or_default();
    let deviations = snapshot["deviations"]
        .as_array()
        .map(|ds| ds.iter().map(|d| (text(d, "item"), text(d, "justification"))).collect())
        .unwrap_or_default();
    let risks = snapshot["risks"]
        .as_array()
        .map(|rs| rs.iter().map(|r| (text(r, "title"), text(r, "mitigation"))).collect())
        .unwrap_or_default();
    let page = EndorsementPage {
        c: Chrome::new(l, Some(&me), &state),
        at: l.datetime(record.endorsed_at),
        p,
        record,
        answers,
        deviations,
        risks,
    };
    Ok(page.into_response())
}
