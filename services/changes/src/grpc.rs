//! gRPC adapter: tenant from the call, convert, call the domain, convert
//! results and errors.

use std::pin::Pin;
use std::sync::Arc;

use futures::Stream;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};
use tracing::instrument;

use stdnav_proto::changes::v1 as pb;
use stdnav_proto::changes::v1::changes_service_server::{ChangesService, ChangesServiceServer};
use stdnav_runtime::limits::{self, Checker, FieldLimit};
use stdnav_runtime::server::DEFAULT_MAX_MESSAGE_BYTES;
use stdnav_runtime::shutdown::StopStreams;
use stdnav_runtime::tenant::tenant_of;

use crate::domain::Changes;
use crate::event::{ChangeEvent, ChangeKind};
use crate::impact::{Impact, Reason};
use crate::log::FeedEntry;
use crate::subscription::{Subscription, TargetKind};

pub const SERVICE_NAME: &str = "stdnav.changes.v1.ChangesService";

/// Longest id, cursor or page token a request may give (those the service
/// gives out are far shorter).
pub const MAX_ID_CHARS: usize = 100;
/// Most subscription ids one WatchChanges may filter on.
pub const MAX_WATCHED_SUBSCRIPTIONS: usize = 100;

/// Limits on every request field of the service (docs/API.md, "Limits",
/// is tested against this table; the handlers enforce it).
pub const LIMITS: &[FieldLimit] = &[
    limits::chars("Subscribe", "target.value", crate::subscription::MAX_VALUE),
    limits::chars("Subscribe", "note", crate::subscription::MAX_NOTE),
    limits::chars("Unsubscribe", "id", MAX_ID_CHARS),
    limits::chars("WatchChanges", "cursor", MAX_ID_CHARS),
    limits::items(
        "WatchChanges",
        "subscription_ids",
        MAX_WATCHED_SUBSCRIPTIONS,
    ),
    limits::chars("WatchChanges", "subscription_ids", MAX_ID_CHARS),
    limits::max(
        "WatchChanges",
        "max_impacts",
        crate::domain::MAX_ENTRY_IMPACTS as u64,
    ),
    limits::chars("ListChanges", "since", 40),
    limits::max("ListChanges", "page_size", crate::domain::MAX_PAGE as u64),
    limits::chars("ListChanges", "page_token", MAX_ID_CHARS),
    limits::max(
        "ListChanges",
        "max_impacts",
        crate::domain::MAX_ENTRY_IMPACTS as u64,
    ),
    limits::chars("ListImpacts", "cursor", MAX_ID_CHARS),
    limits::max(
        "ListImpacts",
        "page_size",
        crate::domain::MAX_IMPACTS_PAGE as u64,
    ),
    limits::chars("ListImpacts", "page_token", MAX_ID_CHARS),
];

#[derive(Clone)]
pub struct ChangesGrpc {
    changes: Arc<Changes>,
    /// Raised by the server when it stops accepting calls: open watches end.
    stop_streams: StopStreams,
}

impl ChangesGrpc {
    pub fn new(changes: Arc<Changes>) -> Self {
        Self {
            changes,
            stop_streams: StopStreams::default(),
        }
    }

    /// Ends open WatchChanges streams when `stop` is raised (the server's
    /// [`stdnav_runtime::ServeOptions::stop_streams`]), with UNAVAILABLE
    /// `SHUTTING_DOWN` and the cursor to resume from, so the server's
    /// shutdown does not wait on them.
    pub fn with_stop_streams(mut self, stop: StopStreams) -> Self {
        self.stop_streams = stop;
        self
    }

    pub fn into_server(self) -> ChangesServiceServer<Self> {
        ChangesServiceServer::new(self)
            .max_decoding_message_size(DEFAULT_MAX_MESSAGE_BYTES)
            .max_encoding_message_size(DEFAULT_MAX_MESSAGE_BYTES)
    }
}

pub fn target_kind_from_pb(code: i32) -> Option<TargetKind> {
    match pb::TargetKind::try_from(code).ok()? {
        pb::TargetKind::Enterprise => Some(TargetKind::Enterprise),
        pb::TargetKind::Standard => Some(TargetKind::Standard),
        pb::TargetKind::IcsGroup => Some(TargetKind::IcsGroup),
        pb::TargetKind::Industry => Some(TargetKind::Industry),
        pb::TargetKind::Chain => Some(TargetKind::Chain),
        pb::TargetKind::Unspecified => None,
    }
}

pub fn target_kind_to_pb(kind: TargetKind) -> pb::TargetKind {
    match kind {
        TargetKind::Enterprise => pb::TargetKind::Enterprise,
        TargetKind::Standard => pb::TargetKind::Standard,
        TargetKind::IcsGroup => pb::TargetKind::IcsGroup,
        TargetKind::Industry => pb::TargetKind::Industry,
        TargetKind::Chain => pb::TargetKind::Chain,
    }
}

pub fn change_kind_to_pb(kind: ChangeKind) -> pb::ChangeKind {
    match kind {
        ChangeKind::NewEdition => pb::ChangeKind::NewEdition,
        ChangeKind::Withdrawn => pb::ChangeKind::Withdrawn,
        ChangeKind::Replaced => pb::ChangeKind::Replaced,
        ChangeKind::NowInForce => pb::ChangeKind::NowInForce,
        ChangeKind::TitleChanged => pb::ChangeKind::TitleChanged,
        ChangeKind::ClassificationChanged => pb::ChangeKind::ClassificationChanged,
        ChangeKind::ReviewDue => pb::ChangeKind::ReviewDue,
        ChangeKind::ComingIntoForce => pb::ChangeKind::ComingIntoForce,
        ChangeKind::TransitionDeadline => pb::ChangeKind::TransitionDeadline,
    }
}

pub fn subscription_to_pb(s: Subscription) -> pb::Subscription {
    pb::Subscription {
        id: s.id,
        target: Some(pb::Target {
            kind: target_kind_to_pb(s.target.kind) as i32,
            value: s.target.value,
        }),
        note: s.note,
        created_ms: s.created_ms as i64,
    }
}

pub fn event_to_pb(e: ChangeEvent) -> pb::ChangeEvent {
    pb::ChangeEvent {
        id: e.id,
        kind: change_kind_to_pb(e.kind) as i32,
        standard: e.standard,
        title_zh: e.title_zh,
        title_en: e.title_en,
        replacements: e.replacements,
        previous: e.previous,
        source: e.source,
        detected_ms: e.detected_ms as i64,
        effective: e.effective,
        due: e.due,
        ics: e.ics,
        mandatory: e.mandatory,
        old_value: e.old_value,
        new_value: e.new_value,
        uscc: e.uscc,
    }
}

fn reason_to_pb(r: Reason) -> pb::Reason {
    let (kind, held, path, detail) = match r {
        Reason::Holds { held } => (pb::ReasonKind::Holds, held, Vec::new(), String::new()),
        Reason::HoldsOtherEdition { held } => (
            pb::ReasonKind::HoldsOtherEdition,
            held,
            Vec::new(),
            String::new(),
        ),
        Reason::References { held, path } => {
            (pb::ReasonKind::References, held, path, String::new())
        }
        Reason::Mandatory { industry, ics } => (
            pb::ReasonKind::Mandatory,
            String::new(),
            Vec::new(),
            format!("industry {industry}, ICS {ics}"),
        ),
        Reason::Recommended { ics } => (
            pb::ReasonKind::Recommended,
            String::new(),
            Vec::new(),
            format!("ICS {ics}"),
        ),
    };
    pb::Reason {
        kind: kind as i32,
        held,
        path,
        detail,
    }
}

pub fn impact_to_pb(i: Impact) -> pb::Impact {
    pb::Impact {
        uscc: i.uscc,
        name: i.name,
        reasons: i.reasons.into_iter().map(reason_to_pb).collect(),
    }
}

pub fn feed_to_pb(e: FeedEntry) -> pb::FeedEvent {
    pb::FeedEvent {
        cursor: e.cursor,
        event: Some(event_to_pb(e.item.event)),
        impacts: e.item.impacts.into_iter().map(impact_to_pb).collect(),
        subscriptions: e.item.subscriptions,
        impact_count: u32::try_from(e.item.impact_count).unwrap_or(u32::MAX),
    }
}

type FeedStream = Pin<Box<dyn Stream<Item = Result<pb::FeedEvent, Status>> + Send>>;

/// `entries` until `stop` is raised; then one UNAVAILABLE `SHUTTING_DOWN`
/// naming the cursor of the last entry sent (or the one the watch began
/// at), from which a new WatchChanges on another replica resumes.
fn until_stopped(
    entries: impl Stream<Item = Result<pb::FeedEvent, Status>> + Send + 'static,
    stop: StopStreams,
    start: String,
) -> FeedStream {
    struct State<S> {
        entries: Pin<Box<S>>,
        stopped: Pin<Box<dyn std::future::Future<Output = ()> + Send>>,
        cursor: String,
        done: bool,
    }
    let state = State {
        entries: Box::pin(entries),
        stopped: Box::pin(stop.wait()),
        cursor: start,
        done: false,
    };
    Box::pin(futures::stream::unfold(state, |mut state| async move {
        if state.done {
            return None;
        }
        tokio::select! {
            biased;
            () = &mut state.stopped => {
                state.done = true;
                let status = stdnav_runtime::shutdown::shutting_down(
                    "server shutting down; resume WatchChanges from this cursor",
                    &[("cursor", state.cursor.as_str())],
                );
                Some((Err(status), state))
            }
            item = state.entries.next() => {
                let item = item?;
                if let Ok(event) = &item {
                    state.cursor = event.cursor.clone();
                }
                Some((item, state))
            }
        }
    }))
}

#[tonic::async_trait]
impl ChangesService for ChangesGrpc {
    #[instrument(skip(self, request))]
    async fn subscribe(
        &self,
        request: Request<pb::SubscribeRequest>,
    ) -> Result<Response<pb::Subscription>, Status> {
        let tenant = tenant_of(request.metadata())?;
        let r = request.into_inner();
        let target = r.target.unwrap_or_default();
        Checker::new(LIMITS, "Subscribe")
            .text("target.value", &target.value)
            .text("note", &r.note)
            .finish()?;
        let sub = self
            .changes
            .subscribe(
                &tenant,
                target_kind_from_pb(target.kind),
                &target.value,
                &r.note,
            )
            .await?;
        Ok(Response::new(subscription_to_pb(sub)))
    }

    #[instrument(skip(self, request))]
    async fn unsubscribe(
        &self,
        request: Request<pb::UnsubscribeRequest>,
    ) -> Result<Response<pb::UnsubscribeResponse>, Status> {
        let tenant = tenant_of(request.metadata())?;
        let id = request.into_inner().id;
        Checker::new(LIMITS, "Unsubscribe")
            .text("id", &id)
            .finish()?;
        let removed = self.changes.unsubscribe(&tenant, &id).await?;
        Ok(Response::new(pb::UnsubscribeResponse { removed }))
    }

    #[instrument(skip(self, request))]
    async fn list_subscriptions(
        &self,
        request: Request<pb::ListSubscriptionsRequest>,
    ) -> Result<Response<pb::ListSubscriptionsResponse>, Status> {
        let tenant = tenant_of(request.metadata())?;
        let subs = self.changes.subscriptions(&tenant).await?;
        Ok(Response::new(pb::ListSubscriptionsResponse {
            subscriptions: subs.into_iter().map(subscription_to_pb).collect(),
        }))
    }

    type WatchChangesStream = FeedStream;

    #[instrument(skip(self, request))]
    async fn watch_changes(
        &self,
        request: Request<pb::WatchChangesRequest>,
    ) -> Result<Response<Self::WatchChangesStream>, Status> {
        let tenant = tenant_of(request.metadata())?;
        let r = request.into_inner();
        Checker::new(LIMITS, "WatchChanges")
            .text("cursor", &r.cursor)
            .strings("subscription_ids", &r.subscription_ids)
            .number("max_impacts", r.max_impacts.unwrap_or(0).into())
            .finish()?;
        let rx = self
            .changes
            .watch(
                &tenant,
                &r.cursor,
                r.subscription_ids,
                r.from_now,
                r.max_impacts,
            )
            .await?;
        let entries =
            ReceiverStream::new(rx).map(|item| item.map(feed_to_pb).map_err(Status::from));
        Ok(Response::new(until_stopped(
            entries,
            self.stop_streams.clone(),
            r.cursor,
        )))
    }

    #[instrument(skip(self, request))]
    async fn list_changes(
        &self,
        request: Request<pb::ListChangesRequest>,
    ) -> Result<Response<pb::ListChangesResponse>, Status> {
        let tenant = tenant_of(request.metadata())?;
        let r = request.into_inner();
        Checker::new(LIMITS, "ListChanges")
            .text("since", &r.since)
            .number("page_size", r.page_size.into())
            .text("page_token", &r.page_token)
            .number("max_impacts", r.max_impacts.unwrap_or(0).into())
            .finish()?;
        let (entries, next) = self
            .changes
            .list_changes(&tenant, &r.since, r.page_size, &r.page_token, r.max_impacts)
            .await?;
        Ok(Response::new(pb::ListChangesResponse {
            events: entries.into_iter().map(feed_to_pb).collect(),
            next_page_token: next.unwrap_or_default(),
        }))
    }

    #[instrument(skip(self, request))]
    async fn list_impacts(
        &self,
        request: Request<pb::ListImpactsRequest>,
    ) -> Result<Response<pb::ListImpactsResponse>, Status> {
        let tenant = tenant_of(request.metadata())?;
        let r = request.into_inner();
        Checker::new(LIMITS, "ListImpacts")
            .text("cursor", &r.cursor)
            .number("page_size", r.page_size.into())
            .text("page_token", &r.page_token)
            .finish()?;
        let page = self
            .changes
            .list_impacts(&tenant, &r.cursor, r.page_size, &r.page_token)
            .await?;
        Ok(Response::new(pb::ListImpactsResponse {
            impacts: page.impacts.into_iter().map(impact_to_pb).collect(),
            impact_count: u32::try_from(page.impact_count).unwrap_or(u32::MAX),
            next_page_token: page.next.unwrap_or_default(),
        }))
    }
}
