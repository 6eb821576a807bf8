//! Exports of many feedback items, read from the database a row at a time: the CSV streamed
//! (no length known in advance), the XLSX written row by row; every row there, in order.

use serde_json::json;

use crate::feedback::{feedback_app, post, token};
use crate::support::*;

/// Items received a minute apart, oldest first, each saying its number.
fn many_items(n: usize) -> Vec<haven_store::feedback::NewFeedback> {
    let start = haven_store::now_utc() - time::Duration::days(30);
    (0..n)
        .map(|i| {
            let raw = haven_core::feedback::RawSubmission {
                text: Some(format!("Message number {i} about the distribution, \"quoted\", with a comma")),
                channel: Some(if i % 2 == 0 { "sms" } else { "hotline" }.into()),
                location: Some("XY01".into()),
                sector: (i % 3 == 0).then(|| "health-support".to_owned()),
                ..Default::default()
            };
            haven_store::feedback::NewFeedback {
                submission: raw.validate().unwrap(),
                sensitive_type: None,
                seal: haven_core::feedback::Seal::Open,
                channel_message_id: None,
                received_at: start + time::Duration::minutes(i as i64),
                recorded_by: None,
                agency_id: None,
                levels: Default::default(),
                notice: None,
            }
        })
        .collect()
}

/// `GET /api/v1/feedback/export?format=FORMAT` with a token.
pub(crate) async fn export_of(app: &TestApp, token: &str, format: &str) -> reqwest::Response {
    let url = app.url(&format!("/api/v1/feedback/export?format={format}"));
    reqwest::Client::new().get(url).bearer_auth(token).send().await.unwrap()
}

#[tokio::test]
async fn exports_of_many_items_are_streamed_row_by_row() {
    const ITEMS: usize = 3_000;
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        haven_store::feedback::record_all(&app.store, many_items(ITEMS)).await.unwrap();
        // A sealed item is never exported, not even its row to a protection officer.
        let agent = token(&app, "agent", false).await;
        let sealed = json!({"text": crate::feedback::SEALED_TEXT, "channel": "hotline", "sensitive_type": "sea"});
        assert_eq!(post(&app, Some(&agent), "/api/v1/feedback", sealed).await.0, 201);
        let protection = token(&app, "protection", false).await;

        let r = export_of(&app, &protection, "hxl-csv").await;
        assert_eq!(r.status().as_u16(), 200);
        assert!(r.headers().get("content-length").is_none(), "{engine:?}: streamed, not built whole first");
        assert_eq!(r.headers()["transfer-encoding"], "chunked");
        let csv = r.bytes().await.unwrap();
        let table = haven_io::read_table("export.csv", &csv).unwrap();
        assert_eq!(table.rows.len(), ITEMS + 1, "{engine:?}: the HXL row and every item");
        let col = |tag: &str| table.rows[0].1.iter().position(|t| t == tag).unwrap();
        let (text, sector, sealed_col) = (col("#description"), col("#sector+code"), col("#x_sealed"));
        for (i, (_, row)) in table.rows[1..].iter().enumerate() {
            assert_eq!(row[text], format!("Message number {i} about the distribution, \"quoted\", with a comma"));
            assert_eq!(row[sector], if i % 3 == 0 { "health-support" } else { "" });
            assert_eq!(row[sealed_col], "no");
        }

        let r = export_of(&app, &protection, "xlsx").await;
        assert_eq!(r.status().as_u16(), 200);
        let xlsx = r.bytes().await.unwrap();
        let sheet = haven_io::read_table("export.xlsx", &xlsx).unwrap();
        assert_eq!(sheet.headers, table.headers);
        assert_eq!(
            sheet.rows.iter().map(|(_, r)| r).collect::<Vec<_>>(),
            table.rows.iter().map(|(_, r)| r).collect::<Vec<_>>()
        );

        // Each export is audited once, with the number of items it held.
        let (exports,): (i64,) = haven_store::on_pool!(&app.store.pool, p => {
            sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'feedback.exported' AND summary = $1")
                .bind(format!("{ITEMS} items")).fetch_one(p).await
        })
        .unwrap();
        assert_eq!(exports, 2, "{engine:?}");
    }
}
