//! `haven match`: de-duplicate a CSV file, link two, or generate test populations. Needs no
//! data folder, database or keys.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use haven_linkage::generate::{self, GenerateSettings};
use haven_linkage::{Contribution, Control, Field, FieldType, Linker, Record, Schema, ScoredPair, Settings, Stage};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Subcommand)]
pub enum MatchCommand {
    /// Find records of the same person in one file; writes id,cluster_id.
    Dedupe {
        #[arg(long)]
        input: PathBuf,
        #[arg(long)]
        output: PathBuf,
        /// Also write the matched pairs (left_id,right_id,probability,match_weight).
        #[arg(long)]
        pairs: Option<PathBuf>,
        #[command(flatten)]
        options: MatchOptions,
    },
    /// Find the same people in two files; writes left_id,right_id,probability,match_weight.
    Link {
        #[arg(long)]
        left: PathBuf,
        #[arg(long)]
        right: PathBuf,
        #[arg(long)]
        output: PathBuf,
        #[command(flatten)]
        options: MatchOptions,
    },
    /// Write a synthetic multilingual population with duplicates, and its truth.
    Generate {
        #[arg(long, default_value_t = 10_000)]
        rows: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Share of rows that are extra registrations of someone already present.
        #[arg(long, default_value_t = 0.1)]
        duplicates: f64,
        #[arg(long)]
        output: PathBuf,
        /// Where the truth (id,entity_id) goes; default: next to the output, .truth.csv.
        #[arg(long)]
        truth: Option<PathBuf>,
        /// `population` (multilingual registrations) or `febrl` (a two-file link set; the
        /// second file is written to --right).
        #[arg(long, default_value = "population")]
        style: String,
        #[arg(long)]
        right: Option<PathBuf>,
    },
}

#[derive(Args, Clone)]
pub struct MatchOptions {
    /// The column with each record's identifier.
    #[arg(long, default_value = "id")]
    id: String,
    /// Match probability from which a pair counts as a match.
    #[arg(long, default_value_t = 0.5)]
    threshold: f64,
    /// COLUMN:TYPE, repeatable; without it, columns are mapped by their names.
    #[arg(long = "field")]
    fields: Vec<String>,
    /// Add each comparison's level and contribution (in bits) to the pairs written.
    #[arg(long)]
    explain: bool,
    /// The date at which ages were stated (YYYY or YYYY-MM-DD); default: this year.
    #[arg(long)]
    reference_date: Option<String>,
    /// An extra name-variant file (one group per line, spellings separated by |).
    #[arg(long)]
    variants: Option<PathBuf>,
    /// Clerical decisions that improve the estimates: a CSV of left_id,right_id,is_match
    /// (is_match: 1/0, yes/no, true/false).
    #[arg(long)]
    labels: Option<PathBuf>,
    /// Hide the progress bar.
    #[arg(long)]
    quiet: bool,
    /// Print the trained model (m, u and weight of every comparison level) to stderr.
    #[arg(long)]
    show_model: bool,
}

pub fn run(command: MatchCommand) -> anyhow::Result<ExitCode> {
    match command {
        MatchCommand::Dedupe { input, output, pairs, options } => dedupe(&input, &output, pairs.as_deref(), &options),
        MatchCommand::Link { left, right, output, options } => link(&left, &right, &output, &options),
        MatchCommand::Generate { rows, seed, duplicates, output, truth, style, right } => {
            generate_files(rows, seed, duplicates, &output, truth, &style, right)
        }
    }
}

/// A CSV file read into memory, with its header.
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// The line of each row, for messages.
    pub lines: Vec<u64>,
}

/// Reads a CSV file; every problem names the file and the line.
pub fn read_table(path: &Path) -> anyhow::Result<Table> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(std::io::BufReader::new(file));
    let shown = path.display();
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.trim_start_matches('\u{feff}').trim().to_owned()).collect(),
        Err(e) => bail!("{shown}, line 1: cannot read the header: {}", csv_problem(&e)),
    };
    if headers.iter().all(String::is_empty) {
        bail!("{shown}: the file is empty or has no header line");
    }
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                lines.push(record.position().map(|p| p.line()).unwrap_or(0));
                rows.push(record.iter().map(str::to_owned).collect());
            }
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(lines.last().map(|l| l + 1).unwrap_or(2));
                bail!("{shown}, line {line}: {}", csv_problem(&e));
            }
        }
    }
    Ok(Table { headers, rows, lines })
}

fn csv_problem(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "the text is not UTF-8; save the file as UTF-8 (CSV UTF-8 in Excel)".into(),
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("{len} fields where the header has {expected_len}")
        }
        csv::ErrorKind::Io(io) => format!("read error: {io}"),
        _ => "the file is not valid CSV".into(),
    }
}

/// Reads clerical decisions; a value that is not a yes or a no names its line.
fn read_labels(path: &Path) -> anyhow::Result<Vec<(String, String, bool)>> {
    let table = read_table(path)?;
    if table.headers.len() < 3 {
        bail!("{}: write three columns: left_id,right_id,is_match", path.display());
    }
    let mut labels = Vec::with_capacity(table.rows.len());
    for (row, line) in table.rows.iter().zip(&table.lines) {
        let same = match row[2].trim().to_ascii_lowercase().as_str() {
            "1" | "yes" | "y" | "true" | "match" | "same" => true,
            "0" | "no" | "n" | "false" | "non-match" | "different" => false,
            _ => bail!("{}, line {line}: is_match must be 1 or 0 (yes or no)", path.display()),
        };
        labels.push((row[0].trim().to_owned(), row[1].trim().to_owned(), same));
    }
    Ok(labels)
}

/// The schema for a table: from --field options, or guessed from the headers.
fn schema_for(table: &Table, path: &Path, options: &MatchOptions) -> anyhow::Result<Schema> {
    if !table.headers.contains(&options.id) {
        bail!(
            "{}: no column {:?} for the record identifiers (columns: {}); name it with --id",
            path.display(),
            options.id,
            table.headers.join(", ")
        );
    }
    let schema = if options.fields.is_empty() {
        let headers: Vec<&str> = table.headers.iter().map(String::as_str).collect();
        Schema::guess(&headers, &options.id).with_context(|| {
            format!("{}: no column could be mapped; give them with --field COLUMN:TYPE", path.display())
        })?
    } else {
        let mut fields = Vec::new();
        for spec in &options.fields {
            let Some((column, kind)) = spec.rsplit_once(':') else {
                bail!("--field {spec}: write COLUMN:TYPE, e.g. --field surname:family_name");
            };
            let kind: FieldType = kind.parse().with_context(|| format!("--field {spec}"))?;
            if !table.headers.iter().any(|h| h == column) {
                bail!("--field {spec}: {} has no column {column:?}", path.display());
            }
            fields.push(Field { name: column.to_owned(), kind });
        }
        Schema::new(fields).context("--field")?
    };
    Ok(schema)
}

/// Records in schema order, refusing empty and duplicate identifiers.
pub fn records_of(table: Table, path: &Path, schema: &Schema, id_column: &str) -> anyhow::Result<Vec<Record>> {
    let index = |name: &str| table.headers.iter().position(|h| h == name);
    let id_at = index(id_column).context("id column")?;
    let columns: Vec<usize> = schema.fields.iter().filter_map(|f| index(&f.name)).collect();
    let mut seen: HashMap<String, u64> = HashMap::with_capacity(table.rows.len());
    let mut records = Vec::with_capacity(table.rows.len());
    for (row, line) in table.rows.into_iter().zip(table.lines) {
        let id = row[id_at].trim().to_owned();
        if id.is_empty() {
            bail!("{}, line {line}: the {id_column} column is empty", path.display());
        }
        if let Some(first) = seen.insert(id.clone(), line) {
            bail!("{}, line {line}: id {id:?} is already used on line {first}", path.display());
        }
        let values = columns.iter().map(|c| row[*c].clone()).collect();
        records.push(Record { id, values });
    }
    Ok(records)
}

fn settings_for(options: &MatchOptions) -> anyhow::Result<Settings> {
    if !(0.0..=1.0).contains(&options.threshold) {
        bail!("--threshold {}: give a match probability between 0 and 1", options.threshold);
    }
    let mut settings = Settings { threshold: options.threshold, ..Settings::default() };
    settings.reference_year = match &options.reference_date {
        Some(d) => d
            .get(..4)
            .and_then(|y| y.parse().ok())
            .filter(|y| (1900..=2100).contains(y))
            .with_context(|| format!("--reference-date {d}: write YYYY or YYYY-MM-DD"))?,
        None => time::OffsetDateTime::now_utc().year(),
    };
    if let Some(path) = &options.labels {
        settings.labels = read_labels(path)?;
    }
    if let Some(path) = &options.variants {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        if let Err(problems) = settings.variants.extend(&text) {
            for p in &problems {
                eprintln!("warning: {}, {p}", path.display());
            }
        }
    }
    Ok(settings)
}

fn print_mapping(schema: &Schema) {
    let shown: Vec<String> = schema.fields.iter().map(|f| format!("{} → {}", f.name, f.kind)).collect();
    eprintln!("columns: {}", shown.join(", "));
}

/// A progress bar on stderr, fed by the engine's stages.
struct Progress {
    bar: ProgressBar,
    /// When each stage was first reported, for the timings `--show-model` prints.
    started: std::sync::Mutex<Vec<(Stage, Instant)>>,
}

impl Progress {
    fn new(quiet: bool) -> Self {
        let bar = if quiet { ProgressBar::hidden() } else { ProgressBar::new(1) };
        if let Ok(style) = ProgressStyle::with_template("{msg:>10} [{bar:30}] {percent:>3}% {elapsed}") {
            bar.set_style(style.progress_chars("=> "));
        }
        Progress { bar, started: std::sync::Mutex::new(Vec::new()) }
    }

    fn timings(&self) -> String {
        let Ok(started) = self.started.lock() else { return String::new() };
        let now = Instant::now();
        started
            .iter()
            .enumerate()
            .map(|(i, (stage, at))| {
                let end = started.get(i + 1).map(|(_, t)| *t).unwrap_or(now);
                format!("{stage:?} {:.1} s", (end - *at).as_secs_f64())
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn report(&self, stage: Stage, done: usize, total: usize) {
        if let Ok(mut started) = self.started.lock()
            && started.last().is_none_or(|(s, _)| *s != stage)
        {
            started.push((stage, Instant::now()));
        }
        let name = match stage {
            Stage::Prepare => "preparing",
            Stage::Train => "training",
            Stage::Score => "scoring",
            Stage::Cluster => "clustering",
        };
        self.bar.set_message(name);
        self.bar.set_length(total.max(1) as u64);
        self.bar.set_position(done as u64);
    }
}

/// Runs the engine with the options' settings and a progress bar.
fn with_engine<T>(
    schema: Schema,
    options: &MatchOptions,
    run: impl FnOnce(&Linker, &Control<'_>) -> Result<T, haven_linkage::LinkError>,
) -> anyhow::Result<T> {
    let mut settings = settings_for(options)?;
    settings.explain = options.explain;
    let linker = Linker::new(schema, settings)?;
    let progress = Progress::new(options.quiet);
    let cancel = AtomicBool::new(false);
    let report = |s: Stage, d: usize, t: usize| progress.report(s, d, t);
    let result = run(&linker, &Control { progress: &report, cancel: &cancel });
    progress.bar.finish_and_clear();
    if options.show_model {
        eprintln!("stages: {}", progress.timings());
    }
    Ok(result?)
}

fn dedupe(input: &Path, output: &Path, pairs_out: Option<&Path>, options: &MatchOptions) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let table = read_table(input)?;
    let schema = schema_for(&table, input, options)?;
    print_mapping(&schema);
    let records = records_of(table, input, &schema, &options.id)?;
    let columns = column_names(&schema);
    let result = with_engine(schema, options, |linker, control| linker.dedupe(&records, control))?;
    print_unreadable(&columns, &result.unreadable);
    if options.show_model {
        eprint!("{}", result.model.describe());
        print_blocking(&result.blocking);
    }
    let mut out = create(output)?;
    writeln!(out, "id,cluster_id")?;
    for (record, cluster) in records.iter().zip(&result.clusters.cluster_of) {
        write_row(&mut out, &[&record.id, &cluster.to_string()])?;
    }
    out.flush()?;
    if let Some(path) = pairs_out {
        write_pairs(path, &result.pairs, &result.explanations, &records, &records)?;
    }
    let clusters = count_clusters(&result.clusters.cluster_of);
    eprintln!(
        "{} records, {} candidate pairs compared, {} matched pairs, {} groups of duplicates ({} merges held back by the chain guard, {} groups to review), {:.1} s",
        records.len(),
        result.blocking.iter().map(|b| b.pairs).sum::<u64>(),
        result.pairs.len(),
        clusters,
        result.clusters.held_back,
        result.clusters.flagged.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn column_names(schema: &Schema) -> Vec<String> {
    schema.fields.iter().map(|f| f.name.clone()).collect()
}

/// Dates and ages that could not be read count as missing: say so, column by column, so that
/// a file in an unexpected format is noticed.
fn print_unreadable(columns: &[String], counts: &[usize]) {
    for (name, n) in columns.iter().zip(counts).filter(|(_, n)| **n > 0) {
        eprintln!("warning: {n} value{} in column {name} could not be read and count as missing", plural(*n));
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn print_blocking(stats: &[haven_linkage::block::BlockStats]) {
    for s in stats {
        eprintln!(
            "blocking rule {:<14} {:>9} blocks ({} compared by sorted neighbourhood), {:>11} pairs",
            s.rule, s.blocks, s.oversized_blocks, s.pairs
        );
    }
}

fn count_clusters(cluster_of: &[u32]) -> usize {
    let mut sizes: HashMap<u32, usize> = HashMap::new();
    for c in cluster_of {
        *sizes.entry(*c).or_default() += 1;
    }
    sizes.values().filter(|n| **n > 1).count()
}

fn link(left: &Path, right: &Path, output: &Path, options: &MatchOptions) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let left_table = read_table(left)?;
    let right_table = read_table(right)?;
    let schema = schema_for(&left_table, left, options)?;
    for f in &schema.fields {
        if !right_table.headers.contains(&f.name) {
            bail!(
                "{}: no column {:?}, which {} has; both files need the same columns",
                right.display(),
                f.name,
                left.display()
            );
        }
    }
    if !right_table.headers.contains(&options.id) {
        bail!("{}: no column {:?} for the record identifiers; name it with --id", right.display(), options.id);
    }
    print_mapping(&schema);
    let left_records = records_of(left_table, left, &schema, &options.id)?;
    let right_records = records_of(right_table, right, &schema, &options.id)?;
    let columns = column_names(&schema);
    let result = with_engine(schema, options, |linker, control| linker.link(&left_records, &right_records, control))?;
    print_unreadable(&columns, &result.unreadable);
    if options.show_model {
        eprint!("{}", result.model.describe());
        print_blocking(&result.blocking);
    }
    write_pairs(output, &result.pairs, &result.explanations, &left_records, &right_records)?;
    eprintln!(
        "{} + {} records, {} candidate pairs compared, {} matched pairs, {:.1} s",
        left_records.len(),
        right_records.len(),
        result.blocking.iter().map(|b| b.pairs).sum::<u64>(),
        result.pairs.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn write_pairs(
    path: &Path,
    pairs: &[ScoredPair],
    explanations: &[Vec<Contribution>],
    left: &[Record],
    right: &[Record],
) -> anyhow::Result<()> {
    let mut out = create(path)?;
    let mut header = vec!["left_id".to_owned(), "right_id".into(), "probability".into(), "match_weight".into()];
    if let Some(first) = explanations.first() {
        for c in first {
            header.push(format!("{}_level", c.comparison));
            header.push(format!("{}_weight", c.comparison));
        }
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    write_row(&mut out, &header)?;
    for (i, p) in pairs.iter().enumerate() {
        let mut row = vec![
            left[p.a as usize].id.clone(),
            right[p.b as usize].id.clone(),
            format!("{:.6}", p.probability),
            format!("{:.3}", p.weight),
        ];
        for c in explanations.get(i).map(Vec::as_slice).unwrap_or(&[]) {
            row.push(c.level.clone());
            row.push(format!("{:.3}", c.weight));
        }
        let row: Vec<&str> = row.iter().map(String::as_str).collect();
        write_row(&mut out, &row)?;
    }
    out.flush()?;
    Ok(())
}

fn create(path: &Path) -> anyhow::Result<BufWriter<File>> {
    Ok(BufWriter::new(File::create(path).with_context(|| format!("cannot write {}", path.display()))?))
}

/// One CSV row; values with commas, quotes or line breaks are quoted.
fn write_row(out: &mut impl Write, values: &[&str]) -> std::io::Result<()> {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        if v.contains([',', '"', '\n', '\r']) {
            write!(out, "\"{}\"", v.replace('"', "\"\""))?;
        } else {
            out.write_all(v.as_bytes())?;
        }
    }
    out.write_all(b"\n")
}

fn generate_files(
    rows: usize,
    seed: u64,
    duplicates: f64,
    output: &Path,
    truth: Option<PathBuf>,
    style: &str,
    right: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let truth = truth.unwrap_or_else(|| truth_path(output));
    match style {
        "population" => {
            if !(0.0..=0.9).contains(&duplicates) {
                bail!("--duplicates {duplicates}: give a share between 0 and 0.9");
            }
            let settings = GenerateSettings { rows, seed, duplicates, ..GenerateSettings::default() };
            let people = generate::population(&settings);
            let mut out = create(output)?;
            let mut truth_out = create(&truth)?;
            write_row(&mut out, &generate::PersonRow::HEADERS)?;
            writeln!(truth_out, "id,entity_id")?;
            for p in &people {
                write_row(&mut out, &p.fields())?;
                writeln!(truth_out, "{},{}", p.id, p.entity_id)?;
            }
            out.flush()?;
            truth_out.flush()?;
            eprintln!("{} rows in {}, truth in {}", people.len(), output.display(), truth.display());
        }
        "febrl" => {
            let Some(right) = right else { bail!("--style febrl writes two files: give the second with --right") };
            let (a, b) = generate::febrl_link(rows, seed);
            let mut truth_out = create(&truth)?;
            writeln!(truth_out, "left_id,right_id")?;
            for (path, file) in [(output, &a), (right.as_path(), &b)] {
                let mut out = create(path)?;
                write_row(&mut out, &generate::FebrlRow::HEADERS)?;
                for r in file.iter() {
                    write_row(&mut out, &r.fields())?;
                }
                out.flush()?;
            }
            let by_entity: HashMap<u64, &str> = a.iter().map(|r| (r.entity_id, r.id.as_str())).collect();
            for r in &b {
                if let Some(left_id) = by_entity.get(&r.entity_id) {
                    writeln!(truth_out, "{left_id},{}", r.id)?;
                }
            }
            truth_out.flush()?;
            eprintln!("{} + {} rows, truth in {}", a.len(), b.len(), truth.display());
        }
        other => bail!("--style {other}: use population or febrl"),
    }
    Ok(ExitCode::SUCCESS)
}

pub fn truth_path(output: &Path) -> PathBuf {
    let stem = output.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "data".into());
    output.with_file_name(format!("{stem}.truth.csv"))
}
