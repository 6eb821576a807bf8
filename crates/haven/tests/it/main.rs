#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Haven's integration suite: one test binary (link time), modules by capability.
//! Each test runs on SQLite, and on PostgreSQL when HAVEN_TEST_DATABASE_URL is set.

mod support;

mod api;
mod audit_chain;
mod audits;
mod authz_matrix;
mod browser;
mod cli;
mod crypto_at_rest;
mod evidence;
mod feedback;
mod feedback_export;
mod feedback_links;
mod feedback_ops;
mod feedback_outbound;
mod feedback_sealed;
mod helpdesk;
mod identity;
mod indicators;
mod lexicon;
mod matching;
mod participation;
mod projects;
mod rounds;
