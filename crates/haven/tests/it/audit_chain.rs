//! `haven audit verify` catches edited, inserted and deleted entries, and truncation given a
//! checkpoint. Runs the real binary against a real SQLite data folder (and PostgreSQL).

use std::process::Command;

use crate::support::*;

pub fn haven(
    args: &[&str],
    data: &std::path::Path,
    db_url: Option<&str>,
    stdin: Option<&str>,
) -> (i32, String, String) {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_haven"));
    cmd.args(args).arg("--data-dir").arg(data).env_remove("HAVEN_DATABASE_URL").env("HAVEN_LOG", "warn");
    if let Some(url) = db_url {
        cmd.arg("--database-url").arg(url);
    }
    cmd.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A PostgreSQL database of its own for a CLI test (the CLI cannot take a schema).
pub async fn fresh_pg_database() -> Option<String> {
    let url = std::env::var("HAVEN_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())?;
    sweep_old_test_data(&url).await;
    let name = format!("haven_cli_{}", uuid::Uuid::now_v7().simple());
    let admin = haven_store::Pool::connect_postgres(&url, None).await.unwrap();
    haven_store::on_pool!(&admin, p => sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(p).await.map(|_| ())).unwrap();
    admin.close().await;
    let base = url.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap();
    Some(format!("{base}/{name}"))
}

async fn connect(data: &std::path::Path, url: Option<&str>) -> haven_store::Pool {
    match url {
        Some(u) => haven_store::Pool::connect_postgres(u, None).await.unwrap(),
        None => haven_store::Pool::open_sqlite(&data.join("haven.db")).await.unwrap(),
    }
}

async fn exec(pool: &haven_store::Pool, sql: &str) {
    haven_store::on_pool!(pool, p => sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).execute(p).await.map(|_| ()))
        .unwrap();
    pool.close().await;
}

#[tokio::test]
async fn verify_detects_edits_insertions_deletions_and_truncation() {
    let mut targets: Vec<Option<String>> = vec![None];
    if engines().contains(&Engine::Postgres) {
        targets.push(fresh_pg_database().await);
    }
    for url in targets {
        let url = url.as_deref();
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path();
        let (code, _, err) = haven(
            &["user", "add", "amina", "--name", "Amina K", "--role", "viewer"],
            data,
            url,
            Some("a long enough password\n"),
        );
        assert_eq!(code, 0, "{err}");
        let (code, out, err) = haven(&["audit", "verify"], data, url, None);
        assert_eq!(code, 0, "{out}{err}");
        let (_, checkpoint, _) = haven(&["audit", "checkpoint"], data, url, None);
        let checkpoint = checkpoint.trim().to_owned();
        assert!(checkpoint.starts_with("haven-checkpoint:"));
        haven(&["user", "add", "omar", "--name", "Omar S"], data, url, Some("another long password\n"));
        assert_eq!(haven(&["audit", "verify", "--checkpoint", &checkpoint], data, url, None).0, 0);

        // Truncation: cut the newest entries off; only the checkpoint notices.
        let pool = connect(data, url).await;
        let head: (i64,) =
            haven_store::on_pool!(&pool, p => sqlx::query_as("SELECT MAX(seq) FROM audit_log").fetch_one(p).await)
                .unwrap();
        let cp_seq: i64 = checkpoint.split(':').nth(1).unwrap().parse().unwrap();
        exec(&pool, &format!("DELETE FROM audit_log WHERE seq >= {cp_seq}")).await;
        assert_eq!(haven(&["audit", "verify"], data, url, None).0, 0, "without a checkpoint a clean cut is invisible");
        let (code, _, err) = haven(&["audit", "verify", "--checkpoint", &checkpoint], data, url, None);
        assert_eq!(code, 1);
        assert!(err.contains(&format!("entry {cp_seq}")), "{err}");
        assert!(head.0 > cp_seq);

        // Edit an entry's summary.
        let pool = connect(data, url).await;
        exec(&pool, "UPDATE audit_log SET summary = 'nothing to see' WHERE seq = 2").await;
        let (code, _, err) = haven(&["audit", "verify"], data, url, None);
        assert_eq!(code, 1);
        assert!(err.contains("entry 2"), "{err}");
    }
}

#[tokio::test]
async fn verify_detects_a_deleted_or_inserted_entry() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    for name in ["aa", "bb", "cc"] {
        assert_eq!(haven(&["user", "add", name, "--name", name], data, None, Some("a long enough password\n")).0, 0);
    }
    let pool = connect(data, None).await;
    exec(&pool, "DELETE FROM audit_log WHERE seq = 3").await;
    let (code, _, err) = haven(&["audit", "verify"], data, None, None);
    assert_eq!(code, 1);
    assert!(err.contains("entry 4"), "the entry after the gap is named: {err}");

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    assert_eq!(haven(&["user", "add", "dd", "--name", "dd"], data, None, Some("a long enough password\n")).0, 0);
    let pool = connect(data, None).await;
    exec(&pool, "INSERT INTO audit_log (seq, at, actor_id, actor, action, entity_kind, entity_id, summary, prev_hash, hash)
                 SELECT seq + 1000, at, actor_id, actor, action, entity_kind, entity_id, 'forged', hash, hash FROM audit_log WHERE seq = 1").await;
    let (code, _, err) = haven(&["audit", "verify"], data, None, None);
    assert_eq!(code, 1);
    assert!(err.contains("entry 1001"), "{err}");
}
