//! Blocking: which pairs are compared at all.
//!
//! Several rules each give every record a few keys; records sharing a key form a block. A
//! pair is visited once even when several rules (or several keys of one rule) put it
//! together: it belongs to the first rule, and the smallest key, that it shares. Keys are
//! built from transliteration-robust forms (variant groups, consonant skeletons), because
//! blocking on spellings is where other tools lose the pairs they never compare.
//!
//! Blocks are processed one at a time and pairs are never stored: a block larger than
//! `max_block` is compared by sorted neighbourhood (each record with the next `window`
//! records in birth-year order) instead of all against all.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::prepare::{Column, Dataset, MISSING};
use crate::schema::{FieldType, Schema};

/// A blocking rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Two of the person's name tokens, in any order (given and family swapped, a name in the
    /// wrong column).
    NamePair,
    /// One name token and the year of birth (± 1 when it comes from an age).
    NameYear,
    /// A given-name token and a token of a relative's name (mother, father).
    NameRelative,
    /// One name token and the place.
    NamePlace,
    Phone,
    Id,
    /// Date of birth and sex, for records whose names are missing or unreadable.
    BirthSex,
}

impl Rule {
    pub const DEFAULTS: [Rule; 7] =
        [Rule::NamePair, Rule::NameYear, Rule::NameRelative, Rule::NamePlace, Rule::Phone, Rule::Id, Rule::BirthSex];

    pub fn code(self) -> &'static str {
        match self {
            Rule::NamePair => "name-pair",
            Rule::NameYear => "name-year",
            Rule::NameRelative => "name-relative",
            Rule::NamePlace => "name-place",
            Rule::Phone => "phone",
            Rule::Id => "id",
            Rule::BirthSex => "birth-sex",
        }
    }
}

/// Where the person's own name is, and the other columns blocking uses.
#[derive(Debug, Clone, Default)]
struct Roles {
    person: Vec<usize>,
    given: Option<usize>,
    relatives: Vec<usize>,
    places: Vec<usize>,
    phones: Vec<usize>,
    ids: Vec<usize>,
    sex: Option<usize>,
}

impl Roles {
    fn of(schema: &Schema) -> Roles {
        let of_kind = |k: FieldType| {
            schema.fields.iter().enumerate().filter(|(_, f)| f.kind == k).map(|(i, _)| i).collect::<Vec<_>>()
        };
        let given = schema.position(FieldType::GivenName);
        let family = schema.position(FieldType::FamilyName);
        let full = of_kind(FieldType::FullName);
        let (person, relatives) = if given.is_some() || family.is_some() {
            (given.into_iter().chain(family).collect(), full)
        } else {
            // Without given/family columns the first whole-name column is the person's.
            (full.first().copied().into_iter().collect(), full.iter().skip(1).copied().collect())
        };
        Roles {
            person,
            given: given.or(family),
            relatives,
            places: of_kind(FieldType::Place),
            phones: of_kind(FieldType::Phone),
            ids: of_kind(FieldType::Id),
            sex: schema.position(FieldType::Sex),
        }
    }
}

/// Keys of every record under every rule, stored row by row (offsets into one array).
pub struct Blocking {
    pub rules: Vec<Rule>,
    keys: Vec<RuleKeys>,
    /// The blocks of each rule, grouped once: training and scoring both walk them.
    blocks: Vec<Vec<Block>>,
    pub max_block: usize,
    pub window: usize,
}

struct RuleKeys {
    offsets: Vec<u32>,
    keys: Vec<u64>,
    /// Keys whose block was too large to compare all against all.
    oversized: HashSet<u64>,
    /// Pairs the blocks hold, counting a pair once per key it shares.
    estimated_pairs: u64,
}

impl RuleKeys {
    fn of(&self, record: usize) -> &[u64] {
        &self.keys[self.offsets[record] as usize..self.offsets[record + 1] as usize]
    }
}

/// Statistics of one blocking pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockStats {
    pub rule: String,
    pub blocks: usize,
    pub oversized_blocks: usize,
    pub pairs: u64,
}

impl Blocking {
    pub fn new(ds: &Dataset, schema: &Schema, rules: &[Rule], max_block: usize, window: usize) -> Blocking {
        let roles = Roles::of(schema);
        let keys: Vec<RuleKeys> = rules.iter().map(|r| rule_keys(ds, &roles, *r, max_block, window)).collect();
        let blocks = keys.iter().map(blocks_of).collect();
        Blocking { rules: rules.to_vec(), keys, blocks, max_block, window }
    }

    /// Whether a pair shares a key of an earlier rule (so it was visited there), or a
    /// smaller key of this rule.
    fn visited_before(&self, rule: usize, key: u64, a: usize, b: usize) -> bool {
        for r in 0..rule {
            if shares_key(&self.keys[r], a, b, u64::MAX) {
                return true;
            }
        }
        shares_key(&self.keys[rule], a, b, key)
    }

    /// Visits every candidate pair once, in parallel. `blocks_kept` samples blocks (for
    /// training); `keep` decides which pairs count (e.g. only pairs across two files);
    /// `visit` folds a pair into per-thread state. Returns the states, or `None` when
    /// cancelled.
    #[allow(clippy::too_many_arguments)] // each is one concern of the walk; a struct would only rename them
    pub fn visit<S, K, V, I>(
        &self,
        ds: &Dataset,
        blocks_kept: &(dyn Fn(u64) -> bool + Sync),
        keep: &K,
        init: &I,
        visit: &V,
        progress: &(dyn Fn(usize, usize) + Sync),
        cancel: &AtomicBool,
    ) -> Option<(Vec<S>, Vec<BlockStats>)>
    where
        S: Send,
        K: Fn(usize, usize) -> bool + Sync,
        I: Fn() -> S + Sync,
        V: Fn(&mut S, usize, usize) + Sync,
    {
        let mut states = Vec::new();
        let mut stats = Vec::new();
        let done = AtomicUsize::new(0);
        let total_rules = self.rules.len();
        for (r, rule) in self.rules.iter().enumerate() {
            let blocks: Vec<&Block> = self.blocks[r].iter().filter(|b| blocks_kept(b.key)).collect();
            let stat = BlockStats {
                rule: rule.code().into(),
                blocks: blocks.len(),
                oversized_blocks: blocks.iter().filter(|b| b.members.len() > self.max_block).count(),
                pairs: 0,
            };
            let total = blocks.len();
            let pairs = AtomicUsize::new(0);
            let rule_states: Vec<S> = blocks
                .par_iter()
                .fold(init, |mut state, block| {
                    if cancel.load(Ordering::Relaxed) {
                        return state;
                    }
                    let n = self.visit_block(ds, r, block, keep, &mut state, visit);
                    pairs.fetch_add(n, Ordering::Relaxed);
                    let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if d.is_multiple_of(4096) {
                        progress(r * 1000 + (d * 1000 / total.max(1)).min(999), total_rules * 1000);
                    }
                    state
                })
                .collect();
            done.store(0, Ordering::Relaxed);
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            states.extend(rule_states);
            stats.push(BlockStats { pairs: pairs.load(Ordering::Relaxed) as u64, ..stat });
            progress((r + 1) * 1000, total_rules * 1000);
        }
        Some((states, stats))
    }

    fn visit_block<S, K, V>(&self, ds: &Dataset, r: usize, block: &Block, keep: &K, state: &mut S, visit: &V) -> usize
    where
        K: Fn(usize, usize) -> bool,
        V: Fn(&mut S, usize, usize),
    {
        let members = &block.members;
        let mut n = 0;
        let mut consider = |a: usize, b: usize| {
            let (a, b) = if a < b { (a, b) } else { (b, a) };
            if keep(a, b) && !self.visited_before(r, block.key, a, b) {
                visit(state, a, b);
                n += 1;
            }
        };
        if members.len() <= self.max_block {
            for (i, &a) in members.iter().enumerate() {
                for &b in &members[i + 1..] {
                    consider(a as usize, b as usize);
                }
            }
        } else {
            let mut sorted = members.clone();
            sorted.sort_by_key(|&m| (ds.birth[m as usize].year, m));
            for (i, &a) in sorted.iter().enumerate() {
                for &b in sorted.iter().skip(i + 1).take(self.window) {
                    consider(a as usize, b as usize);
                }
            }
        }
        n
    }

    /// An upper bound of the candidate pairs, from the block sizes.
    pub fn estimated_pairs(&self) -> u64 {
        self.keys.iter().map(|k| k.estimated_pairs).sum()
    }

    /// How many of the given true pairs the rules put into a common block at all.
    pub fn reachable(&self, pairs: &[(usize, usize)]) -> usize {
        pairs.iter().filter(|(a, b)| self.keys.iter().any(|k| shares_key(k, *a, *b, u64::MAX))).count()
    }
}

/// Whether two records share a key below `below` that was compared all against all.
fn shares_key(keys: &RuleKeys, a: usize, b: usize, below: u64) -> bool {
    let (ka, kb) = (keys.of(a), keys.of(b));
    let (mut i, mut j) = (0, 0);
    while i < ka.len() && j < kb.len() {
        let (x, y) = (ka[i], kb[j]);
        if x >= below || y >= below {
            return false;
        }
        if x == y {
            if !keys.oversized.contains(&x) {
                return true;
            }
            i += 1;
            j += 1;
        } else if x < y {
            i += 1;
        } else {
            j += 1;
        }
    }
    false
}

struct Block {
    key: u64,
    members: Vec<u32>,
}

fn blocks_of(keys: &RuleKeys) -> Vec<Block> {
    let mut entries: Vec<(u64, u32)> = Vec::with_capacity(keys.keys.len());
    for record in 0..keys.offsets.len() - 1 {
        for &k in keys.of(record) {
            entries.push((k, record as u32));
        }
    }
    entries.par_sort_unstable();
    let mut blocks = Vec::new();
    let mut start = 0;
    while start < entries.len() {
        let key = entries[start].0;
        let mut end = start + 1;
        while end < entries.len() && entries[end].0 == key {
            end += 1;
        }
        if end - start > 1 {
            blocks.push(Block { key, members: entries[start..end].iter().map(|e| e.1).collect() });
        }
        start = end;
    }
    blocks
}

fn rule_keys(ds: &Dataset, roles: &Roles, rule: Rule, max_block: usize, window: usize) -> RuleKeys {
    let per_record: Vec<Vec<u64>> = (0..ds.len)
        .into_par_iter()
        .map(|i| {
            let mut keys = record_keys(ds, roles, rule, i);
            keys.sort_unstable();
            keys.dedup();
            keys
        })
        .collect();
    let mut offsets = Vec::with_capacity(ds.len + 1);
    let mut flat = Vec::new();
    offsets.push(0u32);
    for keys in per_record {
        flat.extend(keys);
        offsets.push(flat.len() as u32);
    }
    let mut sizes: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    for k in &flat {
        *sizes.entry(*k).or_default() += 1;
    }
    let estimated_pairs =
        sizes.values().map(|&n| if n > max_block { (n * window) as u64 } else { (n * (n - 1) / 2) as u64 }).sum();
    let oversized = sizes.into_iter().filter(|(_, n)| *n > max_block).map(|(k, _)| k).collect();
    RuleKeys { offsets, keys: flat, oversized, estimated_pairs }
}

fn record_keys(ds: &Dataset, roles: &Roles, rule: Rule, i: usize) -> Vec<u64> {
    let tag = rule as u64;
    match rule {
        Rule::NamePair => {
            let t = token_keys(ds, &roles.person, i);
            let mut keys = Vec::new();
            for (x, a) in t.iter().enumerate() {
                for b in &t[x + 1..] {
                    if a != b {
                        keys.push(key(&(tag, a.min(b), a.max(b))));
                    }
                }
            }
            keys
        }
        Rule::NameYear => {
            let b = ds.birth[i];
            if !b.is_known() {
                return Vec::new();
            }
            let years: &[i16] = if b.estimated { &[-1, 0, 1] } else { &[0] };
            let t = token_keys(ds, &roles.person, i);
            t.iter().flat_map(|k| years.iter().map(move |d| key(&(tag, *k, b.year + d)))).collect()
        }
        Rule::NameRelative => {
            let given = token_keys(ds, &roles.given.into_iter().collect::<Vec<_>>(), i);
            let mut keys = Vec::new();
            for (n, rel) in roles.relatives.iter().enumerate() {
                for r in token_keys(ds, &[*rel], i) {
                    for g in &given {
                        keys.push(key(&(tag, n, *g, r)));
                    }
                }
            }
            keys
        }
        Rule::NamePlace => {
            let t = token_keys(ds, &roles.person, i);
            let places: Vec<u64> = roles
                .places
                .iter()
                .filter_map(|p| match &ds.columns[*p] {
                    Some(Column::Tokens(v)) if v[i] != MISSING => Some(ds.sets[v[i] as usize].variant_key),
                    _ => None,
                })
                .collect();
            t.iter().flat_map(|k| places.iter().map(move |p| key(&(tag, *k, *p)))).collect()
        }
        Rule::Phone => roles
            .phones
            .iter()
            .filter_map(|p| match &ds.columns[*p] {
                Some(Column::Phone(v)) if v[i] != 0 => Some(key(&(tag, v[i]))),
                _ => None,
            })
            .collect(),
        Rule::Id => roles
            .ids
            .iter()
            .filter_map(|p| match &ds.columns[*p] {
                Some(Column::Str(v)) if v[i] != MISSING => Some(key(&(tag, *p, v[i]))),
                _ => None,
            })
            .collect(),
        Rule::BirthSex => {
            let b = ds.birth[i];
            if !b.is_full() || !token_keys(ds, &roles.person, i).is_empty() {
                return Vec::new();
            }
            let sex = roles.sex.and_then(|s| match &ds.columns[s] {
                Some(Column::Sex(v)) => Some(v[i]),
                _ => None,
            });
            vec![key(&(tag, b, sex))]
        }
    }
}

/// Blocking keys of a record's name tokens in some columns: the variant group when the
/// token has one, else its consonant skeleton, else (a very short skeleton) the token.
fn token_keys(ds: &Dataset, fields: &[usize], i: usize) -> Vec<u64> {
    let mut out = Vec::new();
    for f in fields {
        let Some(Column::Tokens(v)) = &ds.columns[*f] else { continue };
        if v[i] == MISSING {
            continue;
        }
        for &t in ds.sets[v[i] as usize].tokens.iter() {
            let info = &ds.tokens[t as usize];
            let k = match info.group {
                Some(g) => (1u64 << 40) | g as u64,
                None if info.skeleton_len >= 2 => (2u64 << 40) | info.skeleton as u64,
                None => (3u64 << 40) | t as u64,
            };
            if !out.contains(&k) {
                out.push(k);
            }
        }
    }
    out
}

fn key<T: Hash>(parts: &T) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    parts.hash(&mut h);
    // u64::MAX is the "no bound" marker of `shares_key`.
    h.finish().min(u64::MAX - 1)
}
