//! Haven's record-linkage engine.
//!
//! Two jobs in protection work need it: family tracing (a tracing request must find a child
//! registered far away under another spelling) and de-duplication of registrations. Names
//! cross scripts and spellings, people know ages rather than birth dates, and given and family
//! names swap, so every stage here is built for that:
//!
//! `normalize` (folding, transliteration, skeletons, particles, variants) → `prepare`
//! (per-record features, interned) → `block` (several rules, pairs unioned without
//! duplicates) → `compare` (agreement levels per field) → `model` (Fellegi–Sunter, EM, term
//! frequencies) → `cluster` (connected components with a chain guard).
//!
//! Pure library: no I/O, no async. Parallel with rayon.

pub mod block;
pub mod cluster;
pub mod compare;
pub mod generate;
pub mod linker;
pub mod model;
pub mod normalize;
pub mod prepare;
pub mod schema;
pub mod variants;

pub use block::Rule;
pub use cluster::{Clusters, ScoredPair};
pub use linker::{Candidate, Control, Deduplication, LinkError, Linkage, Linker, Settings, Stage};
pub use model::{Contribution, Model};
pub use schema::{Field, FieldType, Record, Schema};
pub use variants::Variants;
