use time::{Duration, OffsetDateTime};

/// How long a browser session lives: it ends after `idle` without a request, and in any case
/// `absolute` after sign-in.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy { idle: Duration::minutes(30), absolute: Duration::hours(12) }
    }
}

impl SessionPolicy {
    pub fn is_live(&self, created: OffsetDateTime, last_seen: OffsetDateTime, now: OffsetDateTime) -> bool {
        now - last_seen < self.idle && now - created < self.absolute
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    #[test]
    fn idle_and_absolute_limits() {
        let p = SessionPolicy::default();
        let t0 = datetime!(2026-01-01 08:00 UTC);
        assert!(p.is_live(t0, t0 + Duration::minutes(20), t0 + Duration::minutes(49)));
        assert!(!p.is_live(t0, t0, t0 + Duration::minutes(30)));
        assert!(!p.is_live(t0, t0 + Duration::hours(12), t0 + Duration::hours(12) + Duration::minutes(1)));
    }

    proptest! {
        #[test]
        fn never_live_past_the_absolute_limit(idle_s in 0i64..100_000, seen_s in 0i64..100_000) {
            let p = SessionPolicy::default();
            let t0 = datetime!(2026-01-01 08:00 UTC);
            let last_seen = t0 + Duration::seconds(seen_s);
            let now = last_seen + Duration::seconds(idle_s);
            if now - t0 >= p.absolute { prop_assert!(!p.is_live(t0, last_seen, now)); }
        }
    }
}
