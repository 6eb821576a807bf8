//! Protection mainstreaming indicators over real HTTP on both engines: every computed
//! indicator against a hand count on seeded feedback, committees and audits; survey values
//! with their margin of error and field errors; small-cell suppression by role; plans,
//! scope and the portfolio.

use haven_core::catalog::Localized;
use haven_core::indicators::{Period, PeriodKind};
use haven_core::locations::ImportedLocation;
use haven_store::identity::Actor;
use serde_json::{Value, json};
use time::{Date, Duration, OffsetDateTime, Time};

use crate::audits::{answers, north_only};
use crate::feedback::{feedback_app, get, post, problems, put, token};
use crate::support::*;

/// Sites under the north (the project's place) and one in the south.
async fn sites(app: &TestApp) {
    let name = |n: &str| Localized([("en".to_owned(), n.to_owned())].into());
    let site = |pcode: &str, parent: &str| ImportedLocation {
        pcode: pcode.into(),
        level: 2,
        parent: Some(parent.into()),
        name: name(pcode),
    };
    let units = vec![site("XY01S1", "XY01"), site("XY01S2", "XY01"), site("XY02S1", "XY02")];
    haven_store::locations::import(&app.store, &Actor::system("test"), &units).await.unwrap();
}

/// The month the seeded records fall in: two months before this one, so it is over and
/// always within the dashboard's year.
fn month() -> Period {
    Period::containing(PeriodKind::Month, OffsetDateTime::now_utc().date()).previous().previous()
}

fn at(day: Date, days: i64, hours: i64) -> OffsetDateTime {
    day.with_time(Time::MIDNIGHT).assume_utc() + Duration::days(days) + Duration::hours(hours)
}

/// Set an item's deadline, response, closing and loop by hand (the seeded history).
async fn set_feedback_history(app: &TestApp, id: &str, times: [Option<OffsetDateTime>; 3], closing: [Option<&str>; 2]) {
    let id = uuid::Uuid::parse_str(id).unwrap();
    haven_store::on_pool!(&app.store.pool, p => {
        sqlx::query(
            "UPDATE feedback SET respond_by = $1, responded_at = $2, closed_at = $3, closure_reason = $4, loop_closing = $5
             WHERE id = $6",
        )
        .bind(times[0]).bind(times[1]).bind(times[2]).bind(closing[0]).bind(closing[1]).bind(id)
        .execute(p).await.map(|_| ())
    })
    .unwrap();
}

/// Mark an audit action done at a time of the test's choosing.
async fn close_action(app: &TestApp, id: &str, closed_at: OffsetDateTime) {
    let id = uuid::Uuid::parse_str(id).unwrap();
    haven_store::on_pool!(&app.store.pool, p => {
        sqlx::query("UPDATE audit_actions SET closed_at = $1, status = 'done' WHERE id = $2")
            .bind(closed_at).bind(id).execute(p).await.map(|_| ())
    })
    .unwrap();
}

/// A feedback item at `location`, then its deadline, response, closing and loop set by hand.
#[allow(clippy::too_many_arguments)]
async fn item(
    app: &TestApp,
    agent: &str,
    location: &str,
    person: Value,
    respond_by: OffsetDateTime,
    responded_at: Option<OffsetDateTime>,
    closed: Option<(OffsetDateTime, &str, &str)>,
) {
    let mut body = json!({"text": "The distribution list was not posted", "channel": "helpdesk", "location": location});
    for (k, v) in person.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (status, created) = post(app, Some(agent), "/api/v1/feedback", body).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    set_feedback_history(
        app,
        id,
        [Some(respond_by), responded_at, closed.map(|c| c.0)],
        [closed.map(|c| c.1), closed.map(|c| c.2)],
    )
    .await;
}

fn cell(sex: &str, bracket: &str, disability: bool, count: i64) -> Value {
    json!({"sex": sex, "age_bracket": bracket, "disability": disability, "count": count})
}

/// The value of one period of a series.
fn period<'a>(series: &'a Value, code: &str) -> &'a Value {
    series["values"].as_array().unwrap().iter().find(|v| v["period"] == json!(code)).unwrap()
}

/// A breakdown as (key, numerator, denominator) with hidden counts as "<5".
fn breakdown(v: &Value, dimension: &str) -> Vec<(String, Value, Value)> {
    let b = v["disaggregation"].as_array().unwrap().iter().find(|b| b["dimension"] == json!(dimension)).unwrap();
    b["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["key"].as_str().unwrap().to_owned(), c["numerator"].clone(), c["denominator"].clone()))
        .collect()
}

fn figure(v: &Value) -> (Value, Value, Value) {
    (v["numerator"].clone(), v["denominator"].clone(), v["value"].clone())
}

#[tokio::test]
async fn every_computed_indicator_matches_a_hand_count() {
    for engine in engines() {
        let app = feedback_app(engine, false).await;
        sites(&app).await;
        let manager = token(&app, "manager", false).await;
        let protection = token(&app, "protection", false).await;
        let mande = token(&app, "mande", false).await;
        let agent = token(&app, "agent", false).await;
        let m = month();
        let s = m.start();
        let (_, project) = post(
            &app,
            Some(&manager),
            "/api/v1/projects",
            json!({"code": "XY-IND-1", "title": "Shelter in the north", "sectors": ["shelter-non-food-items"],
                   "locations": ["XY01"], "start_date": haven_core::input::iso_date(m.previous().start()),
                   "target_population": [
                       {"sex": "f", "age_bracket": "18-59", "disability": true, "group": "idp", "count": 20},
                       {"sex": "m", "age_bracket": "60-plus", "disability": true, "group": "idp", "count": 10},
                       {"sex": "f", "age_bracket": "18-59", "disability": false, "group": "idp", "count": 300}]}),
        )
        .await;
        let id = project["id"].as_str().unwrap().to_owned();
        let base = format!("/api/v1/projects/{id}/indicators");
        let computed = ["pmi-07", "pmi-15", "pmi-08a", "pmi-08b", "pmi-16", "pmi-17", "pmi-09b"];
        let plan: Vec<Value> = computed.iter().map(|c| json!({"code": c, "target": 80})).collect();
        let (status, saved) = put(&app, &mande, &base, json!({"period": "month", "indicators": plan})).await;
        assert_eq!(status, 200, "{engine:?} {saved}");
        assert_eq!(saved["indicators"].as_array().unwrap().len(), 7);

        // Feedback under XY01 whose deadline falls in the month: A, D, E answered in time,
        // B late, C never; F closed as a duplicate, G in the south, H due next month: out;
        // I in the south but linked to the project: in.
        let f = json!({"sex": "f", "age_bracket": "18-59", "disability": false});
        let fd = json!({"sex": "f", "age_bracket": "18-59", "disability": true});
        let m60 = json!({"sex": "m", "age_bracket": "60-plus"});
        let m18 = json!({"sex": "m", "age_bracket": "18-59"});
        let loop_call = |t| Some((t, "resolved", "follow_up_call"));
        item(&app, &agent, "XY01S1", f.clone(), at(s, 5, 0), Some(at(s, 3, 0)), loop_call(at(s, 4, 0))).await;
        item(
            &app,
            &agent,
            "XY01S2",
            fd,
            at(s, 10, 0),
            Some(at(s, 12, 0)),
            Some((at(s, 13, 0), "resolved", "not_possible")),
        )
        .await;
        item(&app, &agent, "XY01", m60, at(s, 15, 0), None, None).await;
        item(
            &app,
            &agent,
            "XY01S1",
            m18,
            at(s, 20, 0),
            Some(at(s, 19, 23)),
            Some((at(s, 21, 0), "resolved", "immediately")),
        )
        .await;
        item(&app, &agent, "XY01S1", json!({}), at(s, 2, 0), Some(at(s, 1, 0)), None).await;
        item(&app, &agent, "XY01S1", f.clone(), at(s, 6, 0), None, Some((at(s, 7, 0), "duplicate", "not_possible")))
            .await;
        item(&app, &agent, "XY02S1", f.clone(), at(s, 6, 0), Some(at(s, 5, 0)), loop_call(at(s, 8, 0))).await;
        item(&app, &agent, "XY01S1", f, at(m.end(), 3, 0), Some(at(s, 5, 0)), None).await;
        // I: in the south but linked to the project (about its distribution), answered in time.
        item(&app, &agent, "XY02S1", json!({"project_id": id}), at(s, 9, 0), Some(at(s, 8, 0)), None).await;

        // Committees: 10 members (5 women, 3 at risk) and 8 (2 women, 1 at risk) under XY01;
        // one in the south, one formed after the month, one dissolved: out.
        let committee = |site: &str, formed: Option<String>, members: Vec<Value>, at_risk: i64| json!({"site": site, "purpose": "Site committee", "formed_on": formed, "members": members, "at_risk_members": at_risk});
        let early = Some(haven_core::input::iso_date(m.previous().start()));
        let late = Some(haven_core::input::iso_date(m.end()));
        let first = vec![
            cell("f", "18-59", false, 4),
            cell("f", "60-plus", true, 1),
            cell("f", "12-17", false, 2),
            cell("m", "18-59", true, 3),
        ];
        for body in [
            committee("XY01S1", early.clone(), first, 3),
            committee("XY01S2", None, vec![cell("f", "18-59", false, 2), cell("m", "18-59", false, 6)], 1),
            committee("XY02S1", early.clone(), vec![cell("f", "18-59", false, 9)], 0),
            committee("XY01S1", late, vec![cell("f", "18-59", false, 9)], 0),
        ] {
            assert_eq!(post(&app, Some(&protection), "/api/v1/committees", body).await.0, 201);
        }
        let mut dissolved = committee("XY01", early, vec![cell("f", "18-59", false, 7)], 0);
        dissolved["active"] = json!(false);
        assert_eq!(post(&app, Some(&protection), "/api/v1/committees", dissolved).await.0, 201);

        // Audits: XY01S1 audited in the month, XY01S2 five months before its end; two sites.
        let all_yes = answers(&app, &[]).await;
        let round = |site: &str, on: Date| json!({"site": site, "audited_on": haven_core::input::iso_date(on), "answers": all_yes});
        let (_, r1) = post(&app, Some(&protection), "/api/v1/audits", round("XY01S1", s + Duration::days(9))).await;
        let five_months = m.previous().previous().previous().previous().start();
        let (_, r2) = post(&app, Some(&protection), "/api/v1/audits", round("XY01S2", five_months)).await;
        assert_eq!(post(&app, Some(&protection), "/api/v1/audits", round("XY02S1", s)).await.0, 201);
        // Actions due in the month: one closed the day before, one closed late, one open;
        // one due the next month: out.
        let due = [(r1.clone(), 3, Some(2)), (r1.clone(), 10, Some(12)), (r2, 20, None), (r1, 40, Some(1))];
        for (round, deadline, closed) in due {
            let path = format!("/api/v1/audits/{}/actions", round["id"].as_str().unwrap());
            let body = json!({"text": "Light the path", "domain": "lighting",
                "deadline": haven_core::input::iso_date(s + Duration::days(deadline))});
            let (status, action) = post(&app, Some(&protection), &path, body).await;
            assert_eq!(status, 201, "{action}");
            if let Some(c) = closed {
                close_action(&app, action["id"].as_str().unwrap(), at(s, c, 8)).await;
            }
        }

        // Persons with disabilities reached: 6 the month before, 9 in the month, of 30 targeted.
        let reach = |p: &Period, n: i64, f: i64| {
            json!({"period": p.code(), "numerator": n,
                   "cells": [{"dimension": "sex", "key": "f", "numerator": f}, {"dimension": "sex", "key": "m", "numerator": n - f}]})
        };
        let path = format!("{base}/pmi-09b/values");
        let (status, body) = post(&app, Some(&mande), &path, reach(&m.previous(), 6, 4)).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(post(&app, Some(&mande), &path, reach(&m, 9, 5)).await.0, 201);

        // The protection officer sees every count.
        let series = |code: &str| {
            let url = format!("{base}/{code}/values");
            let token = protection.clone();
            let app = &app;
            async move { get(app, &token, &url).await.1 }
        };
        let code = m.code();
        let v = series("pmi-07").await;
        assert_eq!(figure(period(&v, &code)), (json!(4), json!(6), json!(66.7)), "{engine:?} {v}");
        assert_eq!(
            breakdown(period(&v, &code), "sex"),
            [("f".into(), json!(1), json!(2)), ("m".into(), json!(1), json!(2)), ("".into(), json!(2), json!(2))]
        );
        assert_eq!(
            breakdown(period(&v, &code), "disability"),
            [("no".into(), json!(1), json!(1)), ("yes".into(), json!(0), json!(1)), ("".into(), json!(3), json!(4))]
        );
        // I lies outside the project's places: no place of the project's holds it.
        assert_eq!(
            breakdown(period(&v, &code), "location"),
            [("XY01".into(), json!(3), json!(5)), ("".into(), json!(1), json!(1))]
        );
        let v = series("pmi-15").await;
        assert_eq!(figure(period(&v, &code)), (json!(2), json!(3), json!(66.7)));
        let v = series("pmi-08a").await;
        assert_eq!(figure(period(&v, &code)), (json!(7), json!(18), json!(38.9)));
        let v = series("pmi-08b").await;
        assert_eq!(figure(period(&v, &code)), (json!(4), json!(18), json!(22.2)));
        let v = series("pmi-16").await;
        assert_eq!(figure(period(&v, &code)), (json!(1), json!(2), json!(50.0)));
        let v = series("pmi-17").await;
        assert_eq!(figure(period(&v, &code)), (json!(1), json!(3), json!(33.3)));
        let v = series("pmi-09b").await;
        assert_eq!(figure(period(&v, &m.previous().code())), (json!(6), json!(30), json!(20.0)));
        assert_eq!(figure(period(&v, &code)), (json!(15), json!(30), json!(50.0)));
        assert_eq!(
            breakdown(period(&v, &code), "sex"),
            [("f".into(), json!(9), json!(20)), ("m".into(), json!(6), json!(10))]
        );
        assert_eq!(period(&v, &code)["entered"], json!(true));

        // The plan lists the latest value of each.
        let (_, plan) = get(&app, &protection, &base).await;
        let latest: Vec<Value> =
            plan["indicators"].as_array().unwrap().iter().map(|i| i["latest"]["value"].clone()).collect();
        assert_eq!(latest.len(), 7);
        assert!(latest.iter().all(Value::is_number), "{plan}");

        // Computed indicators are not entered.
        let (status, body) = post(&app, Some(&mande), &format!("{base}/pmi-07/values"), json!({"period": code})).await;
        assert_eq!((status, problems(&body)), (422, vec![("code".into(), "computed".into())]));
        // The portfolio pools the quarter holding the month.
        let (status, folio) = get(&app, &protection, "/api/v1/indicators").await;
        assert_eq!(status, 200);
        let women = folio["indicators"].as_array().unwrap().iter().find(|i| i["code"] == "pmi-08a").unwrap();
        assert_eq!(women["projects"], json!(1));
    }
}

#[tokio::test]
async fn small_cells_are_hidden_outside_protection_with_their_complement() {
    for engine in engines() {
        let app = feedback_app(engine, false).await;
        let manager = token(&app, "manager", false).await;
        let mande = token(&app, "mande", false).await;
        let protection = token(&app, "protection", false).await;
        let viewer = token(&app, "viewer", false).await;
        let (_, project) = post(
            &app,
            Some(&manager),
            "/api/v1/projects",
            json!({"code": "XY-SUP-1", "title": "Survey", "sectors": ["health-support"], "locations": ["XY01", "XY02"]}),
        )
        .await;
        let base = format!("/api/v1/projects/{}/indicators", project["id"].as_str().unwrap());
        let plan = json!({"period": "quarter", "indicators": [{"code": "pmi-02", "baseline": 50, "target": 80}, {"code": "pmi-12"}]});
        assert_eq!(put(&app, &mande, &base, plan).await.0, 200);
        let q = Period::containing(PeriodKind::Quarter, OffsetDateTime::now_utc().date()).previous();
        // 60 of 100 felt safe: 3 of 4 women with disabilities... by sex f 3/4, m 57/96; by place 30/50 each.
        let value = json!({"period": q.code(), "numerator": 60, "denominator": 100, "sample_size": 110,
            "cells": [{"dimension": "sex", "key": "f", "numerator": 3, "denominator": 4},
                      {"dimension": "sex", "key": "m", "numerator": 57, "denominator": 96},
                      {"dimension": "location", "key": "XY01", "numerator": 30, "denominator": 50},
                      {"dimension": "location", "key": "XY02", "numerator": 30, "denominator": 50}],
            "note": "Household survey"});
        let (status, created) = post(&app, Some(&mande), &format!("{base}/pmi-02/values"), value).await;
        assert_eq!(status, 201, "{engine:?} {created}");
        // The M&E officer is outside protection: the women's cell is hidden and the men's with it.
        assert_eq!(
            breakdown(&created, "sex"),
            [("f".into(), json!("<5"), json!("<5")), ("m".into(), json!("<5"), json!("<5"))]
        );
        assert_eq!(figure(&created), (json!(60), json!(100), json!(60.0)));
        // 1.96 × √(0.6 × 0.4 / 100) = 9.6 points, computed.
        assert_eq!((created["margin_of_error"].clone(), created["margin_computed"].clone()), (json!(9.6), json!(true)));
        assert_eq!(breakdown(&created, "location")[0], ("XY01".into(), json!(30), json!(50)));

        let url = format!("{base}/pmi-02/values");
        let (_, seen) = get(&app, &viewer, &url).await;
        assert_eq!(breakdown(period(&seen, &q.code()), "sex")[0].1, json!("<5"));
        let before =
            haven_store::audit::list(&app.store.pool, Some("indicators.small-cells-read"), None, 50).await.unwrap();
        assert!(before.is_empty(), "hidden cells are not a sensitive read");
        let (_, seen) = get(&app, &protection, &url).await;
        assert_eq!(
            breakdown(period(&seen, &q.code()), "sex"),
            [("f".into(), json!(3), json!(4)), ("m".into(), json!(57), json!(96))]
        );
        let after =
            haven_store::audit::list(&app.store.pool, Some("indicators.small-cells-read"), None, 50).await.unwrap();
        assert_eq!(after.len(), 1, "showing small cells is audited");

        // Yes/no judgements are not people: never hidden.
        let (status, yes) =
            post(&app, Some(&mande), &format!("{base}/pmi-12/values"), json!({"period": q.code(), "value": 1})).await;
        assert_eq!((status, yes["value"].clone()), (201, json!(1.0)));

        // Roles without indicators see none of it.
        let caseworker = signed_in(&app, "caseworker").await;
        assert_eq!(get_text(&caseworker, &app.url("/indicators")).await.0, 403);
        let agent = token(&app, "agent", false).await;
        assert_eq!(get(&app, &agent, &url).await.0, 403);

        // The dashboards, in three languages; Arabic right to left; "<5" for the viewer.
        let page = signed_in(&app, "viewer").await;
        let project_page = format!("/projects/{}/indicators", project["id"].as_str().unwrap());
        for (lang, word) in [
            ("en", "Protection mainstreaming indicators"),
            ("fr", "Période de rapport"),
            ("ar", "مؤشرات تعميم الحماية"),
        ] {
            let (status, html) = get_text(&page, &app.url(&format!("{project_page}?lang={lang}"))).await;
            assert_eq!(status, 200, "{lang}");
            assert!(html.contains(word) && html.contains("<svg") && html.contains("&#60;5"), "{lang}");
            let (status, html) = get_text(&page, &app.url(&format!("/indicators?lang={lang}"))).await;
            assert_eq!(status, 200);
            assert!(html.contains("<svg"));
            if lang == "ar" {
                assert!(html.contains("dir=\"rtl\""));
            }
        }
    }
}

#[tokio::test]
async fn impossible_values_and_plans_are_refused_field_by_field() {
    for engine in engines() {
        let app = feedback_app(engine, false).await;
        let manager = token(&app, "manager", false).await;
        let mande = token(&app, "mande", false).await;
        let viewer = token(&app, "viewer", false).await;
        let (_, project) = post(
            &app,
            Some(&manager),
            "/api/v1/projects",
            json!({"code": "XY-BAD-1", "title": "Bad input", "sectors": ["health-support"], "locations": ["XY01"]}),
        )
        .await;
        let id = project["id"].as_str().unwrap().to_owned();
        let base = format!("/api/v1/projects/{id}/indicators");
        let (status, body) = put(
            &app,
            &mande,
            &base,
            json!({"period": "weekly", "indicators": [{"code": "pmi-02", "target": 140}, {"code": "pmi-99"}, {"code": "pmi-02"}]}),
        )
        .await;
        assert_eq!(status, 422, "{engine:?} {body}");
        assert_eq!(
            problems(&body),
            [
                ("period", "unknown-code"),
                ("target", "not-in-unit"),
                ("indicators", "unknown-code"),
                ("indicators", "duplicate")
            ]
            .map(|(f, c)| (f.to_owned(), c.to_owned()))
        );
        assert_eq!(put(&app, &viewer, &base, json!({"period": "month"})).await.0, 403);
        let plan = json!({"period": "month", "indicators": [{"code": "pmi-02"}, {"code": "pmi-13"}]});
        assert_eq!(put(&app, &mande, &base, plan).await.0, 200);

        let this_month = Period::containing(PeriodKind::Month, OffsetDateTime::now_utc().date());
        let (status, body) = post(
            &app,
            Some(&mande),
            &format!("{base}/pmi-02/values"),
            json!({"period": this_month.next().code(), "numerator": 12, "denominator": 10, "sample_size": 8,
                   "margin_of_error": -3, "cells": [{"dimension": "sex", "key": "f", "numerator": 5, "denominator": 4},
                   {"dimension": "religion", "key": "x", "numerator": 1, "denominator": 1}]}),
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(
            problems(&body),
            [
                ("period", "in-the-future"),
                ("numerator", "above-denominator"),
                ("sample_size", "below-denominator"),
                ("margin_of_error", "margin-out-of-range"),
                ("cells", "above-denominator"),
                ("cells", "unknown-dimension"),
            ]
            .map(|(f, c)| (f.to_owned(), c.to_owned()))
        );
        let (status, body) =
            post(&app, Some(&mande), &format!("{base}/pmi-02/values"), json!({"period": "2026-Q1", "value": 140.5}))
                .await;
        assert_eq!(status, 422);
        assert_eq!(
            problems(&body),
            [("period", "invalid-period"), ("value", "not-a-percent"), ("sample_size", "required")]
                .map(|(f, c)| (f.to_owned(), c.to_owned()))
        );
        let (status, body) = post(
            &app,
            Some(&mande),
            &format!("{base}/pmi-13/values"),
            json!({"period": this_month.code(), "numerator": 3, "margin_of_error": 5}),
        )
        .await;
        assert_eq!(
            (status, problems(&body)),
            (422, vec![("denominator".into(), "required".into()), ("margin_of_error".into(), "not-applicable".into())])
        );
        let (status, body) = post(
            &app,
            Some(&mande),
            &format!("{base}/pmi-06/values"),
            json!({"period": this_month.code(), "value": 50}),
        )
        .await;
        assert_eq!((status, problems(&body)), (422, vec![("code".into(), "not-in-plan".into())]));
        assert_eq!(post(&app, Some(&mande), &format!("{base}/pmi-00/values"), json!({})).await.0, 404);
        assert_eq!(post(&app, Some(&viewer), &format!("{base}/pmi-02/values"), json!({})).await.0, 403);

        // A good value; the reporting period then stays monthly.
        let good = json!({"period": this_month.code(), "value": 72.5, "sample_size": 384, "margin_of_error": 4.5});
        let (status, v) = post(&app, Some(&mande), &format!("{base}/pmi-02/values"), good).await;
        assert_eq!((status, v["value"].clone(), v["margin_computed"].clone()), (201, json!(72.5), json!(false)));
        let (status, body) =
            put(&app, &mande, &base, json!({"period": "quarter", "indicators": [{"code": "pmi-02"}]})).await;
        assert_eq!((status, problems(&body)), (422, vec![("period".into(), "values-exist".into())]));

        // The form shows the same problems on the page, with the values kept.
        let c = signed_in(&app, "mande").await;
        let csrf = csrf_of(&app, &c).await;
        let r = c
            .post(app.url(&format!("/projects/{id}/indicators/pmi-02/values?lang=fr")))
            .form(&[("csrf", csrf.as_str()), ("period", &this_month.code()), ("numerator", "9"), ("denominator", "4")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("Le numérateur ne peut pas dépasser le dénominateur"), "{html}");

        // Scope: an officer of the south does not see the north's project.
        let south = north_only(&app, "south-po", "/XY/XY02/").await;
        assert_eq!(get(&app, &south, &base).await.0, 404);
        // Writes are audited.
        let saved =
            haven_store::audit::list(&app.store.pool, Some("indicators.value-recorded"), None, 50).await.unwrap();
        assert_eq!(saved.len(), 1);
    }
}

/// The demo's NFI distribution tracks ten indicators with three months of survey results that
/// improve towards their target, and its dashboard draws them.
#[tokio::test]
async fn the_demo_shows_indicator_trends() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_haven"))
        .args(["demo", "--port", &port.to_string(), "--data-dir"])
        .arg(dir.path())
        .env("HAVEN_LOG", "warn")
        .env("HAVEN_DEMO_PASSWORD", PASSWORD)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(lines.by_ref().map_while(Result::ok).any(|l| l.contains("is running at")), "the demo did not start");
    let app_url = format!("http://127.0.0.1:{port}");
    haven_web::install_tls_provider();
    let c = client();
    let (_, login) = get_text(&c, &format!("{app_url}/login")).await;
    let form = [("username", "mande"), ("password", PASSWORD), ("csrf", &hidden(&login, "csrf")), ("next", "/")];
    c.post(format!("{app_url}/login")).form(&form).send().await.unwrap();
    let (_, list) = crate::feedback::get_json(&c, &format!("{app_url}/api/v1/projects"), None).await;
    let nfi = list["items"].as_array().unwrap().iter().find(|i| i["code"] == "AZ-NFI-2026-01").unwrap();
    let base = format!("{app_url}/api/v1/projects/{}/indicators", nfi["id"].as_str().unwrap());
    let (status, plan) = crate::feedback::get_json(&c, &base, None).await;
    assert_eq!((status, plan["indicators"].as_array().unwrap().len()), (200, 10), "{plan}");
    let (_, safe) = crate::feedback::get_json(&c, &format!("{base}/pmi-02/values"), None).await;
    let values: Vec<f64> = safe["values"].as_array().unwrap().iter().filter_map(|v| v["value"].as_f64()).collect();
    assert_eq!(values.len(), 3, "{safe}");
    assert!(values[0] < values[1] && values[1] < values[2], "a rising trend: {values:?}");
    let (status, page) =
        get_text(&c, &format!("{app_url}/projects/{}/indicators?lang=ar", nfi["id"].as_str().unwrap())).await;
    assert_eq!(status, 200);
    assert!(page.contains("dir=\"rtl\"") && page.contains("class=\"target\""));
    let (status, folio) = get_text(&c, &format!("{app_url}/indicators?lang=fr")).await;
    assert_eq!(status, 200);
    assert!(folio.contains("<svg") && folio.contains("id=\"pmi-02\""), "{folio}");
    child.kill().unwrap();
    child.wait().unwrap();
}
