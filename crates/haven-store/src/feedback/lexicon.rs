//! The keyword screen's lexicon as the operation keeps it: the shipped one until a protection
//! officer or PSEA focal point saves their own (a setting, audited like every setting), and
//! back to the shipped one on request. Intake reads it on every submission, so the parsed
//! lexicon is kept beside the settings it came from and parsed again only when they change.

use std::sync::Arc;

use haven_core::feedback::{Lexicon, LexiconError};

use crate::identity::Actor;
use crate::{Store, StoreError, settings};

/// The setting that holds an edited lexicon (absent: the shipped one).
pub const LEXICON: &str = "feedback.lexicon";

/// A parsed lexicon and the settings it was read from.
pub(crate) struct Parsed {
    settings: Arc<[(String, String)]>,
    lexicon: Arc<Lexicon>,
}

/// The edited text, if any.
fn edited(all: &[(String, String)]) -> Option<&str> {
    all.iter().find(|(k, _)| k == LEXICON).map(|(_, v)| v.as_str())
}

/// The lexicon intake screens with.
pub async fn current(store: &Store) -> Result<Arc<Lexicon>, StoreError> {
    let all = settings::all(store).await?;
    let Ok(mut kept) = store.recent.lexicon.lock() else {
        return Ok(Arc::new(parse_or_shipped(edited(&all))));
    };
    if let Some(parsed) = kept.as_mut()
        && (Arc::ptr_eq(&parsed.settings, &all) || edited(&parsed.settings) == edited(&all))
    {
        // The same settings, or read again with the same lexicon: no need to parse it again.
        parsed.settings = all;
        return Ok(parsed.lexicon.clone());
    }
    let lexicon = Arc::new(parse_or_shipped(edited(&all)));
    *kept = Some(Parsed { settings: all, lexicon: lexicon.clone() });
    Ok(lexicon)
}

/// A saved text is checked before it is saved; one that no longer parses (edited in the
/// database by hand) gives way to the shipped lexicon, which only ever seals more.
fn parse_or_shipped(text: Option<&str>) -> Lexicon {
    match text.map(Lexicon::parse_for_use) {
        Some(Ok(lexicon)) => lexicon,
        Some(Err(e)) => {
            tracing::warn!(error = %e, "the saved keyword lexicon is unusable; the shipped one screens instead");
            Lexicon::builtin()
        }
        None => Lexicon::builtin(),
    }
}

/// The lexicon's text and whether it is the shipped one, with when it was last saved.
pub struct LexiconText {
    pub text: String,
    pub shipped: bool,
    pub saved_at: Option<time::OffsetDateTime>,
}

pub async fn text(store: &Store) -> Result<LexiconText, StoreError> {
    Ok(match settings::get_saved(store, LEXICON).await? {
        Some((text, saved_at)) => LexiconText { text, shipped: false, saved_at: Some(saved_at) },
        None => LexiconText { text: Lexicon::builtin_text().to_owned(), shipped: true, saved_at: None },
    })
}

/// Check and save a lexicon; returns its number of phrases, or what is wrong with it.
pub async fn save(store: &Store, actor: &Actor, text: &str) -> Result<Result<usize, LexiconError>, StoreError> {
    let lexicon = match Lexicon::parse_for_use(text) {
        Ok(lexicon) => lexicon,
        Err(e) => return Ok(Err(e)),
    };
    settings::set(store, actor, LEXICON, text).await?;
    Ok(Ok(lexicon.len()))
}

/// Screen with the shipped lexicon again.
pub async fn restore_shipped(store: &Store, actor: &Actor) -> Result<(), StoreError> {
    settings::remove(store, actor, LEXICON).await
}
