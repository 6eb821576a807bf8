//! Reads kept for a moment: what every request would otherwise fetch again (the settings,
//! who a token acts for). A change made through this process drops them at once
//! ([`Recent::forget`]); a change made by another process (the command line, a second
//! server on the same PostgreSQL) is seen within [`KEPT_FOR`].

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a read is kept: the most a change made by another process waits to apply.
pub const KEPT_FOR: Duration = Duration::from_secs(2);

/// Kept entries beyond which expired ones are swept on the next insert.
const SWEEP_ABOVE: usize = 1_024;

/// Values read from the database, each kept until its deadline or until [`Recent::forget`].
pub struct Recent<K, V> {
    inner: Mutex<Kept<K, V>>,
}

struct Kept<K, V> {
    /// Bumped by every [`Recent::forget`]: a read that began before it is not kept.
    generation: u64,
    entries: HashMap<K, (Instant, V)>,
}

/// Where a read began, to keep its result only if nothing was forgotten meanwhile.
#[derive(Debug, Clone, Copy)]
pub struct ReadStart(u64);

impl<K: Eq + Hash, V: Clone> Default for Recent<K, V> {
    fn default() -> Self {
        Recent { inner: Mutex::new(Kept { generation: 0, entries: HashMap::new() }) }
    }
}

impl<K: Eq + Hash, V: Clone> Recent<K, V> {
    /// The kept value, if it has not expired.
    pub fn get(&self, key: &K) -> Option<V> {
        let kept = self.inner.lock().ok()?;
        kept.entries.get(key).filter(|(until, _)| Instant::now() < *until).map(|(_, v)| v.clone())
    }

    /// Call before reading the database for a value to [`Recent::keep`].
    pub fn start_read(&self) -> ReadStart {
        ReadStart(self.inner.lock().map(|k| k.generation).unwrap_or(u64::MAX))
    }

    /// Keep `value` until `until` (at most [`KEPT_FOR`] from now), unless something was
    /// forgotten since `start`: that read may predate the change.
    pub fn keep(&self, start: ReadStart, key: K, value: V, until: Instant) {
        let Ok(mut kept) = self.inner.lock() else { return };
        if kept.generation != start.0 {
            return;
        }
        let now = Instant::now();
        if kept.entries.len() >= SWEEP_ABOVE {
            kept.entries.retain(|_, (until, _)| now < *until);
        }
        kept.entries.insert(key, (until.min(now + KEPT_FOR), value));
    }

    /// The kept value of `key`, else what `read` finds, kept for [`KEPT_FOR`] when found
    /// (what is not found is not kept: unknown keys sent by anyone take no memory).
    pub async fn kept_or_read<E, Fut>(&self, key: K, read: impl FnOnce() -> Fut) -> Result<Option<V>, E>
    where
        Fut: Future<Output = Result<Option<V>, E>>,
    {
        if let Some(kept) = self.get(&key) {
            return Ok(Some(kept));
        }
        let start = self.start_read();
        let found = read().await?;
        if let Some(value) = &found {
            self.keep(start, key, value.clone(), Instant::now() + KEPT_FOR);
        }
        Ok(found)
    }

    /// Drop everything kept, and refuse what reads in flight would keep.
    pub fn forget(&self) {
        if let Ok(mut kept) = self.inner.lock() {
            kept.generation += 1;
            kept.entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_a_value_until_its_deadline() {
        let recent = Recent::<u8, &str>::default();
        let start = recent.start_read();
        recent.keep(start, 1, "one", Instant::now() + Duration::from_secs(60));
        assert_eq!(recent.get(&1), Some("one"));
        let start = recent.start_read();
        recent.keep(start, 2, "two", Instant::now());
        assert_eq!(recent.get(&2), None, "expired at once");
    }

    #[test]
    fn never_keeps_longer_than_kept_for() {
        let recent = Recent::<u8, &str>::default();
        recent.keep(recent.start_read(), 1, "one", Instant::now() + Duration::from_secs(3600));
        let kept = recent.inner.lock().unwrap();
        assert!(kept.entries[&1].0 <= Instant::now() + KEPT_FOR);
    }

    #[test]
    fn forgetting_drops_values_and_refuses_reads_that_began_before() {
        let recent = Recent::<u8, &str>::default();
        let later = Instant::now() + Duration::from_secs(60);
        recent.keep(recent.start_read(), 1, "one", later);
        let in_flight = recent.start_read();
        recent.forget();
        assert_eq!(recent.get(&1), None);
        recent.keep(in_flight, 1, "stale", later);
        assert_eq!(recent.get(&1), None, "a read from before the change is not kept");
        recent.keep(recent.start_read(), 1, "fresh", later);
        assert_eq!(recent.get(&1), Some("fresh"));
    }
}
