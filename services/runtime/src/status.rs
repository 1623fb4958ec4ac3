//! google.rpc error details on `tonic::Status` (tonic-types), so that callers
//! get machine-readable field violations and stable reason codes.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, FieldViolation, StatusExt};

/// Error domain carried in `ErrorInfo`.
pub const DOMAIN: &str = "stdnav";

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
pub fn invalid_argument(violations: &[Violation]) -> Status {
    let message = violations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    let mut details = ErrorDetails::with_bad_request(
        violations
            .iter()
            .map(|v| FieldViolation::new(v.field.clone(), v.description.clone()))
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

/// Rewrites a trailers-only error response that has no details.
fn complete(headers: &mut tonic::codegen::http::HeaderMap) {
    if headers.contains_key("grpc-status-details-bin") {
        return;
    }
    let Some(status) = Status::from_header_map(headers) else {
        return;
    };
    if status.code() == Code::Ok {
        return;
    }
    let message = match status.code() {
        Code::Internal | Code::Unknown => {
            tracing::warn!(code = ?status.code(), message = status.message(), "internal error hidden from the caller");
            "internal error".to_string()
        }
        _ => status.message().to_string(),
    };
    let complete = Status::with_error_details(
        status.code(),
        message,
        ErrorDetails::with_error_info(
            reason_of(status.code()),
            DOMAIN,
            std::collections::HashMap::<String, String>::new(),
        ),
    );
    for name in ["grpc-status", "grpc-message", "grpc-status-details-bin"] {
        headers.remove(name);
    }
    let _ = complete.add_header(headers);
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
}
