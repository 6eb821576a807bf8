use time::{Duration, OffsetDateTime};

/// Repeated failed sign-ins lock an account for a while. Counting is per account, so an
/// attacker spreading guesses over many addresses is still stopped.
#[derive(Debug, Clone, Copy)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    /// Failures older than this are forgotten.
    pub window: Duration,
    pub lock_for: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy { max_failures: 5, window: Duration::minutes(15), lock_for: Duration::minutes(15) }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginGate {
    Open,
    LockedUntil(OffsetDateTime),
}

impl LockoutPolicy {
    pub fn gate(&self, locked_until: Option<OffsetDateTime>, now: OffsetDateTime) -> LoginGate {
        match locked_until {
            Some(until) if until > now => LoginGate::LockedUntil(until),
            _ => LoginGate::Open,
        }
    }

    /// The failure count after one more failure, given the previous count and when the last
    /// failure happened.
    pub fn count_failure(&self, previous: u32, last_failure: Option<OffsetDateTime>, now: OffsetDateTime) -> u32 {
        match last_failure {
            Some(at) if now - at <= self.window => previous.saturating_add(1),
            _ => 1,
        }
    }

    /// When the account locks after reaching `failures`, if it does.
    pub fn lock_after(&self, failures: u32, now: OffsetDateTime) -> Option<OffsetDateTime> {
        (failures >= self.max_failures).then(|| now + self.lock_for)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn locks_on_the_fifth_failure_within_the_window() {
        let p = LockoutPolicy::default();
        let t0 = datetime!(2026-01-01 10:00 UTC);
        let mut count = 0;
        let mut last = None;
        for i in 0..5 {
            let now = t0 + Duration::minutes(i);
            count = p.count_failure(count, last, now);
            last = Some(now);
        }
        assert_eq!(count, 5);
        let until = p.lock_after(count, t0 + Duration::minutes(4)).unwrap();
        assert_eq!(p.gate(Some(until), t0 + Duration::minutes(10)), LoginGate::LockedUntil(until));
        assert_eq!(p.gate(Some(until), until + Duration::seconds(1)), LoginGate::Open);
    }

    #[test]
    fn old_failures_are_forgotten() {
        let p = LockoutPolicy::default();
        let t0 = datetime!(2026-01-01 10:00 UTC);
        assert_eq!(p.count_failure(4, Some(t0), t0 + Duration::minutes(16)), 1);
        assert_eq!(p.lock_after(4, t0), None);
    }
}
