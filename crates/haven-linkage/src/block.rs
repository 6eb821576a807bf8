//! Blocking: which pairs are compared at all.
//!
//! Every name token of the person (its variant group, or the group or skeleton a spelling the
//! table does not know belongs to) is a block of its own, so that transliterations, swapped
//! and missing tokens still meet. A block too large to compare all against all (a common
//! name) is split into sub-blocks by a second detail: another name token, the birth year
//! (with its neighbour), a parent's name token, the place; a sub-block still too large is
//! split once more by the birth year and a third detail. Phone, identifier and (for records
//! without a name) birth date and sex are blocks of their own.
//!
//! A pair is visited once even when several blocks hold it: in the first block (first rule,
//! smallest key) of those both records hold, decided from the two records' key lists, which
//! are sorted so that this is a merge of two short lists. Blocks are processed one at a time
//! and pairs are never stored. The last level's blocks still too large are compared by sorted
//! neighbourhood (each record with the next `window` records in birth order).

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::prepare::{Column, Dataset, MISSING};
use crate::schema::{FieldType, Schema};

/// A blocking rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// One of the person's name tokens (given and family names, in any column and order).
    Name,
    /// Splits a large name block: two name tokens.
    NamePair,
    /// Splits a large name block: the year of birth (± 1; ± 2 when it comes from an age).
    NameYear,
    /// Splits a large name block: a token of a relative's name (mother, father).
    NameRelative,
    /// Splits a large name block: the place.
    NamePlace,
    /// Splits large name-pair and name-year blocks: two name tokens and the year.
    NamePairYear,
    /// Splits large name-year and name-relative blocks: a name token, the year and a
    /// relative's name token.
    NameYearRelative,
    /// Splits large name-year and name-place blocks.
    NameYearPlace,
    Phone,
    Id,
    /// Date of birth and sex, for records whose names are missing or unreadable.
    BirthSex,
}

impl Rule {
    pub const DEFAULTS: [Rule; 11] = [
        Rule::Name,
        Rule::NamePair,
        Rule::NameYear,
        Rule::NameRelative,
        Rule::NamePlace,
        Rule::NamePairYear,
        Rule::NameYearRelative,
        Rule::NameYearPlace,
        Rule::Phone,
        Rule::Id,
        Rule::BirthSex,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Rule::Name => "name",
            Rule::NamePair => "name-pair",
            Rule::NameYear => "name-year",
            Rule::NameRelative => "name-relative",
            Rule::NamePlace => "name-place",
            Rule::NamePairYear => "name-pair-year",
            Rule::NameYearRelative => "name-year-relative",
            Rule::NameYearPlace => "name-year-place",
            Rule::Phone => "phone",
            Rule::Id => "id",
            Rule::BirthSex => "birth-sex",
        }
    }

    /// How deep in the splitting the rule is: 1 for whole blocks, 2 and 3 for sub-blocks.
    fn level(self) -> u8 {
        match self {
            Rule::NamePair | Rule::NameYear | Rule::NameRelative | Rule::NamePlace => 2,
            Rule::NamePairYear | Rule::NameYearRelative | Rule::NameYearPlace => 3,
            _ => 1,
        }
    }
}

/// Where the person's own name is, and the other columns blocking uses.
#[derive(Debug, Clone, Default)]
struct Roles {
    person: Vec<usize>,
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
            relatives,
            places: of_kind(FieldType::Place),
            phones: of_kind(FieldType::Phone),
            ids: of_kind(FieldType::Id),
            sex: schema.position(FieldType::Sex),
        }
    }
}

/// The details of one record that keys are made of, computed once per pass.
struct Facets {
    names: Vec<u64>,
    years: Vec<i16>,
    relatives: Vec<u64>,
    places: Vec<u64>,
}

impl Facets {
    fn of(ds: &Dataset, roles: &Roles, i: usize) -> Facets {
        let b = ds.birth[i];
        // Band keys: a record of year y holds y and y + 1, so two records a year apart share
        // one; an age is uncertain by a year more.
        let years = match (b.is_known(), b.estimated) {
            (false, _) => Vec::new(),
            (true, false) => vec![b.year, b.year + 1],
            (true, true) => vec![b.year - 1, b.year, b.year + 1, b.year + 2],
        };
        let places = roles
            .places
            .iter()
            .filter_map(|p| match &ds.columns[*p] {
                Some(Column::Tokens(v)) if v[i] != MISSING => Some(ds.sets[v[i] as usize].variant_key),
                _ => None,
            })
            .collect();
        Facets {
            names: token_keys(ds, &roles.person, i),
            years,
            relatives: token_keys(ds, &roles.relatives, i),
            places,
        }
    }
}

/// Keys of every record (sorted, only blocks compared all against all), the blocks, and the
/// blocks compared by sorted neighbourhood.
pub struct Blocking {
    pub rules: Vec<Rule>,
    offsets: Vec<u64>,
    keys: Vec<u64>,
    blocks: Vec<Block>,
    members: Vec<u32>,
    pub max_block: usize,
    pub window: usize,
}

#[derive(Clone, Copy)]
struct Block {
    key: u64,
    start: u32,
    len: u32,
    /// Too large to compare all against all: compared by sorted neighbourhood.
    oversized: bool,
}

/// Statistics of one blocking pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockStats {
    pub rule: String,
    pub blocks: usize,
    pub oversized_blocks: usize,
    pub pairs: u64,
}

/// Keys of the levels above whose blocks were too large, so they are split.
#[derive(Default)]
struct Split {
    level1: HashSet<u64>,
    level2: HashSet<u64>,
}

/// Makes the blocking keys of a record, down to a given level of splitting.
struct KeyMaker<'a> {
    ds: &'a Dataset,
    roles: &'a Roles,
    rules: &'a [Rule],
}

impl KeyMaker<'_> {
    /// A rule's keys carry its position in their top bits: sorting keys sorts by rule first.
    fn key<T: Hash>(&self, rule: Rule, parts: &T) -> Option<u64> {
        let position = self.rules.iter().position(|r| *r == rule)? as u64;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        parts.hash(&mut h);
        Some((position << 59) | (h.finish() >> 5))
    }

    fn enabled(&self, rule: Rule) -> bool {
        self.rules.contains(&rule)
    }

    /// Whether a name block is split: it was too large, or there is no whole-name rule.
    fn split1(&self, split: &Split, name: u64) -> bool {
        self.key(Rule::Name, &name).is_none_or(|k| split.level1.contains(&k))
    }

    fn split2<T: Hash>(&self, split: &Split, rule: Rule, parts: &T) -> bool {
        self.key(rule, parts).is_none_or(|k| split.level2.contains(&k))
    }

    fn keys(&self, i: usize, deepest: u8, split: &Split) -> Vec<u64> {
        let f = Facets::of(self.ds, self.roles, i);
        let mut out = Vec::new();
        let mut push = |k: Option<u64>| out.extend(k);
        for &n in &f.names {
            push(self.key(Rule::Name, &n));
        }
        self.singles(i, &f, &mut push);
        if deepest < 2 {
            return out;
        }
        let split_names: Vec<u64> = f.names.iter().copied().filter(|n| self.split1(split, *n)).collect();
        for &n in &split_names {
            // A pair with a name whose block is small already meets in that block.
            for &m in split_names.iter().filter(|m| **m > n) {
                push(self.key(Rule::NamePair, &(n, m)));
            }
            for &y in &f.years {
                push(self.key(Rule::NameYear, &(n, y)));
            }
            for &r in f.relatives.iter().filter(|r| **r != n) {
                push(self.key(Rule::NameRelative, &(n, r)));
            }
            for &p in &f.places {
                push(self.key(Rule::NamePlace, &(n, p)));
            }
        }
        if deepest < 3 {
            return out;
        }
        // A third detail only where every block of two of its details was too large: any
        // smaller one already holds the pairs that share all three.
        for &n in &split_names {
            for &y in &f.years {
                if !self.split2(split, Rule::NameYear, &(n, y)) {
                    continue;
                }
                for &m in split_names.iter().filter(|m| **m > n) {
                    let pair = (n, m);
                    if self.split2(split, Rule::NamePair, &pair) && self.split2(split, Rule::NameYear, &(m, y)) {
                        push(self.key(Rule::NamePairYear, &(pair, y)));
                    }
                }
                for &r in f.relatives.iter().filter(|r| **r != n) {
                    if self.split2(split, Rule::NameRelative, &(n, r)) {
                        push(self.key(Rule::NameYearRelative, &(n, y, r)));
                    }
                }
                for &p in &f.places {
                    if self.split2(split, Rule::NamePlace, &(n, p)) {
                        push(self.key(Rule::NameYearPlace, &(n, y, p)));
                    }
                }
            }
        }
        out
    }

    /// Keys of the rules that stand alone: phone, identifier, birth and sex.
    fn singles(&self, i: usize, f: &Facets, push: &mut impl FnMut(Option<u64>)) {
        let ds = self.ds;
        for p in &self.roles.phones {
            if let Some(Column::Phone(v)) = &ds.columns[*p]
                && v[i] != 0
            {
                push(self.key(Rule::Phone, &v[i]));
            }
        }
        for p in &self.roles.ids {
            if let Some(Column::Str(v)) = &ds.columns[*p]
                && v[i] != MISSING
            {
                push(self.key(Rule::Id, &(*p, v[i])));
            }
        }
        let b = ds.birth[i];
        if b.is_full() && f.names.is_empty() && self.enabled(Rule::BirthSex) {
            let sex = self.roles.sex.and_then(|s| match &ds.columns[s] {
                Some(Column::Sex(v)) => Some(v[i]),
                _ => None,
            });
            push(self.key(Rule::BirthSex, &(b, sex)));
        }
    }
}

impl Blocking {
    pub fn new(ds: &Dataset, schema: &Schema, rules: &[Rule], max_block: usize, window: usize) -> Blocking {
        let roles = Roles::of(schema);
        let maker = KeyMaker { ds, roles: &roles, rules };
        let level_of = |k: u64| rules[(k >> 59) as usize].level();
        // Which blocks of levels 1 and 2 are too large, one level at a time.
        let mut split = Split::default();
        for level in 1..=2u8 {
            let mut keys: Vec<u64> = (0..ds.len)
                .into_par_iter()
                .flat_map_iter(|i| {
                    let mut k = maker.keys(i, level, &split);
                    k.retain(|k| level_of(*k) == level);
                    k.sort_unstable();
                    k.dedup();
                    k
                })
                .collect();
            keys.par_sort_unstable();
            let large = runs(&keys).filter(|(_, n)| *n > max_block).map(|(k, _)| k).collect();
            if level == 1 {
                split.level1 = large;
            } else {
                split.level2 = large;
            }
        }
        // Every record's keys, without the blocks that were split.
        let refined = |k: u64| match level_of(k) {
            1 => {
                rules[(k >> 59) as usize] == Rule::Name
                    && split.level1.contains(&k)
                    && rules.iter().any(|r| r.level() == 2)
            }
            2 => split.level2.contains(&k) && rules.iter().any(|r| r.level() == 3),
            _ => false,
        };
        let per_record: Vec<Vec<u64>> = (0..ds.len)
            .into_par_iter()
            .map(|i| {
                let mut k = maker.keys(i, 3, &split);
                k.retain(|k| !refined(*k));
                k.sort_unstable();
                k.dedup();
                k
            })
            .collect();
        drop(split);
        let mut entries: Vec<(u64, u32)> =
            per_record.par_iter().enumerate().flat_map_iter(|(i, ks)| ks.iter().map(move |k| (*k, i as u32))).collect();
        entries.par_sort_unstable();
        let mut blocks = Vec::new();
        let mut members = Vec::with_capacity(entries.len());
        let mut small: HashSet<u64> = HashSet::new();
        let mut start = 0;
        while start < entries.len() {
            let key = entries[start].0;
            let end = start + entries[start..].iter().take_while(|e| e.0 == key).count();
            let len = end - start;
            if len > 1 {
                blocks.push(Block { key, start: members.len() as u32, len: len as u32, oversized: len > max_block });
                members.extend(entries[start..end].iter().map(|e| e.1));
                if len <= max_block {
                    small.insert(key);
                }
            }
            start = end;
        }
        drop(entries);
        // A record keeps only the keys of blocks compared all against all: the first-block
        // test and the reach of the rules need no others.
        let mut offsets = Vec::with_capacity(ds.len + 1);
        let mut keys = Vec::new();
        offsets.push(0u64);
        for ks in per_record {
            keys.extend(ks.into_iter().filter(|k| small.contains(k)));
            offsets.push(keys.len() as u64);
        }
        Blocking { rules: rules.to_vec(), offsets, keys, blocks, members, max_block, window }
    }

    fn keys_of(&self, record: usize) -> &[u64] {
        &self.keys[self.offsets[record] as usize..self.offsets[record + 1] as usize]
    }

    /// The first key (by rule, then value) of a block compared all against all that both
    /// records are in.
    fn first_shared(&self, a: usize, b: usize) -> Option<u64> {
        let (ka, kb) = (self.keys_of(a), self.keys_of(b));
        let (mut i, mut j) = (0, 0);
        while i < ka.len() && j < kb.len() {
            match ka[i].cmp(&kb[j]) {
                std::cmp::Ordering::Equal => return Some(ka[i]),
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
            }
        }
        None
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
        let blocks: Vec<&Block> = self.blocks.iter().filter(|b| blocks_kept(b.key)).collect();
        let mut stats: Vec<BlockStats> =
            self.rules.iter().map(|r| BlockStats { rule: r.code().into(), ..BlockStats::default() }).collect();
        for b in &blocks {
            let s = &mut stats[(b.key >> 59) as usize];
            s.blocks += 1;
            s.oversized_blocks += b.oversized as usize;
        }
        let pairs: Vec<AtomicU64> = self.rules.iter().map(|_| AtomicU64::new(0)).collect();
        let done = AtomicUsize::new(0);
        let total = blocks.len();
        let states: Vec<S> = blocks
            .par_iter()
            .fold(init, |mut state, block| {
                if cancel.load(Ordering::Relaxed) {
                    return state;
                }
                let n = self.visit_block(ds, block, keep, &mut state, visit);
                pairs[(block.key >> 59) as usize].fetch_add(n as u64, Ordering::Relaxed);
                let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                if d.is_multiple_of(16_384) {
                    progress(d, total);
                }
                state
            })
            .collect();
        if cancel.load(Ordering::Relaxed) {
            return None;
        }
        progress(total, total);
        for (s, p) in stats.iter_mut().zip(pairs) {
            s.pairs = p.into_inner();
        }
        Some((states, stats))
    }

    fn visit_block<S, K, V>(&self, ds: &Dataset, block: &Block, keep: &K, state: &mut S, visit: &V) -> usize
    where
        K: Fn(usize, usize) -> bool,
        V: Fn(&mut S, usize, usize),
    {
        let members = &self.members[block.start as usize..(block.start + block.len) as usize];
        let mut n = 0;
        if !block.oversized {
            for (i, &a) in members.iter().enumerate() {
                for &b in &members[i + 1..] {
                    let (a, b) = (a.min(b) as usize, a.max(b) as usize);
                    if keep(a, b) && self.first_shared(a, b) == Some(block.key) {
                        visit(state, a, b);
                        n += 1;
                    }
                }
            }
            return n;
        }
        let mut sorted = members.to_vec();
        sorted.sort_by_key(|&m| (ds.birth[m as usize].packed(), m));
        for (i, &a) in sorted.iter().enumerate() {
            for &b in sorted.iter().skip(i + 1).take(self.window) {
                let (a, b) = (a.min(b) as usize, a.max(b) as usize);
                // Pairs that share a block compared all against all are visited there.
                if keep(a, b) && self.first_shared(a, b).is_none() {
                    visit(state, a, b);
                    n += 1;
                }
            }
        }
        n
    }

    /// An upper bound of the candidate pairs, from the block sizes.
    pub fn estimated_pairs(&self) -> u64 {
        self.blocks
            .iter()
            .map(|b| {
                let n = b.len as u64;
                if b.oversized { n * self.window as u64 } else { n * (n - 1) / 2 }
            })
            .sum()
    }

    /// The given pairs (true pairs, when the truth is known) that the rules never put into a
    /// common block compared all against all.
    pub fn unreached(&self, pairs: &[(usize, usize)]) -> Vec<(usize, usize)> {
        pairs.iter().copied().filter(|(a, b)| self.first_shared(*a, *b).is_none()).collect()
    }
}

/// (key, count) of each run of equal keys in a sorted list.
fn runs(sorted: &[u64]) -> impl Iterator<Item = (u64, usize)> + '_ {
    sorted.chunk_by(|a, b| a == b).map(|run| (run[0], run.len()))
}

/// Blocking keys of a record's name tokens in some columns (see `TokenInfo::block`).
fn token_keys(ds: &Dataset, fields: &[usize], i: usize) -> Vec<u64> {
    let mut out = Vec::new();
    for f in fields {
        let Some(Column::Tokens(v)) = &ds.columns[*f] else { continue };
        if v[i] == MISSING {
            continue;
        }
        for &t in ds.sets[v[i] as usize].tokens.iter() {
            let k = ds.tokens[t as usize].block;
            if !out.contains(&k) {
                out.push(k);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::Preparer;
    use crate::schema::Record;
    use crate::variants::Variants;

    fn blocking(rows: &[[&str; 4]], max_block: usize) -> (Dataset, Blocking) {
        let schema = Schema::of(&[
            ("given", FieldType::GivenName),
            ("family", FieldType::FamilyName),
            ("father", FieldType::FullName),
            ("dob", FieldType::Date),
        ])
        .unwrap();
        let records: Vec<Record> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| Record::new(i.to_string(), r.iter().map(|v| (*v).to_owned()).collect()))
            .collect();
        let v = Variants::builtin();
        let ds = Preparer::new(&v, 2026).prepare(&schema, &records);
        let b = Blocking::new(&ds, &schema, &Rule::DEFAULTS, max_block, 2);
        (ds, b)
    }

    fn visited(ds: &Dataset, b: &Blocking) -> Vec<(usize, usize)> {
        let (states, _) = b
            .visit(
                ds,
                &|_| true,
                &|_, _| true,
                &Vec::new,
                &|s: &mut Vec<(usize, usize)>, a, b| s.push((a, b)),
                &|_, _| {},
                &AtomicBool::new(false),
            )
            .unwrap();
        let mut pairs: Vec<(usize, usize)> = states.into_iter().flatten().collect();
        pairs.sort_unstable();
        pairs
    }

    #[test]
    fn spellings_and_scripts_share_a_block_and_pairs_are_visited_once() {
        let rows = [
            ["Mariiem", "Hassen", "", "1990"],
            ["Maryam", "Hassen", "", "1990-01-01"],
            ["مريم", "حسن", "", "1990"],
            ["Zainab", "Omar", "", "1970"],
        ];
        let (ds, b) = blocking(&rows, 20);
        let pairs = visited(&ds, &b);
        let mut unique = pairs.clone();
        unique.dedup();
        assert_eq!(pairs, unique, "a pair in several blocks is visited once");
        for p in [(0, 1), (0, 2), (1, 2)] {
            assert!(pairs.contains(&p), "{p:?} in {pairs:?}");
        }
        assert!(b.unreached(&[(0, 1), (1, 2)]).is_empty());
        assert_eq!(b.unreached(&[(0, 3)]), vec![(0, 3)]);
    }

    #[test]
    fn a_large_name_block_is_split_by_year_and_keeps_its_pairs() {
        // Thirty people called Mohammed Ali, born over thirty years; one registered twice
        // with the year one off.
        let years: Vec<String> = (0..30).map(|y| format!("{}", 1960 + y)).collect();
        let mut rows: Vec<[&str; 4]> = years.iter().map(|y| ["Mohammed", "Ali", "", y.as_str()]).collect();
        rows.push(["Muhammad", "Aly", "", "1971"]);
        let (ds, b) = blocking(&rows, 5);
        let pairs = visited(&ds, &b);
        let last = rows.len() - 1;
        assert!(pairs.contains(&(10, last)) && pairs.contains(&(11, last)) && pairs.contains(&(12, last)));
        assert!(!pairs.contains(&(0, last)), "years apart are not compared once the block is split");
        assert!(pairs.len() < last * (last + 1) / 2 / 4, "{} pairs", pairs.len());
        let mut unique = pairs.clone();
        unique.dedup();
        assert_eq!(pairs, unique);
    }
}
