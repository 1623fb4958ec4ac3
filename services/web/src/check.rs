//! The document check over HTTP (标准有效性核查, issue 21), shared by
//! `POST /v1/check` and the `/check` page. Documents arrive as
//! `multipart/form-data` (`file`, repeatable; `text`, a pasted list;
//! `lang`) or as the raw body (`?name=spec.pdf`, optional `&format=`), and
//! are streamed on to the standards service's client-streaming
//! CheckCitations in 256 KiB messages as they arrive: the web face holds a
//! few chunks of a document at a time, never the whole file. The limits are
//! the service's (60 MiB of documents in all), answered 413 before the
//! service is bothered; what the service refuses (empty, encrypted PDF, ZIP
//! bomb, binary data …) comes back as its INVALID_ARGUMENT, field and reason.

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Query, Request};
use axum::http::header;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use utoipa::{IntoParams, ToSchema};

use stdnav_core::citation::DocFormat;
use stdnav_proto::convert::doc_format_to_pb;
use stdnav_proto::standards::v1 as stpb;

use crate::backend::{Backend, Caller, DocumentStream};
use crate::error::ApiError;
use crate::i18n::Lang;

/// Bytes of documents in one check, all together: CheckCitations' own limit.
pub const MAX_CONTENT_BYTES: usize = 62_914_560;
/// What a multipart body may carry besides its documents (part headers,
/// boundaries, `lang`).
const MULTIPART_OVERHEAD: usize = 1 << 20;
/// The largest body of a check request (the route's body limit).
pub const BODY_LIMIT: usize = MAX_CONTENT_BYTES + MULTIPART_OVERHEAD;
/// Bytes of a document per CheckCitations message.
pub const CHUNK_BYTES: usize = 256 * 1024;
/// Messages produced ahead of the service reading them.
const AHEAD: usize = 4;
/// Name of the document a pasted list becomes.
pub const PASTED: &str = "pasted";

/// The query of a check: the raw body's name and format, the answer's language.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct CheckParams {
    /// Raw body only: the document's file name (≤ 200 characters); its
    /// extension tells the format (`.pdf`, `.docx`, `.xlsx`, `.csv`, `.txt`),
    /// else the content does. Absent: `document`.
    pub name: String,
    /// Raw body only: `text`, `pdf`, `docx`, `xlsx` or `csv`, over the name's extension.
    pub format: String,
    /// `zh` (default) or `en`: the language of `title` and `status_label`.
    pub lang: Option<String>,
}

/// The multipart form of a check (for the OpenAPI document; read as a stream).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct CheckUpload {
    /// One or more documents (repeat the field), 60 MiB in all: PDF (text
    /// layer), DOCX, XLSX, CSV or text (UTF-8, GBK/GB18030); the file name's
    /// extension tells the format, else the content does.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// A pasted list of codes (or any text), checked as one more document.
    text: Option<String>,
    /// `zh` (default) or `en`.
    lang: Option<String>,
}

/// Why producing the stream stopped early.
enum Stop {
    /// The upload is refused (too large, malformed): answer this.
    Failed(ApiError),
    /// The service stopped reading (it answered): its answer decides.
    Closed,
}

impl From<ApiError> for Stop {
    fn from(e: ApiError) -> Self {
        Self::Failed(e)
    }
}

fn too_large() -> ApiError {
    ApiError::too_large(MAX_CONTENT_BYTES)
}

/// The messages of the client stream, cut into [`CHUNK_BYTES`] as the
/// bytes come.
struct Outbox {
    tx: mpsc::Sender<stpb::CheckCitationsRequest>,
    buf: Vec<u8>,
    /// The name and format of a document whose first message is not sent yet.
    header: Option<(String, i32)>,
    total: usize,
    documents: usize,
}

impl Outbox {
    fn new(tx: mpsc::Sender<stpb::CheckCitationsRequest>) -> Self {
        Self {
            tx,
            buf: Vec::with_capacity(CHUNK_BYTES),
            header: None,
            total: 0,
            documents: 0,
        }
    }

    fn begin(&mut self, name: String, format: DocFormatPb) {
        self.header = Some((name, format as i32));
    }

    async fn write(&mut self, bytes: &[u8]) -> Result<(), Stop> {
        self.total += bytes.len();
        if self.total > MAX_CONTENT_BYTES {
            return Err(too_large().into());
        }
        self.buf.extend_from_slice(bytes);
        while self.buf.len() >= CHUNK_BYTES {
            let rest = self.buf.split_off(CHUNK_BYTES);
            let chunk = std::mem::replace(&mut self.buf, rest);
            self.send(chunk).await?;
        }
        Ok(())
    }

    async fn send(&mut self, content: Vec<u8>) -> Result<(), Stop> {
        let (name, format) = self.header.take().unwrap_or_default();
        if !name.is_empty() {
            self.documents += 1;
        }
        self.tx
            .send(stpb::CheckCitationsRequest {
                name,
                format,
                content,
            })
            .await
            .map_err(|_| Stop::Closed)
    }

    /// Ends a document: sends what is left, or its name alone when it is
    /// empty (the service says so) — unless `skip_empty` (a file input or
    /// text area left empty).
    async fn end(&mut self, skip_empty: bool) -> Result<(), Stop> {
        let content = std::mem::take(&mut self.buf);
        if content.is_empty() && (self.header.is_none() || skip_empty) {
            self.header = None;
            return Ok(());
        }
        self.send(content).await
    }
}

type DocFormatPb = stpb::DocumentFormat;

/// The format a name's extension tells (unspecified: the service detects it).
fn format_of(name: &str) -> DocFormatPb {
    DocFormat::from_name(name).map_or(DocFormatPb::Unspecified, doc_format_to_pb)
}

/// A raw body: one document.
async fn pump_raw(
    body: Body,
    name: String,
    format: DocFormatPb,
    out: &mut Outbox,
) -> Result<(), Stop> {
    out.begin(name, format);
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::invalid("body", format!("cannot be read: {e}")))?;
        out.write(&chunk).await?;
    }
    out.end(false).await
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> Stop {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        too_large().into()
    } else {
        ApiError::invalid("body", e.body_text()).into()
    }
}

/// A multipart form: every `file` and a non-empty `text` a document;
/// returns the `lang` field.
fn csrf_failed() -> ApiError {
    ApiError::forbidden(
        "CSRF_FAILED",
        "the form's CSRF token is missing, stale or from another site",
    )
}

async fn pump_multipart(
    mut form: Multipart,
    out: &mut Outbox,
    csrf: Option<&str>,
) -> Result<Option<String>, Stop> {
    let mut lang = None;
    let mut first = true;
    while let Some(mut field) = form.next_field().await.map_err(multipart_error)? {
        let field_name = field.name().unwrap_or_default().to_string();
        if std::mem::take(&mut first)
            && let Some(expected) = csrf
        {
            // A token is 64 hex characters; more is not one.
            let mut value = Vec::new();
            if field_name == "csrf" {
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    value.extend_from_slice(&chunk);
                    if value.len() > 128 {
                        break;
                    }
                }
            }
            if !crate::session::same_token(expected, &String::from_utf8_lossy(&value)) {
                return Err(csrf_failed().into());
            }
            continue;
        }
        let (name, is_file) = match field_name.as_str() {
            "lang" => {
                let mut value = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    value.extend_from_slice(&chunk);
                    if value.len() > 16 {
                        return Err(ApiError::invalid("lang", "`zh` or `en`").into());
                    }
                }
                lang = Some(String::from_utf8_lossy(&value).into_owned());
                continue;
            }
            "file" => (field.file_name().unwrap_or_default().to_string(), true),
            "text" => (PASTED.to_string(), false),
            other => {
                return Err(ApiError::invalid(
                    other,
                    "unknown field: send `file` (repeatable), `text` or `lang`",
                )
                .into());
            }
        };
        // A file input left empty sends a part with no file name and no bytes.
        let skip_empty = !is_file || name.is_empty();
        let format = if is_file {
            format_of(&name)
        } else {
            DocFormatPb::Text
        };
        let name = if name.is_empty() {
            "document".to_string()
        } else {
            name
        };
        out.begin(name, format);
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            out.write(&chunk).await?;
        }
        out.end(skip_empty).await?;
    }
    if out.documents == 0 {
        return Err(ApiError::invalid(
            "file",
            "no document: send a file (field `file`) or a pasted list (field `text`)",
        )
        .into());
    }
    Ok(lang)
}

fn is_multipart(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

fn content_length(request: &Request) -> Option<u64> {
    request
        .headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The raw body's format: `format` when given, else the name's extension.
fn raw_format(params: &CheckParams) -> Result<DocFormatPb, ApiError> {
    let format = params.format.trim();
    if format.is_empty() {
        return Ok(format_of(&params.name));
    }
    DocFormatPb::from_str_name(&format!("DOCUMENT_FORMAT_{}", format.to_ascii_uppercase()))
        .filter(|f| *f != DocFormatPb::Unspecified)
        .ok_or_else(|| {
            ApiError::invalid(
                "format",
                format!("unknown format {format:?}: text, pdf, docx, xlsx or csv"),
            )
        })
}

/// Streams the documents of `request` to CheckCitations as they arrive and
/// returns its answer, with the language asked for (the `lang` field, else
/// the query's).
pub async fn run(
    backend: &dyn Backend,
    caller: &Caller,
    request: Request,
) -> Result<(stpb::CheckCitationsResponse, Lang), ApiError> {
    run_checked(backend, caller, request, None).await
}

/// [`run`] for the page's form posted with a browser session: the form's
/// first field must be `csrf` holding `csrf` (checked before any document
/// goes to the service), and only a multipart form is taken.
pub async fn run_checked(
    backend: &dyn Backend,
    caller: &Caller,
    request: Request,
    csrf: Option<&str>,
) -> Result<(stpb::CheckCitationsResponse, Lang), ApiError> {
    let params = Query::<CheckParams>::try_from_uri(request.uri())
        .map(|q| q.0)
        .map_err(|r| ApiError::invalid("query", r.body_text()))?;
    let multipart = is_multipart(&request);
    if csrf.is_some() && !multipart {
        return Err(csrf_failed());
    }
    let csrf = csrf.map(str::to_string);
    // Over the limit by its own account: refused before a byte is read.
    let limit = if multipart {
        BODY_LIMIT
    } else {
        MAX_CONTENT_BYTES
    };
    if content_length(&request).is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let format = if multipart {
        DocFormatPb::Unspecified
    } else {
        raw_format(&params)?
    };
    let name = match params.name.trim() {
        "" => "document".to_string(),
        name => name.to_string(),
    };
    let query_lang = Lang::from_param(params.lang.as_deref());
    let (tx, rx) = mpsc::channel(AHEAD);
    let documents = DocumentStream(rx);
    let pump = async move {
        let mut out = Outbox::new(tx);
        if multipart {
            let form = Multipart::from_request(request, &())
                .await
                .map_err(|r| ApiError::invalid("body", r.body_text()))?;
            pump_multipart(form, &mut out, csrf.as_deref()).await
        } else {
            pump_raw(request.into_body(), name, format, &mut out)
                .await
                .map(|()| None)
        }
        // `out` dropped here: the stream ends, the service checks.
    };
    let call = backend.check_citations(caller, documents);
    tokio::pin!(pump, call);
    tokio::select! {
        // The service answered before the upload ended: it refused the call.
        answer = &mut call => Ok((answer?, query_lang)),
        pumped = &mut pump => match pumped {
            Ok(lang) => {
                let lang = lang.map_or(query_lang, |l| Lang::from_param(Some(&l)));
                Ok((call.await?, lang))
            }
            // Dropping the call cancels it: the service stops reading.
            Err(Stop::Failed(e)) => Err(e),
            Err(Stop::Closed) => Ok((call.await?, query_lang)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_names_and_parameters() {
        assert_eq!(format_of("规范.PDF"), DocFormatPb::Pdf);
        assert_eq!(format_of("list.csv"), DocFormatPb::Csv);
        assert_eq!(format_of("noext"), DocFormatPb::Unspecified);
        let params = |name: &str, format: &str| CheckParams {
            name: name.into(),
            format: format.into(),
            lang: None,
        };
        assert_eq!(raw_format(&params("a.txt", "")).unwrap(), DocFormatPb::Text);
        assert_eq!(
            raw_format(&params("a.txt", "xlsx")).unwrap(),
            DocFormatPb::Xlsx
        );
        let e = raw_format(&params("a", "doc")).unwrap_err();
        assert_eq!(e.body().field_violations[0].field, "format");
        assert!(raw_format(&params("a", "unspecified")).is_err());
    }

    #[tokio::test]
    async fn documents_go_in_chunks_with_their_name_first() {
        let (tx, mut rx) = mpsc::channel(64);
        let mut out = Outbox::new(tx);
        out.begin("a.txt".into(), DocFormatPb::Text);
        out.write(&vec![b'a'; CHUNK_BYTES + 10]).await.ok().unwrap();
        out.end(false).await.ok().unwrap();
        out.begin("empty.txt".into(), DocFormatPb::Text);
        out.end(false).await.ok().unwrap();
        out.begin("skipped".into(), DocFormatPb::Text);
        out.end(true).await.ok().unwrap();
        drop(out);
        let mut got = Vec::new();
        while let Some(m) = rx.recv().await {
            got.push((m.name, m.content.len()));
        }
        assert_eq!(
            got,
            [
                ("a.txt".to_string(), CHUNK_BYTES),
                (String::new(), 10),
                ("empty.txt".to_string(), 0)
            ]
        );
    }

    #[tokio::test]
    async fn more_than_the_limit_is_refused_as_too_large() {
        let (tx, mut rx) = mpsc::channel(1024);
        tokio::spawn(async move { while rx.recv().await.is_some() {} });
        let mut out = Outbox::new(tx);
        out.begin("big".into(), DocFormatPb::Text);
        let mb = vec![0u8; 1 << 20];
        for _ in 0..60 {
            assert!(out.write(&mb).await.is_ok());
        }
        match out.write(b"x").await {
            Err(Stop::Failed(e)) => {
                assert_eq!(e.status(), axum::http::StatusCode::PAYLOAD_TOO_LARGE);
                assert_eq!(e.body().reason, "BODY_TOO_LARGE");
            }
            _ => panic!("one byte over 60 MiB is refused"),
        }
    }
}
