//! Running totals behind the dashboards, kept current in the transaction of each change.

use std::collections::BTreeMap;

use haven_core::authz::Access;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Store, StoreError, Tx};

/// The month an item counts in.
pub fn month_of(t: OffsetDateTime) -> String {
    format!("{:04}-{:02}", t.year(), u8::from(t.month()))
}

/// The breakdown keys of one item.
#[derive(Clone)]
pub struct Dims<'a> {
    pub month: String,
    pub channel: &'a str,
    pub category: &'a str,
    pub location_path: &'a str,
    pub agency: String,
    pub sex: &'a str,
    pub age_bracket: &'a str,
    pub disability: &'a str,
    /// The sector linked in the clear; '' when none or sealed (a sealed item's links are sealed).
    pub sector: &'a str,
    pub sealed: bool,
}

pub fn agency_key(agency: Option<Uuid>) -> String {
    agency.map(|a| a.to_string()).unwrap_or_default()
}

impl Dims<'_> {
    /// The cells of every breakdown this item counts in: (dimension, key).
    fn cells(&self) -> [(&'static str, &str); 6] {
        [
            ("channel", self.channel),
            ("category", self.category),
            ("sex", self.sex),
            ("age_bracket", self.age_bracket),
            ("disability", self.disability),
            ("sector", self.sector),
        ]
    }
}

/// Add each item's `delta` to the volume counts of every breakdown it counts in, with one
/// statement: the changes are summed per cell first (an upsert may meet a row only once,
/// and cells in key order keep concurrent writers from deadlocking).
pub async fn count(tx: &mut Tx<'_>, changes: &[(Dims<'_>, i64)]) -> Result<(), StoreError> {
    let mut cells: BTreeMap<Cell<'_>, i64> = BTreeMap::new();
    for (d, delta) in changes {
        for (dimension, key) in d.cells() {
            *cells.entry((&d.month, dimension, key, d.location_path, &d.agency, d.sealed)).or_default() += delta;
        }
    }
    let rows: Vec<(Cell<'_>, i64)> = cells.into_iter().collect();
    add_counts(tx, &rows).await
}

/// A volume cell: month, dimension, key, place, agency, sealed.
type Cell<'a> = (&'a str, &'static str, &'a str, &'a str, &'a str, bool);

/// Add each row's count to its cell, with one statement; `rows` in key order, as every
/// writer takes them, so that concurrent writers do not deadlock.
async fn add_counts(tx: &mut Tx<'_>, rows: &[(Cell<'_>, i64)]) -> Result<(), StoreError> {
    insert_rows!(
        tx,
        "INSERT INTO feedback_counts (month, dimension, key, location_path, agency, sealed, n)",
        "ON CONFLICT (dimension, month, key, location_path, agency, sealed) DO UPDATE SET n = feedback_counts.n + excluded.n",
        rows,
        |r| [r.0.0, r.0.1, r.0.2, r.0.3, r.0.4, r.0.5, r.1]
    );
    Ok(())
}

/// Where an item's service figures are counted.
pub struct ServiceKey {
    pub month: String,
    pub location_path: String,
    pub agency: String,
    pub sealed: bool,
}

/// Changes to the service figures of one item's cell.
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub struct ServiceDelta {
    pub acknowledged: i64,
    pub acknowledged_in_time: i64,
    pub responded: i64,
    pub responded_in_time: i64,
    pub closed: i64,
    pub closed_with_loop: i64,
    pub satisfied: i64,
}

/// The service figures, in [`ServiceDelta`] order.
const FIGURES: [&str; 7] = [
    "acknowledged",
    "acknowledged_in_time",
    "responded",
    "responded_in_time",
    "closed",
    "closed_with_loop",
    "satisfied",
];

/// The SET list of an upsert that adds the new row's figures to `table`'s.
fn add_figures(table: &str) -> String {
    FIGURES.map(|f| format!("{f} = {table}.{f} + excluded.{f}")).join(", ")
}

pub async fn service(tx: &mut Tx<'_>, k: &ServiceKey, d: ServiceDelta) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO feedback_service (month, location_path, agency, sealed, {})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (month, location_path, agency, sealed) DO UPDATE SET {}",
        FIGURES.join(", "),
        add_figures("feedback_service")
    );
    on_tx!(tx, c => {
        sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&k.month).bind(&k.location_path).bind(&k.agency).bind(k.sealed)
        .bind(d.acknowledged).bind(d.acknowledged_in_time).bind(d.responded).bind(d.responded_in_time)
        .bind(d.closed).bind(d.closed_with_loop).bind(d.satisfied)
        .execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The groups of people an item's service figures also count under (keys as in
/// [`Dims`]: '' when not given).
pub struct Groups<'a> {
    pub sex: &'a str,
    pub age_bracket: &'a str,
    pub disability: &'a str,
}

/// Add `d` to the service figures of the item's cell in each group dimension, with one
/// statement (rows in key order, as every writer takes them).
pub async fn service_by(tx: &mut Tx<'_>, k: &ServiceKey, g: &Groups<'_>, d: ServiceDelta) -> Result<(), StoreError> {
    if d == ServiceDelta::default() {
        return Ok(());
    }
    let mut rows = [("age_bracket", g.age_bracket), ("disability", g.disability), ("sex", g.sex)];
    rows.sort();
    let head = format!(
        "INSERT INTO feedback_service_by (dimension, month, key, location_path, agency, sealed, {})",
        FIGURES.join(", ")
    );
    let tail = format!(
        "ON CONFLICT (dimension, month, key, location_path, agency, sealed) DO UPDATE SET {}",
        add_figures("feedback_service_by")
    );
    insert_rows!(tx, head, tail, &rows, |r| [
        r.0,
        k.month.as_str(),
        r.1,
        k.location_path.as_str(),
        k.agency.as_str(),
        k.sealed,
        d.acknowledged,
        d.acknowledged_in_time,
        d.responded,
        d.responded_in_time,
        d.closed,
        d.closed_with_loop,
        d.satisfied
    ]);
    Ok(())
}

/// Count one first response after `hours` whole hours.
pub async fn response_time(tx: &mut Tx<'_>, k: &ServiceKey, hours: i64) -> Result<(), StoreError> {
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO feedback_response_hours (month, location_path, agency, sealed, hours, n) VALUES ($1, $2, $3, $4, $5, 1)
             ON CONFLICT (month, location_path, agency, sealed, hours) DO UPDATE SET n = feedback_response_hours.n + 1",
        )
        .bind(&k.month).bind(&k.location_path).bind(&k.agency).bind(k.sealed).bind(hours.clamp(0, 24 * 365))
        .execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Move an unsealed item from one sector's count to another's (its link changed at triage).
pub async fn move_sector(tx: &mut Tx<'_>, id: Uuid, from: &str, to: &str) -> Result<(), StoreError> {
    if from == to {
        return Ok(());
    }
    let r: (OffsetDateTime, Option<String>, Option<Uuid>) = on_tx!(tx, c => {
        sqlx::query_as("SELECT received_at, location_path, agency_id FROM feedback WHERE id = $1")
            .bind(id).fetch_one(&mut *c).await
    })?;
    let (month, location_path, agency) = (month_of(r.0), r.1.unwrap_or_default(), agency_key(r.2));
    let cell = (month.as_str(), "sector", location_path.as_str(), agency.as_str());
    let mut rows =
        [((cell.0, cell.1, from, cell.2, cell.3, false), -1i64), ((cell.0, cell.1, to, cell.2, cell.3, false), 1)];
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    add_counts(tx, &rows).await
}

/// Move an item's counts between sealed and open (a seal lifted), once its row is open: it
/// counted under no sector while sealed, and now counts under the sector it has in the clear.
pub async fn unseal(tx: &mut Tx<'_>, id: Uuid) -> Result<(), StoreError> {
    type Row = (
        OffsetDateTime,
        String,
        Option<String>,
        Option<String>,
        Option<Uuid>,
        Option<String>,
        Option<String>,
        Option<bool>,
        Option<String>,
    );
    let r: Row = on_tx!(tx, c => {
        sqlx::query_as(
            "SELECT received_at, channel, category, location_path, agency_id, sex, age_bracket, disability, sector
             FROM feedback WHERE id = $1",
        )
        .bind(id).fetch_one(&mut *c).await
    })?;
    let disability = disability_key(r.7);
    let d = Dims {
        month: month_of(r.0),
        channel: &r.1,
        category: r.2.as_deref().unwrap_or(""),
        location_path: r.3.as_deref().unwrap_or(""),
        agency: agency_key(r.4),
        sex: r.5.as_deref().unwrap_or(""),
        age_bracket: r.6.as_deref().unwrap_or(""),
        disability,
        sector: "",
        sealed: true,
    };
    let open = Dims { sealed: false, sector: r.8.as_deref().unwrap_or(""), ..d.clone() };
    count(tx, &[(d, -1), (open, 1)]).await
}

pub fn disability_key(d: Option<bool>) -> &'static str {
    match d {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    }
}

/// What a volume breakdown groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakdown {
    Month,
    Channel,
    Category,
    Location,
    Sex,
    AgeBracket,
    Disability,
    Sector,
}

impl Breakdown {
    pub const ALL: [Breakdown; 8] = [
        Breakdown::Month,
        Breakdown::Channel,
        Breakdown::Category,
        Breakdown::Location,
        Breakdown::Sex,
        Breakdown::AgeBracket,
        Breakdown::Disability,
        Breakdown::Sector,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Breakdown::Month => "month",
            Breakdown::Channel => "channel",
            Breakdown::Category => "category",
            Breakdown::Location => "location",
            Breakdown::Sex => "sex",
            Breakdown::AgeBracket => "age_bracket",
            Breakdown::Disability => "disability",
            Breakdown::Sector => "sector",
        }
    }

    pub fn from_code(code: &str) -> Option<Breakdown> {
        Breakdown::ALL.into_iter().find(|b| b.code() == code)
    }

    /// The stored dimension it reads, and the column that is its key.
    fn source(self) -> (&'static str, &'static str) {
        match self {
            Breakdown::Month => ("channel", "month"),
            Breakdown::Channel => ("channel", "key"),
            Breakdown::Category => ("category", "key"),
            Breakdown::Location => ("channel", "location_path"),
            Breakdown::Sex => ("sex", "key"),
            Breakdown::AgeBracket => ("age_bracket", "key"),
            Breakdown::Disability => ("disability", "key"),
            Breakdown::Sector => ("sector", "key"),
        }
    }
}

/// A query built at run time with its text arguments bound in order.
macro_rules! bound {
    ($row:ty, $sql:expr, $args:expr) => {{
        let mut q = sqlx::query_as::<_, $row>(sqlx::AssertSqlSafe($sql));
        for a in $args {
            q = q.bind(a.clone());
        }
        q
    }};
}

/// The scope filter of `access` as a WHERE clause over a rollup table, with its arguments.
pub(crate) fn scope(access: &Access, args: &mut Vec<String>) -> String {
    let mut clauses = Vec::new();
    let f = access.filter();
    if let Some(scopes) = &f.locations {
        let any: Vec<String> = scopes
            .iter()
            .map(|s| {
                args.push(format!("{}%", s.as_str()));
                format!("location_path LIKE ${}", args.len())
            })
            .collect();
        clauses.push(if any.is_empty() { "FALSE".to_owned() } else { format!("({})", any.join(" OR ")) });
    }
    if let Some(agencies) = &f.agencies {
        let any: Vec<String> = agencies
            .iter()
            .map(|a| {
                args.push(a.to_string());
                format!("agency = ${}", args.len())
            })
            .collect();
        clauses.push(if any.is_empty() { "FALSE".to_owned() } else { format!("({})", any.join(" OR ")) });
    }
    if clauses.is_empty() { "TRUE".to_owned() } else { clauses.join(" AND ") }
}

fn months(from: &str, to: &str, args: &mut Vec<String>) -> String {
    args.push(from.to_owned());
    args.push(to.to_owned());
    format!("month >= ${} AND month <= ${}", args.len() - 1, args.len())
}

/// Items received per key of `by`, for months `from..=to` (YYYY-MM), within the caller's
/// scope. For callers who may not see sealed items, sealed items count under the key
/// "sealed" in the category breakdown, so no allegation category is shown.
pub async fn volumes(
    store: &Store,
    access: &Access,
    see_sealed: bool,
    by: Breakdown,
    from: &str,
    to: &str,
) -> Result<Vec<(String, i64)>, StoreError> {
    let (dimension, column) = by.source();
    let mut args = vec![dimension.to_owned()];
    let wh = format!("dimension = $1 AND {} AND {}", scope(access, &mut args), months(from, to, &mut args));
    let key = match (by, see_sealed) {
        (Breakdown::Category | Breakdown::Sector, false) => "CASE WHEN sealed THEN 'sealed' ELSE key END".to_owned(),
        _ => column.to_owned(),
    };
    let sql =
        format!("SELECT {key} AS k, CAST(SUM(n) AS BIGINT) FROM feedback_counts WHERE {wh} GROUP BY k ORDER BY k");
    let rows: Vec<(String, i64)> = on_pool!(&store.pool, p => {
        bound!((String, i64), sql, &args).fetch_all(p).await
    })?;
    Ok(rows)
}

/// Service figures for months `from..=to`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Service {
    pub received: i64,
    pub acknowledged: i64,
    pub acknowledged_in_time: i64,
    pub responded: i64,
    pub responded_in_time: i64,
    pub closed: i64,
    pub closed_with_loop: i64,
    pub satisfied: i64,
    /// Whole hours to the first response (median); `None` when nothing was answered.
    pub median_response_hours: Option<i64>,
}

/// The service figures summed, in [`Sums`] order.
const SUMS: &str =
    "CAST(COALESCE(SUM(acknowledged), 0) AS BIGINT), CAST(COALESCE(SUM(acknowledged_in_time), 0) AS BIGINT),
    CAST(COALESCE(SUM(responded), 0) AS BIGINT), CAST(COALESCE(SUM(responded_in_time), 0) AS BIGINT),
    CAST(COALESCE(SUM(closed), 0) AS BIGINT), CAST(COALESCE(SUM(closed_with_loop), 0) AS BIGINT),
    CAST(COALESCE(SUM(satisfied), 0) AS BIGINT)";
type Sums = (i64, i64, i64, i64, i64, i64, i64);

impl Service {
    fn add(&mut self, s: Sums) {
        self.acknowledged += s.0;
        self.acknowledged_in_time += s.1;
        self.responded += s.2;
        self.responded_in_time += s.3;
        self.closed += s.4;
        self.closed_with_loop += s.5;
        self.satisfied += s.6;
    }
}

/// The median of whole hours counted per hour, in hour order.
fn median(hours: &[(i64, i64)]) -> Option<i64> {
    let total: i64 = hours.iter().map(|(_, n)| n).sum();
    let mut seen = 0;
    hours.iter().find_map(|(h, n)| {
        seen += n;
        (total > 0 && seen * 2 >= total).then_some(*h)
    })
}

pub async fn service_summary(store: &Store, access: &Access, from: &str, to: &str) -> Result<Service, StoreError> {
    let mut args = Vec::new();
    let wh = format!("{} AND {}", scope(access, &mut args), months(from, to, &mut args));
    let sums = format!("SELECT {SUMS} FROM feedback_service WHERE {wh}");
    let s: Sums = on_pool!(&store.pool, p => {
        bound!(Sums, sums, &args).fetch_one(p).await
    })?;
    let received_sql =
        format!("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM feedback_counts WHERE dimension = 'channel' AND {wh}");
    let (received,): (i64,) = on_pool!(&store.pool, p => {
        bound!((i64,), received_sql, &args).fetch_one(p).await
    })?;
    let hours_sql = format!(
        "SELECT hours, CAST(SUM(n) AS BIGINT) FROM feedback_response_hours WHERE {wh} GROUP BY hours ORDER BY hours"
    );
    let hours: Vec<(i64, i64)> = on_pool!(&store.pool, p => {
        bound!((i64, i64), hours_sql, &args).fetch_all(p).await
    })?;
    let mut service = Service { received, median_response_hours: median(&hours), ..Default::default() };
    service.add(s);
    Ok(service)
}

/// What service figures are broken down by: the month received, the place, or a group of
/// people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceBreakdown {
    Month,
    Location,
    Sex,
    AgeBracket,
    Disability,
}

impl ServiceBreakdown {
    pub const ALL: [ServiceBreakdown; 5] = [
        ServiceBreakdown::Month,
        ServiceBreakdown::Location,
        ServiceBreakdown::Sex,
        ServiceBreakdown::AgeBracket,
        ServiceBreakdown::Disability,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ServiceBreakdown::Month => "month",
            ServiceBreakdown::Location => "location",
            ServiceBreakdown::Sex => "sex",
            ServiceBreakdown::AgeBracket => "age_bracket",
            ServiceBreakdown::Disability => "disability",
        }
    }

    pub fn from_code(code: &str) -> Option<ServiceBreakdown> {
        ServiceBreakdown::ALL.into_iter().find(|b| b.code() == code)
    }
}

/// Service figures per key of `by` for months `from..=to` (YYYY-MM) within the caller's
/// scope, in key order; places by their path. Medians of the response time come per month and
/// per place only: the group totals keep no hours.
pub async fn service_by_key(
    store: &Store,
    access: &Access,
    by: ServiceBreakdown,
    from: &str,
    to: &str,
) -> Result<Vec<(String, Service)>, StoreError> {
    let mut args = Vec::new();
    // The table of the figures and its key column; items received come from the counts of
    // the group's own dimension, or of the channel one (every item has a channel).
    let (table, column, group_filter, received_filter) = match by {
        ServiceBreakdown::Month => ("feedback_service", "month", "", "dimension = 'channel' AND "),
        ServiceBreakdown::Location => ("feedback_service", "location_path", "", "dimension = 'channel' AND "),
        group => {
            args.push(group.code().to_owned());
            ("feedback_service_by", "key", "dimension = $1 AND ", "dimension = $1 AND ")
        }
    };
    let wh = format!("{} AND {}", scope(access, &mut args), months(from, to, &mut args));
    let mut out: BTreeMap<String, Service> = BTreeMap::new();
    let sums = format!("SELECT {column}, {SUMS} FROM {table} WHERE {group_filter}{wh} GROUP BY {column}");
    type KeySums = (String, i64, i64, i64, i64, i64, i64, i64);
    let rows: Vec<KeySums> = on_pool!(&store.pool, p => bound!(KeySums, sums, &args).fetch_all(p).await)?;
    for r in rows {
        out.entry(r.0).or_default().add((r.1, r.2, r.3, r.4, r.5, r.6, r.7));
    }
    let received_sql = format!(
        "SELECT {column}, CAST(SUM(n) AS BIGINT) FROM feedback_counts WHERE {received_filter}{wh} GROUP BY {column}"
    );
    let received: Vec<(String, i64)> =
        on_pool!(&store.pool, p => bound!((String, i64), received_sql, &args).fetch_all(p).await)?;
    for (key, n) in received {
        out.entry(key).or_default().received = n;
    }
    if table == "feedback_service" {
        let hours_sql = format!(
            "SELECT {column}, hours, CAST(SUM(n) AS BIGINT) FROM feedback_response_hours WHERE {wh}
             GROUP BY {column}, hours ORDER BY {column}, hours"
        );
        let hours: Vec<(String, i64, i64)> =
            on_pool!(&store.pool, p => bound!((String, i64, i64), hours_sql, &args).fetch_all(p).await)?;
        for (key, service) in out.iter_mut() {
            let mine: Vec<(i64, i64)> = hours.iter().filter(|(k, _, _)| k == key).map(|(_, h, n)| (*h, *n)).collect();
            service.median_response_hours = median(&mine);
        }
    }
    Ok(out.into_iter().collect())
}
