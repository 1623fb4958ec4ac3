//! `stdnav changes …` (reminders, digests, the feed), the change events of
//! `stdnav ingest`, and the changes service's wiring in the all-in-one server.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Subcommand, ValueEnum};

use stdnav_changes::digest::Lang;
use stdnav_changes::log::ChangeLog;
use stdnav_changes::subscription::TargetKind;
use stdnav_changes::{Changes, open_log};
use stdnav_core::catalogue::Catalogue;
use stdnav_profiling::open_store;
use stdnav_runtime::progress::{Bar, Progress};
use stdnav_standards::store::{CatalogueStore, default_sources};

use crate::population::StoreArgs;

#[derive(Subcommand, Debug)]
pub enum ChangesCommand {
    /// Reminders for the tenant's enterprises: held standards five years
    /// past publication with no review (复审), upcoming standards coming
    /// into force within --horizon, transition deadlines of mandatory
    /// standards. Adds them to the tenant's feed (each once) and prints them.
    Remind {
        #[command(flatten)]
        store: StoreArgs,
        /// How far ahead to look for standards coming into force (e.g. 90d, 6months).
        #[arg(long, default_value = "90d", value_parser = stdnav_changes::remind::parse_horizon)]
        horizon: Duration,
        /// The day to compute for (YYYY-MM-DD); default today.
        #[arg(long)]
        today: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        #[arg(long, value_enum, default_value = "zh")]
        lang: DigestLang,
    },
    /// What changed for each of the tenant's enterprises since a date, and
    /// what to do: catalogue changes that affect them and their reminders.
    Digest {
        #[command(flatten)]
        store: StoreArgs,
        /// Start of the period (YYYY-MM-DD or RFC 3339).
        #[arg(long)]
        since: String,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        #[arg(long, value_enum, default_value = "zh")]
        lang: DigestLang,
    },
    /// Replays the catalogue's own history since a date: the catalogue as
    /// it stood then (later editions left out, their predecessors current
    /// again) against the catalogue now, recorded as change events and
    /// fanned out. For a first digest of a new deployment.
    Replay {
        #[command(flatten)]
        store: StoreArgs,
        /// The date to replay from (YYYY-MM-DD).
        #[arg(long)]
        since: String,
    },
    /// Watch an enterprise, a standard, an ICS group, an industry or a chain
    /// (what gRPC's Subscribe does); prints the subscription.
    Subscribe {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(value_enum)]
        kind: WatchKind,
        /// A USCC, a standard code (no year: every edition), an ICS code, a
        /// GB/T 4754 class or prefix, or a chain id or name.
        value: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// The tenant's subscriptions.
    Subscriptions {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Remove a subscription by id.
    Unsubscribe {
        #[command(flatten)]
        store: StoreArgs,
        id: String,
    },
    /// The tenant's feed (what its subscriptions matched, and reminders) as JSON Lines.
    List {
        #[command(flatten)]
        store: StoreArgs,
        /// Only entries detected since (YYYY-MM-DD or RFC 3339).
        #[arg(long, default_value = "")]
        since: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum WatchKind {
    Enterprise,
    Standard,
    IcsGroup,
    Industry,
    Chain,
}

impl From<WatchKind> for TargetKind {
    fn from(k: WatchKind) -> TargetKind {
        match k {
            WatchKind::Enterprise => TargetKind::Enterprise,
            WatchKind::Standard => TargetKind::Standard,
            WatchKind::IcsGroup => TargetKind::IcsGroup,
            WatchKind::Industry => TargetKind::Industry,
            WatchKind::Chain => TargetKind::Chain,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DigestLang {
    Zh,
    En,
}

impl From<DigestLang> for Lang {
    fn from(l: DigestLang) -> Lang {
        match l {
            DigestLang::Zh => Lang::Zh,
            DigestLang::En => Lang::En,
        }
    }
}

/// Where the change log is: Redis when a URL is given, else `--home/changes.redb`.
pub type LogArgs = stdnav_runtime::cli::RedisFlags;

async fn open_changes(
    home: &Path,
    data: Option<&Path>,
    store: &StoreArgs,
) -> anyhow::Result<Arc<Changes>> {
    // The rule the gRPC services apply to `x-stdnav-tenant`; tenants name Redis keys.
    let t = &store.tenant;
    if t.is_empty()
        || t.len() > 64
        || !t
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        anyhow::bail!("--tenant must be 1-64 ASCII letters, digits, '-' or '_'");
    }
    let hint = "is `stdnav serve` running on the same --home? use the server, or Redis";
    let log = open_log(store.redis.url.as_deref(), &store.redis.prefix, home)
        .await
        .with_context(|| format!("opening the change log ({hint})"))?;
    let profiles = open_store(store.redis.url.as_deref(), &store.redis.prefix, home)
        .await
        .with_context(|| format!("opening the profile store ({hint})"))?;
    let bar = Bar::new();
    let catalogue = CatalogueStore::open(&home.join("standards"), &default_sources(data), &bar)?;
    bar.finish();
    Ok(Arc::new(Changes::new(log, profiles, Arc::new(catalogue))))
}

fn today_ms(today: Option<&str>) -> anyhow::Result<u64> {
    match today {
        Some(d) => stdnav_changes::remind::date_ms(d)
            .with_context(|| format!("--today {d:?} is not a date (YYYY-MM-DD)")),
        None => Ok(stdnav_changes::now_ms()),
    }
}

pub async fn run(home: &Path, data: Option<&Path>, command: ChangesCommand) -> anyhow::Result<()> {
    match command {
        ChangesCommand::Remind {
            store,
            horizon,
            today,
            format,
            lang,
        } => {
            let changes = open_changes(home, data, &store).await?;
            let items = changes
                .remind(&store.tenant, today_ms(today.as_deref())?, horizon)
                .await?;
            match format {
                Format::Json => {
                    for i in &items {
                        println!("{}", serde_json::to_string(i)?);
                    }
                }
                Format::Text => {
                    let digest = stdnav_changes::digest::Digest::build(
                        &store.tenant,
                        today_ms(today.as_deref())?,
                        &changes.enterprises(&store.tenant).await?,
                        &items,
                    );
                    print!("{}", digest.render(lang.into()));
                }
            }
        }
        ChangesCommand::Digest {
            store,
            since,
            format,
            lang,
        } => {
            let since_ms = stdnav_changes::domain::parse_since(&since)
                .map_err(|why| anyhow::anyhow!("--since {since:?}: {why}"))?;
            let changes = open_changes(home, data, &store).await?;
            let digest = changes.digest(&store.tenant, since_ms).await?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&digest)?),
                Format::Text => print!("{}", digest.render(lang.into())),
            }
        }
        ChangesCommand::Replay { store, since } => {
            let since_ms = stdnav_changes::remind::date_ms(&since)
                .with_context(|| format!("--since {since:?} is not a date (YYYY-MM-DD)"))?;
            let changes = open_changes(home, data, &store).await?;
            let now = changes.catalogue_now()?;
            let records = now.catalogue().records().to_vec();
            let then = Catalogue::build(stdnav_changes::event::as_of(&records, since_ms));
            let events = changes
                .record_ingest(&then, now.catalogue(), &format!("replay since {since}"))
                .await?;
            let fanned = changes.fan_out().await?;
            println!(
                "{} change events since {since} recorded; {fanned} fanned out to subscribed tenants",
                events.len()
            );
        }
        ChangesCommand::Subscribe {
            store,
            kind,
            value,
            note,
        } => {
            let changes = open_changes(home, data, &store).await?;
            match changes
                .subscribe(&store.tenant, Some(kind.into()), &value, &note)
                .await
            {
                Ok(sub) => println!("{}", serde_json::to_string(&sub)?),
                Err(stdnav_changes::error::ChangesError::InvalidArgument(v)) => {
                    let why: Vec<String> = v.iter().map(ToString::to_string).collect();
                    anyhow::bail!("{}", why.join("; "));
                }
                Err(e) => return Err(e.into()),
            }
        }
        ChangesCommand::Subscriptions { store } => {
            let changes = open_changes(home, data, &store).await?;
            for sub in changes.subscriptions(&store.tenant).await? {
                println!("{}", serde_json::to_string(&sub)?);
            }
        }
        ChangesCommand::Unsubscribe { store, id } => {
            let changes = open_changes(home, data, &store).await?;
            if !changes.unsubscribe(&store.tenant, &id).await? {
                anyhow::bail!("tenant {:?} has no subscription {id:?}", store.tenant);
            }
            println!("removed {id}");
        }
        ChangesCommand::List { store, since } => {
            let changes = open_changes(home, data, &store).await?;
            let mut token = String::new();
            loop {
                let (page, next) = changes
                    .list_changes(
                        &store.tenant,
                        &since,
                        500,
                        &token,
                        Some(stdnav_changes::domain::MAX_ENTRY_IMPACTS),
                    )
                    .await?;
                for mut e in page {
                    // Every impact, as the entry stores them apart.
                    if e.item.impacts.len() < e.item.impact_count {
                        changes.all_impacts(&store.tenant, &mut e).await?;
                    }
                    let line = serde_json::json!({ "cursor": e.cursor, "entry": e.item });
                    println!("{line}");
                }
                match next {
                    Some(n) => token = n,
                    None => break,
                }
            }
        }
    }
    Ok(())
}

/// After `stdnav ingest`: records the change events between the catalogue
/// before and after, then fans them out to the tenants that watch them.
/// When a running server holds the embedded log, says so and records nothing.
pub async fn record_ingest(
    home: &Path,
    log: &LogArgs,
    before: &Catalogue,
    store: Arc<CatalogueStore>,
    source: &str,
) -> anyhow::Result<()> {
    let change_log = match open_log(log.url.as_deref(), &log.prefix, home).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "  change events not recorded: {e} (a running `stdnav serve` holds the log; ingest through it, or use Redis)"
            );
            return Ok(());
        }
    };
    let profiles = match open_store(log.url.as_deref(), &log.prefix, home).await {
        Ok(p) => Some(p),
        Err(e) => {
            eprintln!("  change events recorded, not fanned out yet: {e}");
            None
        }
    };
    let after = store.snapshot();
    let Some(profiles) = profiles else {
        let events =
            stdnav_changes::event::diff(before, &after.catalogue, source, stdnav_changes::now_ms());
        let added = change_log.publish(&events).await?;
        println!("  change events: {} detected, {added} new", events.len());
        return Ok(());
    };
    let changes = Changes::new(change_log, profiles, store);
    let events = changes
        .record_ingest(before, &after.catalogue, source)
        .await?;
    let fanned = changes.fan_out().await?;
    println!(
        "  change events: {} detected; {fanned} fanned out to subscribed tenants",
        events.len()
    );
    Ok(())
}

/// The changes service of the all-in-one server: its log (Redis, or
/// `changes.redb` beside the profile store — in `temp` when that is a
/// temporary directory, or when `fallback` allows one because another
/// process holds the file).
pub async fn open_server_log(
    home: &Path,
    redis_url: Option<&str>,
    redis_prefix: &str,
    temp: &mut Option<tempfile::TempDir>,
    fallback: bool,
) -> anyhow::Result<Arc<dyn ChangeLog>> {
    if let Some(dir) = temp.as_ref().filter(|_| redis_url.is_none()) {
        return Ok(open_log(None, "", dir.path()).await?);
    }
    match open_log(redis_url, redis_prefix, home).await {
        Ok(log) => Ok(log),
        Err(e) if fallback && redis_url.is_none() => {
            tracing::warn!(error = %e, "change log in use by another process; using an empty temporary one");
            let dir = tempfile::tempdir()?;
            let log = open_log(None, "", dir.path()).await?;
            *temp = Some(dir);
            Ok(log)
        }
        Err(e) => Err(e).context("opening the change log"),
    }
}
