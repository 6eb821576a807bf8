//! The do-no-harm register: risks the project itself could create, scored likelihood × impact,
//! with their mitigation, owner, due date and status.

use serde::{Deserialize, Serialize};
use time::Date;
use uuid::Uuid;

use crate::input::{FieldProblem, Problems, is_code, trimmed};

const MAX_TITLE: usize = 300;
const MAX_TEXT: usize = 4_000;
const MAX_GROUPS: usize = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RiskStatus {
    Open,
    Mitigating,
    Closed,
}

coded!(RiskStatus { Open => "open", Mitigating => "mitigating", Closed => "closed" });

/// The band of likelihood × impact (each 1–5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
    VeryHigh,
}

coded!(RiskLevel { Low => "low", Medium => "medium", High => "high", VeryHigh => "very-high" });

impl RiskLevel {
    pub fn of(likelihood: u8, impact: u8) -> RiskLevel {
        match u16::from(likelihood) * u16::from(impact) {
            0..=4 => RiskLevel::Low,
            5..=9 => RiskLevel::Medium,
            10..=14 => RiskLevel::High,
            _ => RiskLevel::VeryHigh,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RawRisk {
    pub title: Option<String>,
    pub description: Option<String>,
    /// A GPC protection risk code (catalog kind `risks`).
    pub gpc_risk: Option<String>,
    pub at_risk_groups: Option<Vec<String>>,
    pub likelihood: Option<i64>,
    pub impact: Option<i64>,
    pub mitigation: Option<String>,
    pub owner_id: Option<Uuid>,
    pub due_date: Option<String>,
    pub status: Option<String>,
    pub review_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskInput {
    pub title: String,
    pub description: Option<String>,
    pub gpc_risk: Option<String>,
    pub at_risk_groups: Vec<String>,
    pub likelihood: u8,
    pub impact: u8,
    pub mitigation: Option<String>,
    pub owner_id: Option<Uuid>,
    pub due_date: Option<Date>,
    pub status: RiskStatus,
    pub review_date: Option<Date>,
}

impl RiskInput {
    pub fn level(&self) -> RiskLevel {
        RiskLevel::of(self.likelihood, self.impact)
    }
}

fn scale(p: &mut Problems, field: &'static str, value: Option<i64>) -> u8 {
    match value {
        None => {
            p.add(field, "required");
            1
        }
        Some(v @ 1..=5) => v as u8,
        Some(_) => {
            p.add(field, "out-of-range");
            1
        }
    }
}

impl RawRisk {
    pub fn validate(self) -> Result<RiskInput, Vec<FieldProblem>> {
        let mut p = Problems::default();
        let title = p.text("title", self.title, MAX_TITLE);
        let description = p.optional_text("description", self.description, MAX_TEXT);
        let gpc_risk = trimmed(self.gpc_risk);
        if gpc_risk.as_deref().is_some_and(|c| !is_code(c)) {
            p.add("gpc_risk", "unknown-code");
        }
        let at_risk_groups: Vec<String> =
            self.at_risk_groups.unwrap_or_default().into_iter().filter_map(|g| trimmed(Some(g))).collect();
        if at_risk_groups.len() > MAX_GROUPS {
            p.add("at_risk_groups", "too-many");
        }
        if at_risk_groups.iter().any(|g| !is_code(g)) {
            p.add("at_risk_groups", "unknown-code");
        }
        let likelihood = scale(&mut p, "likelihood", self.likelihood);
        let impact = scale(&mut p, "impact", self.impact);
        let mitigation = p.optional_text("mitigation", self.mitigation, MAX_TEXT);
        let due_date = p.date("due_date", self.due_date);
        let review_date = p.date("review_date", self.review_date);
        let status = p.code("status", self.status, RiskStatus::from_code).unwrap_or(RiskStatus::Open);
        // A risk is not closed without saying how it was mitigated.
        if status == RiskStatus::Closed && mitigation.is_none() {
            p.add("mitigation", "mitigation-required");
        }
        p.or(RiskInput {
            title,
            description,
            gpc_risk,
            at_risk_groups,
            likelihood,
            impact,
            mitigation,
            owner_id: self.owner_id,
            due_date,
            status,
            review_date,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_band_the_product() {
        assert_eq!(RiskLevel::of(1, 1), RiskLevel::Low);
        assert_eq!(RiskLevel::of(2, 2), RiskLevel::Low);
        assert_eq!(RiskLevel::of(3, 3), RiskLevel::Medium);
        assert_eq!(RiskLevel::of(2, 5), RiskLevel::High);
        assert_eq!(RiskLevel::of(3, 5), RiskLevel::VeryHigh);
        assert_eq!(RiskLevel::of(5, 5), RiskLevel::VeryHigh);
    }

    #[test]
    fn a_risk_needs_a_title_and_both_scales() {
        let e = RawRisk { likelihood: Some(7), ..Default::default() }.validate().unwrap_err();
        let got: Vec<_> = e.iter().map(|p| (p.field, p.code)).collect();
        assert_eq!(got, [("title", "required"), ("likelihood", "out-of-range"), ("impact", "required")]);
        let ok = RawRisk {
            title: Some("Distribution queues after dark expose women to harassment".into()),
            gpc_risk: Some("gender-based-violence".into()),
            likelihood: Some(3),
            impact: Some(4),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!((ok.level(), ok.status), (RiskLevel::High, RiskStatus::Open));
    }

    #[test]
    fn closing_needs_the_mitigation() {
        let raw = RawRisk {
            title: Some("t".into()),
            likelihood: Some(1),
            impact: Some(1),
            status: Some("closed".into()),
            ..Default::default()
        };
        assert_eq!(raw.clone().validate().unwrap_err()[0].code, "mitigation-required");
        assert!(RawRisk { mitigation: Some("Distributions end by 15:00".into()), ..raw }.validate().is_ok());
    }
}
