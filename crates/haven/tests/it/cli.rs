//! The command line on a real data folder.

use crate::audit_chain::haven;

#[test]
fn token_create_prints_the_token_alone_and_checks_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    assert_eq!(
        haven(
            &["user", "add", "leila", "--name", "Leila H", "--role", "protection-officer"],
            data,
            None,
            Some("a long enough password\n")
        )
        .0,
        0
    );
    let (code, out, _) = haven(
        &["token", "create", "--user", "leila", "--password-stdin", "--expires", "30"],
        data,
        None,
        Some("a long enough password\n"),
    );
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 1);
    assert!(out.trim().starts_with("hvn_"));
    let (code, _, err) =
        haven(&["token", "create", "--user", "leila", "--password-stdin"], data, None, Some("wrong\n"));
    assert_ne!(code, 0);
    assert!(err.contains("password"));
}

#[test]
fn bad_input_is_reported_with_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let csv = dir.path().join("users.csv");
    std::fs::write(&csv, "username,name,email,role\ngood.one,Good One,,viewer\nBad Name,Someone,,viewer\nthird,,,\nfourth,Fourth,,wizard\n").unwrap();
    let (code, _, err) = haven(&["user", "import", csv.to_str().unwrap()], data, None, None);
    assert_ne!(code, 0);
    assert!(err.contains("line 3, field 'username'"), "{err}");
    assert!(err.contains("line 4, field 'name'"), "{err}");
    assert!(err.contains("line 5, field 'role'"), "{err}");
    let (_, out, _) = haven(&["user", "list"], data, None, None);
    assert!(!out.contains("good.one"), "nothing imported from a bad file");

    let locs = dir.path().join("adm.csv");
    std::fs::write(&locs, "pcode,name,level,parent_pcode\nXY,Xyland,0,\nXY01,North,one,XY\n").unwrap();
    let (code, _, err) = haven(&["locations", "import", locs.to_str().unwrap()], data, None, None);
    assert_eq!(code, 1);
    assert!(err.contains("line 3, column 'level'"), "{err}");
    std::fs::write(&locs, "admin1Name_en,admin1Pcode,admin2Name_en,admin2Name_ar,admin2Pcode\n#adm1+name,#adm1+code,#adm2+name,#adm2+name+i_ar,#adm2+code\nNorth,XY01,Riverside,ضفة النهر,XY0101\n").unwrap();
    let (code, out, err) = haven(&["locations", "import", locs.to_str().unwrap()], data, None, None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("2 locations added"), "{out}");
}

#[test]
fn serve_refuses_demo_data_and_bad_settings() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    std::fs::write(data.join("DEMO-DATA"), "demo").unwrap();
    let (code, _, err) = haven(&["serve", "--bind", "127.0.0.1:0"], data, None, None);
    assert_ne!(code, 0);
    assert!(err.contains("demo data"), "{err}");
    let other = tempfile::tempdir().unwrap();
    let (code, _, err) = haven(&["serve", "--bind", "not-an-address"], other.path(), None, None);
    assert_ne!(code, 0);
    assert!(err.contains("--bind"), "{err}");
    let (code, _, err) = haven(&["migrate", "--key-file", "/nonexistent/haven.key"], other.path(), None, None);
    assert_ne!(code, 0);
    assert!(err.contains("/nonexistent/haven.key"), "{err}");
}

#[test]
fn backup_and_restore_round_trip_without_keys() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(
        haven(&["user", "add", "amina", "--name", "Amina K"], &data, None, Some("a long enough password\n")).0,
        0
    );
    let backup = dir.path().join("haven-backup.age");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_haven"));
    let out = cmd
        .args(["backup", "--to", backup.to_str().unwrap(), "--data-dir", data.to_str().unwrap()])
        .env("HAVEN_BACKUP_PASSPHRASE", "backup passphrase 123")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let bytes = std::fs::read(&backup).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1"));
    assert!(!String::from_utf8_lossy(&bytes).contains("amina"));

    let restored = dir.path().join("restored");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_haven"))
        .args(["restore", "--from", backup.to_str().unwrap(), "--data-dir", restored.to_str().unwrap()])
        .env("HAVEN_BACKUP_PASSPHRASE", "backup passphrase 123")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::copy(data.join("haven.key"), restored.join("haven.key")).unwrap();
    let (code, out, err) = haven(&["user", "list"], &restored, None, None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("amina"));
    assert_eq!(haven(&["audit", "verify"], &restored, None, None).0, 0);
}

#[tokio::test]
async fn copy_moves_a_sqlite_deployment_to_postgresql() {
    let Some(url) = crate::audit_chain::fresh_pg_database().await else {
        if crate::support::require_all() {
            panic!("HAVEN_REQUIRE_ALL=1 but HAVEN_TEST_DATABASE_URL is not set");
        }
        eprintln!("notice: PostgreSQL not configured; copy test skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    assert_eq!(
        haven(
            &["user", "add", "amina", "--name", "Amina K", "--role", "viewer"],
            data,
            None,
            Some("a long enough password\n")
        )
        .0,
        0
    );
    let (code, out, err) = haven(&["copy", "--to", &url], data, None, None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("audit chain verified"), "{out}");
    // The PostgreSQL deployment opens with the same key file and its chain verifies.
    let key = data.join("haven.key");
    let (code, out, err) = haven(&["user", "list", "--key-file", key.to_str().unwrap()], data, Some(&url), None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("amina"));
    assert_eq!(haven(&["audit", "verify", "--key-file", key.to_str().unwrap()], data, Some(&url), None).0, 0);
    let (code, _, err) = haven(&["copy", "--to", &url], data, None, None);
    assert_ne!(code, 0, "a second copy into a non-empty database is refused");
    assert!(err.contains("not empty"), "{err}");
}

#[test]
fn psea_init_shows_the_recovery_key_once_and_needs_the_focal_points_password() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let password = Some("a long enough password\n");
    assert_eq!(
        haven(&["user", "add", "grace", "--name", "Grace N", "--role", "psea-focal-point"], data, None, password).0,
        0
    );
    assert_eq!(
        haven(&["user", "add", "omar", "--name", "Omar S", "--role", "feedback-agent"], data, None, password).0,
        0
    );
    let (code, _, err) = haven(&["psea", "init", "--user", "omar", "--password-stdin"], data, None, password);
    assert_ne!(code, 0);
    assert!(err.contains("does not hold the psea-focal-point role"), "{err}");
    let (code, _, err) = haven(&["psea", "init", "--user", "grace", "--password-stdin"], data, None, Some("wrong\n"));
    assert_ne!(code, 0);
    assert!(err.contains("password"), "{err}");
    let (code, out, err) = haven(&["psea", "init", "--user", "grace", "--password-stdin"], data, None, password);
    assert_eq!(code, 0, "{err}");
    let key_line = out.lines().find(|l| l.trim().len() == 31 && l.trim().matches('-').count() == 5);
    assert!(key_line.is_some(), "recovery key printed: {out}");
    let (code, _, err) = haven(&["psea", "init", "--user", "grace", "--password-stdin"], data, None, password);
    assert_ne!(code, 0, "set up once only");
    assert!(err.contains("already set up"), "{err}");
}

#[test]
fn feedback_import_reports_problems_by_line_and_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    add_agent(data);
    let log = data.join("log.csv");
    std::fs::write(&log, "message,channel\nThe tap is broken,hotline\nok,carrier pigeon\n").unwrap();
    let (code, _, err) = haven(&["feedback", "import", log.to_str().unwrap(), "--user", "omar"], data, None, None);
    assert_ne!(code, 0);
    assert!(
        err.contains("nothing imported")
            && err.contains("line 3, column channel: This value is not one of the allowed choices."),
        "{err}"
    );
    std::fs::write(&log, "message,channel\nThe tap is broken,hotline\nThe queue is too long,help desk\n").unwrap();
    let (code, out, err) = haven(&["feedback", "import", log.to_str().unwrap(), "--user", "omar"], data, None, None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("2 items imported, 0 of them sealed"), "{out}");
}

#[tokio::test]
async fn feedback_erase_contacts_erases_what_is_due_and_says_how_many() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    add_agent(data);
    let log = data.join("log.csv");
    std::fs::write(&log, "message,channel,phone,consent,safe contact\nPlease call me back,hotline,+254711000999,yes,evenings\nNo phone,hotline,,,\n").unwrap();
    let (code, _, err) = haven(&["feedback", "import", log.to_str().unwrap(), "--user", "omar"], data, None, None);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = haven(&["feedback", "erase-contacts"], data, None, None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("erased from 0 closed items"), "nothing is closed yet: {out}");

    // Both items closed 100 days ago (the server is not running: the file is ours).
    let pool = haven_store::Pool::open_sqlite(&data.join("haven.db")).await.unwrap();
    let long_ago = haven_store::now_utc() - time::Duration::days(100);
    haven_store::on_pool!(&pool, p => {
        sqlx::query("UPDATE feedback SET status = 'closed', closed_at = $1").bind(long_ago).execute(p).await.map(|_| ())
    })
    .unwrap();
    pool.close().await;
    let (code, out, err) = haven(&["feedback", "erase-contacts"], data, None, None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("erased from 1 closed items (closed more than 90 days ago)"), "{out}");
    let pool = haven_store::Pool::open_sqlite(&data.join("haven.db")).await.unwrap();
    let (left,): (i64,) = haven_store::on_pool!(&pool, p => {
        sqlx::query_as("SELECT COUNT(*) FROM feedback WHERE contact_enc IS NOT NULL OR has_contact").fetch_one(p).await
    })
    .unwrap();
    pool.close().await;
    assert_eq!(left, 0);
    let (code, out, _) = haven(&["audit", "verify"], data, None, None);
    assert_eq!(code, 0, "the chain still verifies: {out}");
}

/// A feedback agent, omar, in the data folder.
fn add_agent(data: &std::path::Path) {
    let password = Some("a long enough password\n");
    let added = haven(&["user", "add", "omar", "--name", "Omar S", "--role", "feedback-agent"], data, None, password);
    assert_eq!(added.0, 0, "{}", added.2);
}

/// A table added by a migration but missing from the copy would be lost when a deployment
/// moves to PostgreSQL: every table is either copied or deliberately left behind.
#[tokio::test]
async fn copy_knows_every_table_of_the_schema() {
    let pool = haven_store::db::Pool::open_sqlite_memory().await.unwrap();
    pool.migrate().await.unwrap();
    let haven_store::db::Pool::Sqlite(sqlite) = &pool else { unreachable!("opened as SQLite") };
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(sqlite)
    .await
    .unwrap();
    let known: std::collections::BTreeSet<&str> =
        haven_store::copy::TABLES.iter().chain(haven_store::copy::NOT_COPIED.iter()).copied().collect();
    let missing: Vec<&str> = tables.iter().map(|(t,)| t.as_str()).filter(|t| !known.contains(t)).collect();
    assert!(missing.is_empty(), "tables neither copied nor listed in NOT_COPIED: {missing:?}");
}
