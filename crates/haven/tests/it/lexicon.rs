//! The keyword screen's lexicon, edited by the people who answer for sealed reports, over
//! real HTTP on both databases: a phrase they add seals the next message that contains it, a
//! bad draft is refused with its line and changes nothing, no kind of report can be left
//! without phrases, and other roles can neither read nor change it.

use serde_json::{Value, json};

use crate::feedback::{feedback_app, get, post, put, token};
use crate::support::*;

const CODED_PHRASE: &str = "blue envelope";

/// How many items an agent's list shows: sealed items are not among them.
async fn visible_to_agent(app: &TestApp, agent: &str) -> u64 {
    let (status, page) = get(app, agent, "/api/v1/feedback").await;
    assert_eq!(status, 200, "{page}");
    page["total"].as_u64().unwrap()
}

async fn submit(app: &TestApp, text: &str) -> Value {
    let (status, body) = post(app, None, "/api/v1/public/feedback", json!({"text": text, "channel": "web"})).await;
    assert_eq!(status, 201, "{body}");
    body
}

fn shipped_without(section: &str) -> String {
    let shipped = haven_core::feedback::Lexicon::builtin_text();
    shipped.split("\n[").filter(|s| !s.starts_with(&format!("{section}]"))).collect::<Vec<_>>().join("\n[")
}

#[tokio::test]
async fn a_phrase_added_by_a_focal_point_seals_the_next_message() {
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        let psea = token(&app, "psea", false).await;
        let agent = token(&app, "agent", false).await;

        let (status, shipped) = get(&app, &psea, "/api/v1/feedback/lexicon").await;
        assert_eq!(status, 200, "{shipped}");
        assert_eq!(shipped["shipped"], true);
        let shipped_phrases = shipped["phrases"].as_u64().unwrap();
        assert!(shipped_phrases > 100);

        // Before: the coded phrase means nothing to the screen.
        submit(&app, "The storekeeper wanted a blue envelope before the distribution").await;
        assert_eq!(visible_to_agent(&app, &agent).await, 1);

        let text = format!("{}\n[fraud]\nen: {CODED_PHRASE}\n", shipped["text"].as_str().unwrap());
        let (status, saved) = put(&app, &psea, "/api/v1/feedback/lexicon", json!({"text": text})).await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!(saved["phrases"].as_u64().unwrap(), shipped_phrases + 1);
        assert_eq!(saved["shipped"], false);

        // After: the same words seal the message; the agent no longer sees it.
        submit(&app, "Again the storekeeper wanted a BLUE ENVELOPE from my mother").await;
        assert_eq!(visible_to_agent(&app, &agent).await, 1, "{engine:?}: the new message is sealed");
        let (_, seen_by_psea) = get(&app, &token(&app, "psea", true).await, "/api/v1/feedback").await;
        assert_eq!(seen_by_psea["total"], 2, "{seen_by_psea}");

        // A bad draft is refused with its line, and the saved lexicon stays.
        let (status, refused) =
            put(&app, &psea, "/api/v1/feedback/lexicon", json!({"text": "[sea]\nen: rape\n[gossip]\nen: x\n"})).await;
        assert_eq!(status, 422, "{refused}");
        let problem = &refused["error"]["problems"][0];
        assert_eq!((problem["row"].as_u64(), problem["code"].as_str()), (Some(3), Some("lexicon-unknown-type")));
        let (status, refused) =
            put(&app, &psea, "/api/v1/feedback/lexicon", json!({"text": shipped_without("sea")})).await;
        assert_eq!(status, 422, "{refused}");
        let problem = &refused["error"]["problems"][0];
        assert_eq!((problem["field"].as_str(), problem["code"].as_str()), (Some("sea"), Some("lexicon-type-missing")));
        let (_, kept) = get(&app, &psea, "/api/v1/feedback/lexicon").await;
        assert!(kept["text"].as_str().unwrap().contains(CODED_PHRASE));

        // Agents and administrators can neither read nor change it; protection officers can.
        for (user, allowed) in [("agent", false), ("admin", false), ("protection", true)] {
            let t = token(&app, user, false).await;
            let (status, _) = get(&app, &t, "/api/v1/feedback/lexicon").await;
            assert_eq!(status, if allowed { 200 } else { 403 }, "{user}");
            if !allowed {
                let (status, _) = put(&app, &t, "/api/v1/feedback/lexicon", json!({"text": "[sea]\nen: x\n"})).await;
                assert_eq!(status, 403, "{user}");
            }
        }
        let changes = haven_store::audit::list(&app.store.pool, Some("settings.changed"), None, 100).await.unwrap();
        assert!(changes.iter().any(|e| e.entry.entity_id == "feedback.lexicon"), "saving is audited");
    }
}

#[tokio::test]
async fn the_page_tries_a_draft_without_saving_it_and_restores_the_shipped_lexicon() {
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        let c = signed_in(&app, "psea").await;
        let (status, page) = get_text(&c, &app.url("/feedback/lexicon")).await;
        assert_eq!(status, 200);
        assert!(page.contains("id=\"lexicon-text\""));
        let csrf = csrf_of(&app, &c).await;
        let draft = format!("{}\n[fraud]\nen: {CODED_PHRASE}\n", haven_core::feedback::Lexicon::builtin_text());

        let send = |path: &str, text: &str, sample: &str, action: &str| {
            let form = [("csrf", csrf.as_str()), ("text", text), ("sample", sample), ("action", action)];
            c.post(app.url(path)).form(&form).send()
        };

        // Trying shows what the draft finds, and saves nothing.
        let tried = send("/feedback/lexicon", &draft, "a Blue Envelope again", "try").await.unwrap();
        assert_eq!(tried.status().as_u16(), 200);
        let tried = tried.text().await.unwrap();
        let found = tried.split("id=\"lexicon-tried\"").nth(1).expect("the try's result");
        assert!(found.contains(CODED_PHRASE), "{found}");
        let psea = token(&app, "psea", false).await;
        let (_, current) = get(&app, &psea, "/api/v1/feedback/lexicon").await;
        assert_eq!(current["shipped"], true, "trying saved nothing");

        // A wrong line is shown with its number, in the page's language.
        let refused = send("/feedback/lexicon?lang=fr", "en: x\n", "", "save").await.unwrap();
        assert_eq!(refused.status().as_u16(), 422);
        // Fluent isolates the line number with Unicode marks: read the text without them.
        let refused: String = refused.text().await.unwrap().replace(['\u{2068}', '\u{2069}'], "");
        assert!(refused.contains("Ligne 1 : une expression précède toute [section]"), "{refused}");

        let saved = send("/feedback/lexicon", &draft, "", "save").await.unwrap();
        assert_eq!(saved.status().as_u16(), 303);
        let (_, current) = get(&app, &psea, "/api/v1/feedback/lexicon").await;
        assert_eq!(current["shipped"], false);

        let restored =
            c.post(app.url("/feedback/lexicon/restore")).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(restored.status().as_u16(), 303);
        let (_, current) = get(&app, &psea, "/api/v1/feedback/lexicon").await;
        assert_eq!(current["shipped"], true);
        assert!(!current["text"].as_str().unwrap().contains(CODED_PHRASE));
    }
}
