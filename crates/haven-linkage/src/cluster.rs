//! Clusters of duplicates: connected components of the pairs above the threshold, built
//! strongest pair first, with a guard against chains.
//!
//! Plain connected components join A and C when A~B and B~C, even when A and C are clearly
//! different people. The guard merges two groups only when enough of the pairs between them
//! are matches themselves (at least `min_density` of them); a merge refused for that reason
//! is counted, and a cluster whose members are not all directly matched is flagged for review.

use std::collections::HashMap;

/// A pair that scored above the threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredPair {
    pub a: u32,
    pub b: u32,
    pub weight: f32,
    pub probability: f32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clusters {
    /// Cluster number of each record; singletons have their own.
    pub cluster_of: Vec<u32>,
    /// Merges the chain guard refused.
    pub held_back: usize,
    /// Clusters with members that are linked only through others: worth a human look.
    pub flagged: Vec<u32>,
}

struct Groups {
    parent: Vec<u32>,
    members: Vec<Vec<u32>>,
}

impl Groups {
    fn find(&mut self, x: u32) -> u32 {
        let mut root = x;
        while self.parent[root as usize] != root {
            root = self.parent[root as usize];
        }
        let mut cur = x;
        while self.parent[cur as usize] != root {
            let next = self.parent[cur as usize];
            self.parent[cur as usize] = root;
            cur = next;
        }
        root
    }
}

/// Builds clusters. `max_size` bounds a cluster: a person registered more often than that is
/// far rarer than a crowd of namesakes who all resemble each other.
pub fn cluster(n: usize, pairs: &[ScoredPair], min_density: f64, max_size: usize) -> Clusters {
    let mut order: Vec<&ScoredPair> = pairs.iter().collect();
    order.sort_by(|x, y| y.weight.total_cmp(&x.weight).then(x.a.cmp(&y.a)).then(x.b.cmp(&y.b)));
    let mut linked: HashMap<u32, Vec<u32>> = HashMap::new();
    for p in pairs {
        linked.entry(p.a).or_default().push(p.b);
        linked.entry(p.b).or_default().push(p.a);
    }
    let mut groups = Groups { parent: (0..n as u32).collect(), members: (0..n as u32).map(|i| vec![i]).collect() };
    let mut held_back = 0;
    for p in order {
        let (ra, rb) = (groups.find(p.a), groups.find(p.b));
        if ra == rb {
            continue;
        }
        let (sa, sb) = (groups.members[ra as usize].len(), groups.members[rb as usize].len());
        if sa + sb > max_size {
            held_back += 1;
            continue;
        }
        if sa + sb > 2 {
            let (small, other) = if sa <= sb { (ra, rb) } else { (rb, ra) };
            let small_members = groups.members[small as usize].clone();
            let mut cross = 0usize;
            for x in small_members {
                for y in linked.get(&x).map(Vec::as_slice).unwrap_or(&[]) {
                    if groups.find(*y) == other {
                        cross += 1;
                    }
                }
            }
            if (cross as f64) < min_density * (sa * sb) as f64 {
                held_back += 1;
                continue;
            }
        }
        let (big, small) = if sa >= sb { (ra, rb) } else { (rb, ra) };
        groups.parent[small as usize] = big;
        let moved = std::mem::take(&mut groups.members[small as usize]);
        groups.members[big as usize].extend(moved);
    }
    let mut number: HashMap<u32, u32> = HashMap::new();
    let mut cluster_of = Vec::with_capacity(n);
    for i in 0..n as u32 {
        let root = groups.find(i);
        let next = number.len() as u32;
        cluster_of.push(*number.entry(root).or_insert(next));
    }
    let flagged = flag_chained(&groups, &linked, &number);
    Clusters { cluster_of, held_back, flagged }
}

fn flag_chained(groups: &Groups, linked: &HashMap<u32, Vec<u32>>, number: &HashMap<u32, u32>) -> Vec<u32> {
    let mut flagged: Vec<u32> = groups
        .members
        .iter()
        .enumerate()
        .filter(|(_, m)| m.len() > 2)
        .filter(|(_, m)| {
            m.iter().any(|x| {
                let direct = linked.get(x).map(Vec::as_slice).unwrap_or(&[]);
                m.iter().any(|y| y != x && !direct.contains(y))
            })
        })
        .filter_map(|(root, _)| number.get(&(root as u32)).copied())
        .collect();
    flagged.sort_unstable();
    flagged
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pair(a: u32, b: u32, weight: f32) -> ScoredPair {
        ScoredPair { a, b, weight, probability: 0.9 }
    }

    #[test]
    fn a_chain_is_not_one_cluster() {
        // 0-1-2-3-4-5-6-7: each linked only to its neighbours.
        let pairs: Vec<_> = (0..7).map(|i| pair(i, i + 1, 10.0 - i as f32 * 0.1)).collect();
        let c = cluster(8, &pairs, 0.5, 10);
        assert_ne!(c.cluster_of[0], c.cluster_of[7]);
        assert!(c.held_back > 0);
        let biggest = (0..8).map(|k| c.cluster_of.iter().filter(|x| **x == k).count()).max().unwrap();
        assert!(biggest <= 3);
    }

    #[test]
    fn a_crowd_of_look_alikes_is_cut_to_the_size_bound() {
        let mut pairs = Vec::new();
        for a in 0..30u32 {
            for b in a + 1..30 {
                pairs.push(pair(a, b, 5.0));
            }
        }
        let c = cluster(30, &pairs, 0.5, 10);
        let biggest = (0..30).map(|k| c.cluster_of.iter().filter(|x| **x == k).count()).max().unwrap();
        assert_eq!(biggest, 10);
        assert!(c.held_back > 0);
    }

    #[test]
    fn a_clique_is_one_cluster_and_not_flagged() {
        let pairs = vec![pair(0, 1, 9.0), pair(1, 2, 8.0), pair(0, 2, 7.0), pair(3, 4, 5.0)];
        let c = cluster(6, &pairs, 0.5, 10);
        assert_eq!(c.cluster_of[0], c.cluster_of[2]);
        assert_eq!(c.cluster_of[3], c.cluster_of[4]);
        assert_ne!(c.cluster_of[0], c.cluster_of[3]);
        assert_ne!(c.cluster_of[5], c.cluster_of[4]);
        assert!(c.flagged.is_empty());
        assert_eq!(c.held_back, 0);
    }

    proptest! {
        /// Any two records in one cluster without a direct match between them are in a
        /// flagged cluster: a weak chain never passes unnoticed.
        #[test]
        fn indirect_members_are_always_flagged(edges in proptest::collection::vec((0u32..12, 0u32..12, 0.0f32..20.0), 0..40)) {
            let pairs: Vec<ScoredPair> = edges.iter().filter(|(a, b, _)| a != b).map(|(a, b, w)| pair(*a, *b, *w)).collect();
            let c = cluster(12, &pairs, 0.5, 10);
            for x in 0..12u32 {
                for y in 0..12u32 {
                    if x == y || c.cluster_of[x as usize] != c.cluster_of[y as usize] {
                        continue;
                    }
                    let direct = pairs.iter().any(|p| (p.a, p.b) == (x, y) || (p.a, p.b) == (y, x));
                    prop_assert!(direct || c.flagged.contains(&c.cluster_of[x as usize]));
                }
            }
        }
    }
}
