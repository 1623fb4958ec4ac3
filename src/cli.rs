//! Commands of the `stdnav` binary.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand, ValueEnum};

use stdnav_advisor::AdvisorError;
use stdnav_advisor::orchestrate::{CallContext, Subject};
use stdnav_advisor::report::{self, Lang};
use stdnav_core::catalogue::Format;
use stdnav_core::enterprise::Profile;
use stdnav_runtime::progress::{Bar, Progress};
use stdnav_runtime::telemetry::LogFormat;
use stdnav_standards::domain::Standards;
use stdnav_standards::progress::Silent;
use stdnav_standards::search::{FacetKind, Filters, SearchParams};
use stdnav_standards::store::{CatalogueStore, default_sources};

use crate::allinone;

/// stdnav (标准领航) tells an enterprise which technical standards it must and
/// should adopt, which of its standards are out of date, and how far it
/// stands from advanced standards and its peers. Chinese and English text
/// (products, titles, terms) work everywhere.
///
/// Catalogues: the real ISO, IEC, ETSI and GB catalogues are read from
/// --data (default: ../shared/data when present); otherwise the bundled demo
/// catalogue is used. The first run builds the index under --home.
#[derive(Parser, Debug)]
#[command(name = "stdnav", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub data: stdnav_runtime::cli::DataFlag,
    #[command(flatten)]
    pub home: stdnav_runtime::cli::HomeFlag,
    /// Log format on stderr: plain or json (filter with STDNAV_LOG, e.g. STDNAV_LOG=debug).
    #[arg(
        long,
        global = true,
        env = "STDNAV_LOG_FORMAT",
        default_value = "plain"
    )]
    pub log_format: LogFormat,
    /// Export OpenTelemetry traces to this OTLP/gRPC collector (e.g.
    /// http://127.0.0.1:4317); off when unset.
    #[arg(long, global = true, env = "OTEL_EXPORTER_OTLP_ENDPOINT")]
    pub otlp_endpoint: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Advise one enterprise: the whole path in one process (index, model,
    /// profile, retrieve, score, compose) and print its solution.
    Advise {
        /// The enterprise profile (JSON; see examples/enterprises/ and docs/SOLUTION.md).
        #[arg(long)]
        profile: PathBuf,
        /// Output: json (one object) or text (a report).
        #[arg(long, value_enum, default_value = "json")]
        format: OutputFormat,
        /// Recommendations to list in `should` (1-200).
        #[arg(long, default_value_t = 20,
              value_parser = clap::value_parser!(u32).range(1..=i64::from(stdnav_advisor::grpc::MAX_TOP)))]
        top: u32,
        /// Language of the reasons (the text report; in JSON, each reason's
        /// `text` under `reason_codes`): zh or en.
        #[arg(long, default_value = "zh")]
        lang: Lang,
        /// Do not add the synthetic demo population as peers when the
        /// profile store under --home is empty.
        #[arg(long)]
        no_demo_peers: bool,
    },
    /// Check documents (标准有效性核查): every standard code they cite, in
    /// any spelling (GB/T 19001—2016, ＧＢ４７０６．１－２００５, ISO 9001:2015,
    /// IEC 60335-2-40 Ed.6, lists like GB 4706.1、4706.32), and whether each
    /// is still in force — superseded or withdrawn, by what, mandatory or
    /// not, undated references read as the current edition. Reads text
    /// (UTF-8, GBK/GB18030), PDF (text layer), DOCX, XLSX and CSV, at most
    /// 60 MiB each; `-` reads standard input. Exit codes: 0 checked, 2 a
    /// document cannot be read, 4 with --fail-on outdated when something
    /// cited is superseded or withdrawn.
    Check(crate::check::CheckArgs),
    /// Search the catalogue: words in Chinese or English, or a standard code.
    Search {
        /// The query, e.g. "质量管理体系", "air conditioner safety", "IEC 60335-2-40".
        query: String,
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
        /// Page number (1-based).
        #[arg(long, default_value_t = 1)]
        page: u32,
        /// Hits per page (1-100).
        #[arg(long, default_value_t = 10)]
        page_size: u32,
        /// Only standards in force.
        #[arg(long)]
        current: bool,
        /// Only this ICS prefix, e.g. 97.040.
        #[arg(long)]
        ics: Vec<String>,
    },
    /// Serve every service (standards, profiling, scoring, advisor, changes)
    /// on one port and the web face on --http-listen (the default deployment).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "STDNAV_LISTEN", default_value = "127.0.0.1:50051")]
        listen: SocketAddr,
        /// The profile store and the change log: in Redis, or embedded under --home.
        #[command(flatten)]
        redis: stdnav_runtime::cli::RedisFlags,
        /// Address of the web face (JSON API, OpenAPI, pages), or `off`.
        #[arg(long, env = "STDNAV_HTTP_LISTEN", default_value = "127.0.0.1:8080", value_parser = parse_http_listen)]
        http_listen: HttpListen,
        /// CORS of the web face's JSON API (off unless origins are given).
        #[command(flatten)]
        cors: stdnav_web::cli::CorsFlags,
        /// The index's chain batch results and the map's figures cache.
        #[command(flatten)]
        figures: stdnav_web::cli::FiguresFlags,
        // Boxed: the largest variant by far (clippy::large_enum_variant).
        #[command(flatten)]
        serve: Box<stdnav_runtime::cli::ServeFlags>,
        #[command(flatten)]
        client: stdnav_runtime::cli::ClientFlags,
    },
    /// Add or update standards records from files (relaton JSONL, GB CSV, or
    /// stdnav JSONL); prints added / updated / unchanged / rejected.
    Ingest {
        /// Files to ingest; the format is taken from the name unless --format is given.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long, value_enum)]
        format: Option<IngestFormat>,
        /// Where change events go (docs/CHANGES.md).
        #[command(flatten)]
        changes: crate::changes::LogArgs,
    },
    /// Generate the synthetic demo population: enterprises across Shandong's
    /// 16 prefecture cities in fourteen chains (new-energy vehicles, household
    /// appliances, food, chemicals, and ten more so that every manufacturing
    /// division occurs), labelled synthetic (docs/DEMO_DATA.md).
    DemoData {
        /// How many enterprises.
        #[arg(long, default_value_t = 1000)]
        count: usize,
        /// Seed: the same seed gives the same population.
        #[arg(long, default_value_t = stdnav_core::population::DEFAULT_SEED)]
        seed: u64,
        /// Write the profiles as JSON Lines to this file (- for stdout).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Also validate and store them in the profile store and train the peer model.
        #[arg(long)]
        upsert: bool,
        #[command(flatten)]
        store: crate::population::StoreArgs,
    },
    /// Train the recommendation model on the demo population (synthetic
    /// labels, docs/EVALUATION.md) through the real services, and save it
    /// where the scoring service loads it (--home/models/scoring.json; a
    /// running service reloads it without restart).
    Train {
        #[command(flatten)]
        population: crate::evaluate::PopulationArgs,
        /// Where to write the artifact (default: --home/models/scoring.json).
        #[arg(long)]
        model: Option<PathBuf>,
        /// Model kind: auto (logistic regression, decision tree and forest of
        /// bagged trees, the one ranking validation enterprises and the check
        /// set's dev half best kept), logistic, tree or forest.
        #[arg(long, value_enum, default_value = "auto")]
        kind: TrainKind,
    },
    /// Measure the model against two baselines (BM25 over product text,
    /// popularity in the industry): Recall@10, NDCG@10 and MRR on held-out
    /// demo enterprises and on the real-world check set's dev and test
    /// halves, each case once per language, overall and by market regime,
    /// language and division group; prints Markdown tables.
    Evaluate {
        /// As for `train`: the held-out enterprises are those train left out.
        #[command(flatten)]
        population: crate::evaluate::PopulationArgs,
        /// The artifact to evaluate (default: --home/models/scoring.json).
        #[arg(long)]
        model: Option<PathBuf>,
        /// Which half of the real-world check set to run (dev: the half
        /// model selection uses; test: reported, never tuned on).
        #[arg(long, value_enum, default_value = "all")]
        set: crate::evaluate::SetChoice,
        /// Which product names the check set's runs declare: the case's
        /// names as an enterprise writes them, or the regulation's category
        /// name alone (a check of matching on wording it was not tuned on).
        #[arg(long, value_enum, default_value = "enterprise")]
        names: crate::evaluate::NamesChoice,
        /// Skip the held-out synthetic enterprises (the check set only).
        #[arg(long)]
        check_only: bool,
        /// Also write the rows as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Write each check-set run's relevant lines and their rank in the
        /// model's ranking (null: not among its candidates) to this file,
        /// as JSON Lines: what retrieval and ranking miss, case by case;
        /// for the dev half also the model's first ten lines.
        #[arg(long)]
        misses: Option<PathBuf>,
        /// Write every candidate of the check set's dev half (never the
        /// test half) with its features and whether the case names its
        /// line, as JSON Lines: the data for studying the ranking offline.
        #[arg(long)]
        dev_candidates: Option<PathBuf>,
    },
    /// Score every enterprise of an industry chain (产业链): per-enterprise
    /// JSON Lines and CSV plus the chain summary (coverage per segment, most
    /// common gaps, laggards, products with no standard). Resumes from its
    /// checkpoint when run again.
    Batch(crate::batch::BatchArgs),
    /// API keys for `serve --keys FILE` and the service binaries: one per
    /// tenant and scope (read; write: also store enterprises; admin: also
    /// ingest, train, delete). Only a hash of each key is kept.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
        /// The key file (default: --home/keys.json); before or after the
        /// subcommand (`stdnav keys create --file keys.json …`).
        #[arg(long, env = "STDNAV_KEYS", global = true)]
        file: Option<PathBuf>,
    },
    /// Peer groups: the tenant's k-means peer model.
    Peers {
        #[command(subcommand)]
        command: crate::population::PeersCommand,
    },
    /// Change alerts: reminders, digests and the tenant's feed (docs/CHANGES.md).
    Changes {
        #[command(subcommand)]
        command: crate::changes::ChangesCommand,
    },
    /// Mine a zh↔en term list from aligned titles: the Chinese titles of the
    /// ISO/IEC standards China adopts (cn-gb-national/gb_national.csv under
    /// --data) beside their English titles (relaton ISO/IEC); writes
    /// core/data/terms_mined.tsv and prints the counts (core/data/README.md).
    MineTerms(crate::mine_terms::MineTermsArgs),
    /// Mine which standard lines regulations name together from the dev half
    /// of the real-world check set (models/data/checkset.json); writes
    /// core/data/cocited.tsv, which retrieval uses to add the horizontal
    /// standards (EMC, radio, contaminants …) a product standard keeps company with.
    MineCocited(crate::mine_cocited::MineCocitedArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OutputFormat {
    Json,
    Text,
}

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Create a key and print it (shown once).
    Create {
        #[arg(long)]
        tenant: String,
        /// read, write or admin (each for the key's tenant), or service:
        /// read for whichever tenant a call names — only for a service
        /// acting for every tenant, as stdnav-changes reading enterprises.
        #[arg(long, default_value = "read")]
        scope: stdnav_runtime::auth::Scope,
        /// Who or what the key is for.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// List keys (ids, tenants, scopes; never the keys).
    List,
    /// Revoke a key by id; running servers refuse it within a second.
    Revoke { id: String },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TrainKind {
    Auto,
    Logistic,
    Tree,
    Forest,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum IngestFormat {
    Stdnav,
    Relaton,
    GbCsv,
}

/// --data, else ../shared/data when present, else none (demo catalogue only).
fn data_dir(given: Option<&Path>) -> anyhow::Result<Option<PathBuf>> {
    match given {
        Some(dir) if dir.is_dir() => Ok(Some(dir.to_path_buf())),
        Some(dir) => bail!("--data {} is not a directory", dir.display()),
        None => {
            let default = PathBuf::from("../shared/data");
            Ok(default.join("relaton-iso").is_dir().then_some(default))
        }
    }
}

fn describe_catalogue(data: Option<&Path>) {
    match data {
        Some(d) => eprintln!(
            "catalogue: real ISO/IEC/ETSI/GB data from {} + bundled demo catalogue",
            d.display()
        ),
        None => eprintln!(
            "catalogue: bundled demo catalogue only (pass --data DIR for the real catalogues)"
        ),
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // Industry codes are checked against the real lists in the data directory.
    let data = allinone::DataDir::load(data_dir(cli.data.path.as_deref())?)?;
    match cli.command {
        Command::Advise {
            profile,
            format,
            top,
            lang,
            no_demo_peers,
        } => {
            advise(
                &cli.home.path,
                data,
                &profile,
                format,
                top,
                lang,
                !no_demo_peers,
            )
            .await
        }
        Command::Check(args) => crate::check::command(&cli.home.path, data.path.as_deref(), &args),
        Command::Search {
            query,
            format,
            page,
            page_size,
            current,
            ics,
        } => {
            let store = open_catalogue(&cli.home.path, data.path.as_deref())?;
            let standards = Standards::with_store(Arc::new(store));
            let params = SearchParams {
                query,
                filters: Filters {
                    statuses: if current {
                        vec![stdnav_core::standard::Status::Current]
                    } else {
                        Vec::new()
                    },
                    ics_prefixes: ics,
                    ..Default::default()
                },
                page,
                page_size,
                facets: vec![FacetKind::Level, FacetKind::Status],
            };
            let result = match standards.search(&params) {
                Ok(r) => r,
                Err(stdnav_standards::error::StandardsError::InvalidArgument(v)) => {
                    for (field, why) in v {
                        eprintln!("invalid {field}: {why}");
                    }
                    return Ok(ExitCode::from(2));
                }
                Err(e) => return Err(e.into()),
            };
            print_search(&result, format);
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve {
            listen,
            redis,
            http_listen,
            cors,
            figures,
            serve,
            client,
        } => {
            describe_catalogue(data.path.as_deref());
            let default_batch = cli.home.path.join("batch");
            let listener = stdnav_runtime::server::bind(listen).await?;
            let running = allinone::start(
                allinone::Config {
                    model: allinone::Config::model_path(&cli.home.path),
                    home: cli.home.path,
                    data,
                    redis_url: redis.url,
                    redis_prefix: redis.prefix,
                    store_fallback: false,
                    fresh_store: false,
                    serve: *serve,
                    client,
                    http_listen: http_listen.0,
                    // Without --batch-results, `stdnav serve` reads --home/batch.
                    web: figures.options(cors.cors(), Some(&default_batch)),
                },
                listener,
                stdnav_runtime::shutdown::signal(),
                Arc::new(Silent),
            )
            .await?;
            eprintln!(
                "stdnav serving on {} (health NOT_SERVING until loaded)",
                running.handle.local_addr
            );
            if let Some(http) = running.http_addr {
                eprintln!("web face on http://{http}/");
            }
            running.ready.await??;
            eprintln!("ready");
            running.handle.join.await??;
            Ok(ExitCode::SUCCESS)
        }
        Command::DemoData {
            count,
            seed,
            out,
            upsert,
            store,
        } => {
            crate::population::demo_data(
                &cli.home.path,
                data.industry,
                count,
                seed,
                out,
                upsert,
                &store,
            )
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Train {
            population: crate::evaluate::PopulationArgs { count, seed },
            model,
            kind,
        } => {
            let path = model.unwrap_or_else(|| allinone::Config::model_path(&cli.home.path));
            describe_catalogue(data.path.as_deref());
            let kind = match kind {
                TrainKind::Auto => None,
                TrainKind::Logistic => Some(stdnav_models::ModelKind::Logistic),
                TrainKind::Tree => Some(stdnav_models::ModelKind::DecisionTree),
                TrainKind::Forest => Some(stdnav_models::ModelKind::Forest),
            };
            let trained = crate::evaluate::train(&cli.home.path, data, count, seed, kind).await?;
            trained
                .save(&path)
                .with_context(|| format!("saving the model to {}", path.display()))?;
            println!(
                "{} ({}) saved to {}",
                trained.id(),
                trained.kind(),
                path.display()
            );
            for (k, v) in trained.metrics() {
                println!("  {k} = {v:.4}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Evaluate {
            population: crate::evaluate::PopulationArgs { count, seed },
            model,
            set,
            names,
            check_only,
            json,
            misses,
            dev_candidates,
        } => {
            let path = model.unwrap_or_else(|| allinone::Config::model_path(&cli.home.path));
            let loaded = stdnav_models::Model::load(&path).with_context(|| {
                format!(
                    "loading the model {} (run `stdnav train` first)",
                    path.display()
                )
            })?;
            describe_catalogue(data.path.as_deref());
            let options = crate::evaluate::EvalOptions {
                set,
                names,
                held_out: !check_only,
                misses,
                dev_candidates,
            };
            let crate::evaluate::Evaluation { rows, must } =
                crate::evaluate::evaluate(&cli.home.path, data, count, seed, &loaded, options)
                    .await?;
            if let Some(file) = json {
                let doc = serde_json::json!({
                    "model": loaded.id(),
                    "kind": loaded.kind().to_string(),
                    "count": count,
                    "seed": seed,
                    "k": crate::evaluate::K,
                    "checkset_cases": stdnav_models::checkset::cases().len(),
                    "rows": rows,
                    "must": must,
                });
                std::fs::write(&file, serde_json::to_string_pretty(&doc)? + "\n")
                    .with_context(|| format!("writing {}", file.display()))?;
            }
            println!(
                "model {} ({}), demo population of {count} (seed {seed}), k = {}\n",
                loaded.id(),
                loaded.kind(),
                crate::evaluate::K
            );
            print!("{}", crate::evaluate::markdown(&rows, seed));
            Ok(ExitCode::SUCCESS)
        }
        Command::Keys { command, file } => {
            use stdnav_runtime::auth;
            let file = file.unwrap_or_else(|| cli.home.path.join("keys.json"));
            match command {
                KeysCommand::Create {
                    tenant,
                    scope,
                    note,
                } => {
                    let (key, stored) = auth::create_key(&file, &tenant, scope, &note)?;
                    eprintln!(
                        "created key {} for tenant {:?} with scope {} in {} — store it now, it is not shown again:",
                        stored.id,
                        stored.tenant,
                        stored.scope,
                        file.display()
                    );
                    println!("{key}");
                }
                KeysCommand::List => {
                    for k in auth::list_keys(&file)? {
                        println!(
                            "{}  {:<20} {:<6} created {}{}  {}",
                            k.id,
                            k.tenant,
                            k.scope.to_string(),
                            k.created,
                            k.revoked
                                .as_ref()
                                .map(|r| format!(", revoked {r}"))
                                .unwrap_or_default(),
                            k.note
                        );
                    }
                }
                KeysCommand::Revoke { id } => {
                    if !auth::revoke_key(&file, &id)? {
                        bail!("no key {id:?} in {}", file.display());
                    }
                    println!("revoked {id}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Batch(args) => {
            crate::batch::batch(&cli.home.path, data, args).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Peers { command } => {
            crate::population::peers(&cli.home.path, data.industry, command).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Changes { command } => {
            crate::changes::run(&cli.home.path, data.path.as_deref(), command).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::MineTerms(args) => {
            crate::mine_terms::run(data.path.as_deref(), &args)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::MineCocited(args) => {
            crate::mine_cocited::run(&args)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Ingest {
            files,
            format,
            changes,
        } => {
            let store = Arc::new(open_catalogue(&cli.home.path, data.path.as_deref())?);
            let mut failed = false;
            for file in files {
                let format = match format {
                    Some(IngestFormat::Stdnav) => Format::StdnavJsonl,
                    Some(IngestFormat::Relaton) => Format::RelatonJsonl,
                    Some(IngestFormat::GbCsv) => Format::GbCsv,
                    None => Format::from_path(&file).with_context(|| {
                        format!(
                            "cannot tell the format of {}: pass --format",
                            file.display()
                        )
                    })?,
                };
                let content =
                    std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
                let text = stdnav_core::catalogue::decode(&content)?;
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                let bar = Bar::new();
                let before = store.snapshot();
                let report = store.ingest(&text, format, &name, &bar)?;
                println!(
                    "{}: added {}, updated {}, unchanged {}, rejected {}",
                    file.display(),
                    report.added,
                    report.updated,
                    report.unchanged,
                    report.rejected
                );
                if report.added + report.updated > 0 {
                    crate::changes::record_ingest(
                        &cli.home.path,
                        &changes,
                        &before.catalogue,
                        store.clone(),
                        &name,
                    )
                    .await?;
                }
                for r in report.rejections.iter().take(20) {
                    println!("  line {}: {}", r.line, r.reason);
                }
                if report.rejections.len() > 20 {
                    println!(
                        "  … and {} more rejected lines",
                        report.rejections.len() - 20
                    );
                }
                failed |= report.rejected > 0;
            }
            Ok(if failed {
                ExitCode::from(3)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

pub(crate) fn open_catalogue(home: &Path, data: Option<&Path>) -> anyhow::Result<CatalogueStore> {
    describe_catalogue(data);
    let bar = Bar::new();
    let store = CatalogueStore::open(&home.join("standards"), &default_sources(data), &bar)?;
    bar.finish();
    Ok(store)
}

fn print_search(result: &stdnav_standards::domain::SearchPage, format: OutputFormat) {
    match format {
        OutputFormat::Json => {
            let hits: Vec<serde_json::Value> = result
                .hits
                .iter()
                .map(|h| {
                    serde_json::json!({
                        "id": h.standard.standard.id,
                        "title_zh": h.standard.standard.title_zh,
                        "title_en": h.standard.standard.title_en,
                        "status": h.standard.standard.status,
                        "status_source": h.standard.standard.status_source,
                        "title_source": h.standard.standard.title_source,
                        "ics_source": h.standard.standard.ics_source,
                        "category": h.standard.standard.category,
                        "level": h.standard.standard.level,
                        "nature": h.standard.standard.nature,
                        "ics": h.standard.standard.ics,
                        "score": h.score,
                        "highlighted_title": h.highlighted_title,
                    })
                })
                .collect();
            let out =
                serde_json::json!({ "total": result.total, "page": result.page, "hits": hits });
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
        OutputFormat::Text => {
            println!("{} results (page {})", result.total, result.page);
            for h in &result.hits {
                let s = &h.standard.standard;
                let title = if s.title_zh.is_empty() {
                    &s.title_en
                } else {
                    &s.title_zh
                };
                // An inferred status or a title taken from the adopted
                // standard is marked, so nobody reads it as the catalogue's word.
                let inferred = if s.status_source == stdnav_core::standard::Provenance::Inferred {
                    ", inferred"
                } else {
                    ""
                };
                let adopted = if s.title_source == stdnav_core::standard::Provenance::Adopted {
                    " (title of the adopted standard)"
                } else {
                    ""
                };
                println!("  {:<32} [{:?}{inferred}] {title}{adopted}", s.id, s.status);
            }
        }
    }
}

async fn advise(
    home: &Path,
    data: allinone::DataDir,
    profile_path: &Path,
    format: OutputFormat,
    top: u32,
    lang: Lang,
    demo_peers: bool,
) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(profile_path)
        .with_context(|| format!("reading the profile {}", profile_path.display()))?;
    let profile: Profile = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a valid profile", profile_path.display()))?;
    describe_catalogue(data.path.as_deref());
    let local = allinone::start_local(home, data, false).await?;
    let ctx = local_context();
    if demo_peers {
        crate::population::seed_demo_if_empty(local.profiles(), &ctx).await?;
    }
    // The in-process advisor: the answer the Advise RPC gives, without
    // encoding it and decoding it again in the same process.
    let subject = Subject::Inline(Box::new(profile));
    let result = local.advisor().advise(&ctx, subject, top as usize).await;
    local.shutdown().await;
    let solution = match result {
        Ok(solution) => solution,
        Err(AdvisorError::InvalidArgument(violations)) => {
            eprintln!("the profile is invalid:");
            for v in violations {
                eprintln!(
                    "  {}: {}",
                    v.field.trim_start_matches("profile."),
                    v.description
                );
            }
            return Ok(ExitCode::from(2));
        }
        Err(e) if e.is_invalid_argument() => {
            eprintln!("the profile is invalid:\n  {e}");
            return Ok(ExitCode::from(2));
        }
        Err(e) => bail!("advise failed: {e}"),
    };
    match format {
        OutputFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&solution_json(&solution, lang)?)?
        ),
        OutputFormat::Text => print!("{}", report::render(&solution, lang)),
    }
    Ok(ExitCode::SUCCESS)
}

/// The solution's JSON (docs/SOLUTION.md): `reasons` in English as they
/// always were, and beside them `reason_codes` — each reason's code, its
/// arguments and its `text` in `lang`.
fn solution_json(
    solution: &stdnav_advisor::solution::Solution,
    lang: Lang,
) -> anyhow::Result<serde_json::Value> {
    use stdnav_core::reason::{Lang as ReasonLang, Reason};
    let lang: ReasonLang = lang.into();
    let codes = |reasons: &[Reason]| -> serde_json::Value {
        reasons
            .iter()
            .map(
                |r| serde_json::json!({"code": r.code(), "args": r.args(), "text": r.render(lang)}),
            )
            .collect()
    };
    let mut value = serde_json::to_value(solution)?;
    let items = [
        (
            "must",
            solution
                .must
                .iter()
                .map(|m| codes(&m.reasons))
                .collect::<Vec<_>>(),
        ),
        (
            "should",
            solution.should.iter().map(|x| codes(&x.reasons)).collect(),
        ),
    ];
    for (key, all) in items {
        if let Some(list) = value.get_mut(key).and_then(|v| v.as_array_mut()) {
            for (item, codes) in list.iter_mut().zip(all) {
                if let Some(object) = item.as_object_mut() {
                    object.insert("reason_codes".into(), codes);
                }
            }
        }
    }
    Ok(value)
}

/// The context of a one-shot command's calls: the default tenant (as a
/// call without `x-stdnav-tenant` has), no deadline beyond each call's own.
fn local_context() -> CallContext {
    CallContext {
        tenant: stdnav_runtime::tenant::DEFAULT_TENANT.to_string(),
        deadline: None,
        credentials: Default::default(),
    }
}

/// `--http-listen`: an address, or `off` for no web face.
#[derive(Debug, Clone, Copy)]
pub struct HttpListen(pub Option<SocketAddr>);

fn parse_http_listen(s: &str) -> Result<HttpListen, String> {
    if s.trim().eq_ignore_ascii_case("off") {
        return Ok(HttpListen(None));
    }
    s.parse()
        .map(|a| HttpListen(Some(a)))
        .map_err(|e| format!("{s:?}: {e} (an address such as 127.0.0.1:8080, or off)"))
}
