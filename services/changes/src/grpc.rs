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
use stdnav_runtime::server::DEFAULT_MAX_MESSAGE_BYTES;
use stdnav_runtime::tenant::tenant_of;

use crate::domain::Changes;
use crate::event::{ChangeEvent, ChangeKind};
use crate::impact::{Impact, Reason};
use crate::log::FeedEntry;
use crate::subscription::{Subscription, TargetKind};

pub const SERVICE_NAME: &str = "stdnav.changes.v1.ChangesService";

#[derive(Clone)]
pub struct ChangesGrpc {
    changes: Arc<Changes>,
}

impl ChangesGrpc {
    pub fn new(changes: Arc<Changes>) -> Self {
        Self { changes }
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

fn impact_to_pb(i: Impact) -> pb::Impact {
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
    }
}

type FeedStream = Pin<Box<dyn Stream<Item = Result<pb::FeedEvent, Status>> + Send>>;

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
        let removed = self
            .changes
            .unsubscribe(&tenant, &request.into_inner().id)
            .await?;
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
        let rx = self
            .changes
            .watch(&tenant, &r.cursor, r.subscription_ids, r.from_now)
            .await?;
        let stream = ReceiverStream::new(rx).map(|item| item.map(feed_to_pb).map_err(Status::from));
        Ok(Response::new(Box::pin(stream)))
    }

    #[instrument(skip(self, request))]
    async fn list_changes(
        &self,
        request: Request<pb::ListChangesRequest>,
    ) -> Result<Response<pb::ListChangesResponse>, Status> {
        let tenant = tenant_of(request.metadata())?;
        let r = request.into_inner();
        let (entries, next) = self
            .changes
            .list_changes(&tenant, &r.since, r.page_size, &r.page_token)
            .await?;
        Ok(Response::new(pb::ListChangesResponse {
            events: entries.into_iter().map(feed_to_pb).collect(),
            next_page_token: next.unwrap_or_default(),
        }))
    }
}
