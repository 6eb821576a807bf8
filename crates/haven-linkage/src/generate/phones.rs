//! Synthetic mobile numbers and the ways registrars write them.

use super::data::{Catalog, PhonePlan};
use super::rng::Rng;

/// A mobile number: plan (country), prefix and subscriber digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct Phone {
    pub plan: u8,
    pub prefix: u8,
    pub subscriber: u32,
}

/// How a registrar writes a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PhoneStyle {
    /// +964 770 123 4567
    InternationalSpaced,
    /// +9647701234567
    InternationalCompact,
    /// 009647701234567
    InternationalZeros,
    /// 07701234567
    National,
    /// 0770 123 4567
    NationalSpaced,
    /// 0770-123-4567
    NationalDashed,
    /// 7701234567 (neither trunk prefix nor country code)
    Bare,
}

impl PhoneStyle {
    pub(super) const ALL: [PhoneStyle; 7] = [
        PhoneStyle::InternationalSpaced,
        PhoneStyle::InternationalCompact,
        PhoneStyle::InternationalZeros,
        PhoneStyle::National,
        PhoneStyle::NationalSpaced,
        PhoneStyle::NationalDashed,
        PhoneStyle::Bare,
    ];
    /// How often registrars use each style.
    pub(super) const WEIGHTS: [u32; 7] = [22, 14, 5, 30, 15, 6, 8];
}

/// A fresh random number in the given plan.
pub(super) fn random_phone(rng: &mut Rng, catalog: &Catalog, plan_index: usize) -> Phone {
    let (prefix_count, digits) = match catalog.plans.get(plan_index) {
        Some(plan) => (plan.prefixes.len(), plan.subscriber_digits),
        None => (1, 7),
    };
    let limit = 10u64.pow(digits.min(9)) as usize;
    Phone {
        plan: u8::try_from(plan_index).unwrap_or(0),
        prefix: u8::try_from(rng.below(prefix_count)).unwrap_or(0),
        subscriber: u32::try_from(rng.below(limit)).unwrap_or(0),
    }
}

/// One mistyped digit, or two neighbouring digits swapped.
pub(super) fn mistype(rng: &mut Rng, catalog: &Catalog, phone: Phone) -> Phone {
    let digits = catalog.plans.get(usize::from(phone.plan)).map_or(7, |plan| plan.subscriber_digits);
    let mut text: Vec<u8> = format!("{:0width$}", phone.subscriber, width = digits as usize).into_bytes();
    if text.len() < 2 {
        return phone;
    }
    let at = rng.below(text.len() - 1);
    if rng.chance(0.5) && text[at] != text[at + 1] {
        text.swap(at, at + 1);
    } else {
        let old = text[at] - b'0';
        let new = (old + 1 + rng.below(9) as u8) % 10;
        text[at] = b'0' + new;
    }
    let subscriber = text.iter().fold(0u32, |acc, d| acc.wrapping_mul(10).wrapping_add(u32::from(d - b'0')));
    Phone { subscriber, ..phone }
}

/// The number as the registrar writes it.
pub(super) fn format_phone(catalog: &Catalog, phone: Phone, style: PhoneStyle) -> String {
    let Some(plan) = catalog.plans.get(usize::from(phone.plan)) else {
        return String::new();
    };
    let prefix = plan.prefixes.get(usize::from(phone.prefix)).copied().unwrap_or("");
    let national = format!("{prefix}{:0width$}", phone.subscriber, width = plan.subscriber_digits as usize);
    let code = plan.country_code;
    let trunk = plan.trunk;
    match style {
        PhoneStyle::InternationalSpaced => format!("+{code} {}", grouped(plan, &national, " ")),
        PhoneStyle::InternationalCompact => format!("+{code}{national}"),
        PhoneStyle::InternationalZeros => format!("00{code}{national}"),
        PhoneStyle::National => format!("{trunk}{national}"),
        PhoneStyle::NationalSpaced => format!("{trunk}{}", grouped(plan, &national, " ")),
        PhoneStyle::NationalDashed => format!("{trunk}{}", grouped(plan, &national, "-")),
        PhoneStyle::Bare => national,
    }
}

/// The national number split in the plan's groups; the first group takes what the others leave.
fn grouped(plan: &PhonePlan, national: &str, separator: &str) -> String {
    let tail: usize = plan.grouping.iter().skip(1).sum();
    let Some(first) = national.len().checked_sub(tail).filter(|&first| first > 0) else {
        return national.to_owned();
    };
    let mut out = String::with_capacity(national.len() + plan.grouping.len());
    let mut start = 0;
    for (index, size) in std::iter::once(first).chain(plan.grouping.iter().skip(1).copied()).enumerate() {
        if index > 0 {
            out.push_str(separator);
        }
        out.push_str(national.get(start..start + size).unwrap_or(""));
        start += size;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::data::catalog;
    use super::*;

    fn iraqi_plan() -> usize {
        catalog().plans.iter().position(|p| p.country == "IQ").unwrap()
    }

    #[test]
    fn iraqi_number_in_every_style() {
        let catalog = catalog();
        let phone = Phone { plan: iraqi_plan() as u8, prefix: 0, subscriber: 1_234_567 };
        let written: Vec<String> = PhoneStyle::ALL.iter().map(|&s| format_phone(catalog, phone, s)).collect();
        assert_eq!(
            written,
            [
                "+964 770 123 4567",
                "+9647701234567",
                "009647701234567",
                "07701234567",
                "0770 123 4567",
                "0770-123-4567",
                "7701234567"
            ]
        );
    }

    #[test]
    fn mistyped_numbers_differ() {
        let catalog = catalog();
        let mut rng = Rng::new(5);
        let phone = Phone { plan: iraqi_plan() as u8, prefix: 1, subscriber: 9_876_543 };
        for _ in 0..50 {
            assert_ne!(mistype(&mut rng, catalog, phone), phone);
        }
    }
}
