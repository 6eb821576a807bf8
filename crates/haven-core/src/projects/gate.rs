//! The endorsement gate: a project is endorsed only when every mandatory analysis, design and
//! endorsement item is met or carries an approved deviation, the targeting passes the guard,
//! and the do-no-harm register has been reviewed since it last changed. A material change
//! (sectors, locations, targeting) opens the gate again.

use std::collections::BTreeSet;

use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::authz::Role;

use super::{Answer, ProjectStatus, Targeting};

/// Where a deviation from a mandatory item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeviationState {
    Requested,
    Approved,
    Rejected,
}

coded!(DeviationState { Requested => "requested", Approved => "approved", Rejected => "rejected" });

/// What the gate needs to know of one checklist item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateItem {
    pub code: String,
    pub mandatory: bool,
    /// An analysis, design or endorsement item (later phases do not hold endorsement up).
    pub before_endorsement: bool,
    pub answer: Option<Answer>,
    pub deviation: Option<DeviationState>,
}

/// One condition that blocks endorsement.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unmet {
    /// A mandatory item neither met nor covered by an approved deviation.
    Item(String),
    /// The do-no-harm register has not been reviewed since it (or the project) last changed.
    DnhReview,
    /// The targeting is undecided or does not pass the guard.
    Targeting,
}

impl Unmet {
    /// As the API lists it: the item's id, or `dnh_review` / `targeting`.
    pub fn code(&self) -> &str {
        match self {
            Unmet::Item(code) => code,
            Unmet::DnhReview => "dnh_review",
            Unmet::Targeting => "targeting",
        }
    }
}

/// Every condition that blocks endorsement; empty means the project may be endorsed.
pub fn unmet_conditions(items: &[GateItem], targeting: &Targeting, register_reviewed: bool) -> Vec<Unmet> {
    let mut unmet: Vec<Unmet> = items
        .iter()
        .filter(|i| i.mandatory && i.before_endorsement)
        .filter(|i| i.answer != Some(Answer::Met) && i.deviation != Some(DeviationState::Approved))
        .map(|i| Unmet::Item(i.code.clone()))
        .collect();
    if !register_reviewed {
        unmet.push(Unmet::DnhReview);
    }
    if !targeting.passes() {
        unmet.push(Unmet::Targeting);
    }
    unmet
}

/// The register counts as reviewed when a review was recorded at or after its last change
/// (a risk added or edited, or a material change to the project).
pub fn register_reviewed(last_review: Option<OffsetDateTime>, last_change: Option<OffsetDateTime>) -> bool {
    match (last_review, last_change) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(review), Some(change)) => review >= change,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DeviationRefusal {
    #[error("approving deviations needs the role {0:?}")]
    MissingRole(Role),
    #[error("the project's manager cannot approve a deviation on their own project")]
    ProjectManager,
    #[error("whoever asked for a deviation cannot approve it")]
    Requester,
}

impl DeviationRefusal {
    pub fn code(self) -> &'static str {
        match self {
            DeviationRefusal::MissingRole(_) => "approver-role-required",
            DeviationRefusal::ProjectManager => "manager-cannot-approve",
            DeviationRefusal::Requester => "requester-cannot-approve",
        }
    }
}

/// May `approver` decide on a deviation? They must hold the organisation's approving role
/// (a protection officer by default, a headquarters role where the organisation requires
/// it), and be neither whoever asked for the deviation nor one of the project's `managers`:
/// the current one and every earlier one, so that handing the project to a colleague for
/// the time of a decision does not make its manager an approver.
pub fn may_approve_deviation(
    approver: Uuid,
    approver_roles: &BTreeSet<Role>,
    approving_role: Role,
    managers: &[Uuid],
    requester: Uuid,
) -> Result<(), DeviationRefusal> {
    if managers.contains(&approver) {
        return Err(DeviationRefusal::ProjectManager);
    }
    if requester == approver {
        return Err(DeviationRefusal::Requester);
    }
    if !approver_roles.contains(&approving_role) {
        return Err(DeviationRefusal::MissingRole(approving_role));
    }
    Ok(())
}

/// A change to what was endorsed that calls for a new endorsement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MaterialChange {
    Sectors,
    Locations,
    Targeting,
}

coded!(MaterialChange { Sectors => "sectors", Locations => "locations", Targeting => "targeting" });

/// What changed materially between two versions of a project (order of lists ignored).
pub fn material_changes(
    (old_sectors, old_locations, old_targeting): (&[String], &[String], &Targeting),
    (new_sectors, new_locations, new_targeting): (&[String], &[String], &Targeting),
) -> Vec<MaterialChange> {
    let set = |v: &[String]| v.iter().cloned().collect::<BTreeSet<_>>();
    let mut changes = Vec::new();
    if set(old_sectors) != set(new_sectors) {
        changes.push(MaterialChange::Sectors);
    }
    if set(old_locations) != set(new_locations) {
        changes.push(MaterialChange::Locations);
    }
    if old_targeting != new_targeting {
        changes.push(MaterialChange::Targeting);
    }
    changes
}

impl ProjectStatus {
    /// The status once `changes` are saved: an endorsed project whose substance changed
    /// needs endorsing again.
    pub fn after_changes(self, changes: &[MaterialChange]) -> ProjectStatus {
        if self == ProjectStatus::Endorsed && !changes.is_empty() { ProjectStatus::Reopened } else { self }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::projects::{Attribute, Criterion, Rule, TargetingMode};

    fn passing_targeting() -> Targeting {
        Targeting { mode: Some(TargetingMode::Blanket), criteria: vec![] }
    }

    fn answer() -> impl Strategy<Value = Option<Answer>> {
        prop_oneof![
            Just(None),
            Just(Some(Answer::Met)),
            Just(Some(Answer::Partly)),
            Just(Some(Answer::NotMet)),
            Just(Some(Answer::NotApplicable)),
        ]
    }

    fn deviation() -> impl Strategy<Value = Option<DeviationState>> {
        prop_oneof![
            Just(None),
            Just(Some(DeviationState::Requested)),
            Just(Some(DeviationState::Approved)),
            Just(Some(DeviationState::Rejected)),
        ]
    }

    fn items() -> impl Strategy<Value = Vec<GateItem>> {
        prop::collection::vec((any::<bool>(), any::<bool>(), answer(), deviation()), 0..40).prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (mandatory, before_endorsement, answer, deviation))| GateItem {
                    code: format!("item-{i}"),
                    mandatory,
                    before_endorsement,
                    answer,
                    deviation,
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn every_unmet_mandatory_item_without_approved_deviation_blocks(items in items()) {
            let unmet = unmet_conditions(&items, &passing_targeting(), true);
            for item in &items {
                let blocks = item.mandatory
                    && item.before_endorsement
                    && item.answer != Some(Answer::Met)
                    && item.deviation != Some(DeviationState::Approved);
                prop_assert_eq!(unmet.contains(&Unmet::Item(item.code.clone())), blocks, "{:?}", item);
            }
            prop_assert_eq!(unmet.len(), items.iter().filter(|i| unmet.contains(&Unmet::Item(i.code.clone()))).count());
        }

        #[test]
        fn the_register_and_the_targeting_block_on_their_own(items in items(), reviewed in any::<bool>(), decided in any::<bool>()) {
            let targeting = if decided { passing_targeting() } else { Targeting::default() };
            let unmet = unmet_conditions(&items, &targeting, reviewed);
            prop_assert_eq!(unmet.contains(&Unmet::DnhReview), !reviewed);
            prop_assert_eq!(unmet.contains(&Unmet::Targeting), !decided);
        }

        #[test]
        fn a_manager_never_approves_a_deviation_on_their_own_project(
            roles in prop::collection::btree_set(prop::sample::select(Role::ALL.to_vec()), 0..8),
            approving in prop::sample::select(Role::ALL.to_vec()),
            seed in any::<u128>(),
        ) {
            let manager = Uuid::from_u128(seed);
            let requester = Uuid::from_u128(seed.wrapping_add(1));
            let later = Uuid::from_u128(seed.wrapping_add(3));
            for managers in [vec![manager], vec![manager, later], vec![later, manager]] {
                prop_assert_eq!(
                    may_approve_deviation(manager, &roles, approving, &managers, requester),
                    Err(DeviationRefusal::ProjectManager)
                );
            }
            let other = Uuid::from_u128(seed.wrapping_add(2));
            let decision = may_approve_deviation(other, &roles, approving, &[manager, later], requester);
            prop_assert_eq!(decision.is_ok(), roles.contains(&approving));
        }

        #[test]
        fn a_material_change_reopens_an_endorsed_project(
            old_sectors in prop::collection::vec("[a-c]", 0..3),
            new_sectors in prop::collection::vec("[a-c]", 0..3),
            old_locations in prop::collection::vec("[x-z]", 0..3),
            new_locations in prop::collection::vec("[x-z]", 0..3),
            weight_changes in any::<bool>(),
        ) {
            let criterion = |w| Criterion { attribute: Attribute::Age, condition: "60+".into(), rule: Rule::Weight(w), notes: None };
            let old_t = Targeting { mode: Some(TargetingMode::Criteria), criteria: vec![criterion(10)] };
            let new_t = Targeting { mode: Some(TargetingMode::Criteria), criteria: vec![criterion(if weight_changes { 20 } else { 10 })] };
            let changes = material_changes((&old_sectors, &old_locations, &old_t), (&new_sectors, &new_locations, &new_t));
            let set = |v: &Vec<String>| v.iter().cloned().collect::<BTreeSet<String>>();
            let changed = set(&old_sectors) != set(&new_sectors) || set(&old_locations) != set(&new_locations) || weight_changes;
            prop_assert_eq!(!changes.is_empty(), changed);
            let after = ProjectStatus::Endorsed.after_changes(&changes);
            prop_assert_eq!(after == ProjectStatus::Reopened, changed);
            prop_assert_eq!(ProjectStatus::Draft.after_changes(&changes), ProjectStatus::Draft);
        }
    }

    #[test]
    fn a_review_must_follow_the_last_change() {
        let t = |s| OffsetDateTime::from_unix_timestamp(s).unwrap();
        assert!(!register_reviewed(None, None));
        assert!(register_reviewed(Some(t(10)), None));
        assert!(register_reviewed(Some(t(10)), Some(t(10))));
        assert!(!register_reviewed(Some(t(10)), Some(t(11))));
    }

    #[test]
    fn the_requester_and_roles_are_checked() {
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let po = BTreeSet::from([Role::ProtectionOfficer]);
        assert_eq!(may_approve_deviation(a, &po, Role::ProtectionOfficer, &[b], a), Err(DeviationRefusal::Requester));
        assert_eq!(
            may_approve_deviation(a, &po, Role::HeadquartersReviewer, &[b], c),
            Err(DeviationRefusal::MissingRole(Role::HeadquartersReviewer))
        );
        assert_eq!(may_approve_deviation(a, &po, Role::ProtectionOfficer, &[], c), Ok(()));
    }
}
