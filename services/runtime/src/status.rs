//! google.rpc error details on `tonic::Status` (tonic-types), so that callers
//! get machine-readable field violations and stable reason codes.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, FieldViolation, StatusExt};

/// Error domain carried in `ErrorInfo`.
pub const DOMAIN: &str = "stdnav";

/// The one way an error quotes a caller's value: escaped, and at most a
/// short prefix with the value's length ([`stdnav_core::text::quote`]; it
/// lives in core so the profile validators there use it too).
pub use stdnav_core::text::quote;

/// Field violations one INVALID_ARGUMENT carries at most in its BadRequest
/// (the rest are counted in a last entry): 2,000 bad held codes must not
/// make trailers that a stock client (16 KiB header limit) refuses.
pub const MAX_VIOLATIONS: usize = 10;
/// Bytes of a violation's field path, and of its description, at most.
pub const MAX_FIELD_BYTES: usize = 128;
pub const MAX_DESCRIPTION_BYTES: usize = 256;
/// Bytes of any error's `grpc-message` at most (the details carry the rest).
pub const MAX_MESSAGE_BYTES: usize = 1024;
/// Bytes of `grpc-status-details-bin` (before base64) at most; larger
/// details are replaced by an ErrorInfo alone.
pub const MAX_DETAILS_BYTES: usize = 6 * 1024;

/// `text` cut to at most `max` bytes at a character boundary, with `…`
/// when cut.
pub fn bounded(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= max {
        return text.into();
    }
    let mut cut = max.saturating_sub('…'.len_utf8());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &text[..cut]).into()
}

/// One bad field in a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Path of the field, e.g. `enterprise.uscc` or `enterprise.products[3]`.
    pub field: String,
    /// Why it is bad, in words a caller can act on.
    pub description: String,
}

impl Violation {
    pub fn new(field: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            description: description.into(),
        }
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.description)
    }
}

/// INVALID_ARGUMENT with every violation as a google.rpc.BadRequest field violation.
/// The message names the fields too, for callers that do not read details.
/// Every part is bounded ([`MAX_VIOLATIONS`], [`MAX_FIELD_BYTES`],
/// [`MAX_DESCRIPTION_BYTES`], [`MAX_MESSAGE_BYTES`]) whatever the
/// violations quote.
pub fn invalid_argument(violations: &[Violation]) -> Status {
    let mut kept: Vec<Violation> = violations
        .iter()
        .take(MAX_VIOLATIONS)
        .map(|v| {
            Violation::new(
                bounded(&v.field, MAX_FIELD_BYTES),
                bounded(&v.description, MAX_DESCRIPTION_BYTES),
            )
        })
        .collect();
    if violations.len() > MAX_VIOLATIONS {
        kept.push(Violation::new(
            "…",
            format!(
                "{} more violations not listed",
                violations.len() - MAX_VIOLATIONS
            ),
        ));
    }
    let message = kept
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    let message = bounded(&message, MAX_MESSAGE_BYTES).into_owned();
    let mut details = ErrorDetails::with_bad_request(
        kept.into_iter()
            .map(|v| FieldViolation::new(v.field, v.description))
            .collect::<Vec<_>>(),
    );
    details.set_error_info("INVALID_ARGUMENT", DOMAIN, std::collections::HashMap::new());
    Status::with_error_details(Code::InvalidArgument, message, details)
}

/// A status with a stable reason code in google.rpc.ErrorInfo.
pub fn with_reason(code: Code, reason: &str, message: impl Into<String>) -> Status {
    Status::with_error_details(
        code,
        message,
        ErrorDetails::with_error_info(reason, DOMAIN, std::collections::HashMap::new()),
    )
}

/// INTERNAL without leaking the cause to the caller; the cause is logged here.
pub fn internal(cause: &dyn std::fmt::Display) -> Status {
    tracing::error!(error = %cause, "internal error");
    with_reason(Code::Internal, "INTERNAL", "internal error")
}

/// Field violations of a status, for tests and clients.
pub fn field_violations(status: &Status) -> Vec<Violation> {
    status
        .get_details_bad_request()
        .map(|br| {
            br.field_violations
                .into_iter()
                .map(|v| Violation::new(v.field, v.description))
                .collect()
        })
        .unwrap_or_default()
}

/// The stable `ErrorInfo` reason of a code: its name in SCREAMING_SNAKE_CASE.
pub fn reason_of(code: Code) -> String {
    let mut reason = String::new();
    for (i, c) in format!("{code:?}").chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            reason.push('_');
        }
        reason.push(c.to_ascii_uppercase());
    }
    reason
}

/// The last word on every error a server sends: a status without
/// google.rpc details gets an `ErrorInfo` with the stable reason of its
/// code, and INTERNAL or UNKNOWN without details loses its message (logged
/// here instead), so no cause, address or path reaches a caller.
#[derive(Clone, Copy, Default)]
pub struct ErrorModel;

/// The tower layer of [`ErrorModel`].
pub const ERROR_MODEL_LAYER: crate::around::AroundLayer<ErrorModel> =
    crate::around::AroundLayer(ErrorModel);

impl crate::around::Around for ErrorModel {
    type State = ();

    fn before<B>(&self, _request: &mut tonic::codegen::http::Request<B>) -> Result<(), Status> {
        Ok(())
    }

    fn after(
        _: (),
        mut response: tonic::codegen::http::Response<tonic::body::Body>,
    ) -> tonic::codegen::http::Response<tonic::body::Body> {
        complete(response.headers_mut());
        response
    }
}

/// Why the request message could not be read, when `status` is tonic's
/// answer to a request body it could not decode: INTERNAL without details
/// and one of the messages tonic's decoder gives (prost's DecodeError,
/// a body ending before or inside a message, a bad compression flag). Our handlers
/// answer INTERNAL through [`internal`], which adds ErrorInfo; the one
/// other way to get these messages — a handler passing on a backend's
/// answer that its client could not decode — needs a backend sending
/// malformed protobuf, which stdnav's servers do not.
fn malformed_request(status: &Status) -> Option<String> {
    if status.code() != Code::Internal || !status.details().is_empty() {
        return None;
    }
    let message = status.message();
    const DECODE: &str = "failed to decode Protobuf message: ";
    if let Some(why) = message.strip_prefix(DECODE) {
        return Some(bounded(why, 200).into_owned());
    }
    if message.starts_with("Missing request message") {
        return Some("the body ended before any message".into());
    }
    if message.starts_with("Unexpected EOF decoding stream") {
        return Some("the body ended inside a message".into());
    }
    if message.starts_with("protocol error: received message with") {
        return Some("bad gRPC message framing (compression flag)".into());
    }
    None
}

/// Rewrites a trailers-only error response that has no details, or whose
/// message or details are larger than an error may be (a handler that
/// quoted a caller's 5 MB value).
fn complete(headers: &mut tonic::codegen::http::HeaderMap) {
    let Some(status) = Status::from_header_map(headers) else {
        return;
    };
    if status.code() == Code::Ok {
        return;
    }
    if !status.details().is_empty() {
        if status.message().len() <= MAX_MESSAGE_BYTES
            && status.details().len() <= MAX_DETAILS_BYTES
        {
            return;
        }
        tracing::warn!(
            code = ?status.code(),
            message_bytes = status.message().len(),
            details_bytes = status.details().len(),
            "oversized error cut"
        );
        let message = bounded(status.message(), MAX_MESSAGE_BYTES).into_owned();
        let bounded_status = if status.details().len() <= MAX_DETAILS_BYTES {
            Status::with_details(status.code(), message, status.details().to_vec().into())
        } else {
            with_error_info(status.code(), message)
        };
        replace_status(headers, &bounded_status);
        return;
    }
    if let Some(why) = malformed_request(&status) {
        // The caller's fault, not ours: INVALID_ARGUMENT, logged at debug.
        tracing::debug!(message = status.message(), "malformed request message");
        let invalid = invalid_argument(&[Violation::new(
            "request",
            format!("not a valid protobuf message of this RPC's request type: {why}"),
        )]);
        replace_status(headers, &invalid);
        return;
    }
    let message = match status.code() {
        Code::Internal | Code::Unknown => {
            tracing::warn!(code = ?status.code(), message = status.message(), "internal error hidden from the caller");
            "internal error".to_string()
        }
        _ => bounded(status.message(), MAX_MESSAGE_BYTES).into_owned(),
    };
    replace_status(headers, &with_error_info(status.code(), message));
}

/// `code` and `message` with the ErrorInfo (reason and domain) every error carries.
fn with_error_info(code: Code, message: String) -> Status {
    Status::with_error_details(
        code,
        message,
        ErrorDetails::with_error_info(
            reason_of(code),
            DOMAIN,
            std::collections::HashMap::<String, String>::new(),
        ),
    )
}

/// Replaces the status trailers in `headers` with `status`'s.
fn replace_status(headers: &mut tonic::codegen::http::HeaderMap, status: &Status) {
    for name in ["grpc-status", "grpc-message", "grpc-status-details-bin"] {
        headers.remove(name);
    }
    let _ = status.add_header(headers);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_argument_carries_every_field() {
        let status = invalid_argument(&[
            Violation::new("enterprise.uscc", "check character is wrong"),
            Violation::new("enterprise.products", "at least one product is required"),
        ]);
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(status.message().contains("enterprise.uscc"));
        let fields: Vec<_> = field_violations(&status)
            .into_iter()
            .map(|v| v.field)
            .collect();
        assert_eq!(fields, ["enterprise.uscc", "enterprise.products"]);
    }

    #[test]
    fn invalid_argument_is_bounded_whatever_it_quotes() {
        let huge = "区".repeat(1_000_000);
        let many: Vec<Violation> = (0..2_000)
            .map(|i| {
                // The listed ones as long as can be, the rest short.
                let long = if i < MAX_VIOLATIONS {
                    huge.as_str()
                } else {
                    ""
                };
                Violation::new(format!("standards_held[{i}]{long}"), long)
            })
            .collect();
        let status = invalid_argument(&many);
        assert!(status.message().len() <= MAX_MESSAGE_BYTES);
        assert!(
            status.details().len() <= MAX_DETAILS_BYTES,
            "{}",
            status.details().len()
        );
        let v = field_violations(&status);
        assert_eq!(v.len(), MAX_VIOLATIONS + 1);
        assert!(v[0].field.starts_with("standards_held[0]"));
        assert!(v[MAX_VIOLATIONS].description.contains("1990 more"));
        // The whole error fits a stock client's 16 KiB header limit.
        let mut headers = tonic::codegen::http::HeaderMap::new();
        status.add_header(&mut headers).unwrap();
        let bytes: usize = headers
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len())
            .sum();
        assert!(bytes < 12 * 1024, "{bytes} bytes of trailers");
    }

    #[test]
    fn oversized_errors_are_cut_by_the_error_model() {
        let huge = "x".repeat(5_000_000);
        for status in [
            Status::not_found(format!("standard {huge:?} not found")),
            Status::with_details(
                Code::NotFound,
                huge.clone(),
                huge.clone().into_bytes().into(),
            ),
        ] {
            let mut headers = tonic::codegen::http::HeaderMap::new();
            status.add_header(&mut headers).unwrap();
            complete(&mut headers);
            let bytes: usize = headers
                .iter()
                .map(|(k, v)| k.as_str().len() + v.len())
                .sum();
            assert!(bytes < 12 * 1024, "{bytes} bytes of trailers");
            let cut = Status::from_header_map(&headers).unwrap();
            assert_eq!(cut.code(), Code::NotFound);
            assert!(cut.message().len() <= MAX_MESSAGE_BYTES);
        }
    }
}
