//! The web face's one error type and its one conversion to an HTTP answer:
//! the gRPC error model carried over — the same code names, the same
//! `ErrorInfo` reasons, the same field violations — as a JSON body with the
//! HTTP status of the code. Internal causes are logged, never sent.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tonic::Code;
use tonic_types::StatusExt;
use utoipa::ToSchema;

use stdnav_runtime::status::{field_violations, reason_of};

/// An error answer: `code` is the gRPC code's name, `reason` the stable
/// `ErrorInfo` reason (e.g. `ENTERPRISE_NOT_FOUND`), `field_violations` the
/// bad fields of an `INVALID_ARGUMENT`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub code: String,
    pub reason: String,
    pub message: String,
    pub field_violations: Vec<FieldViolation>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FieldViolation {
    pub field: String,
    pub description: String,
}

/// An error of the web face: a service's status, or one of its own.
#[derive(Debug)]
pub struct ApiError {
    http: StatusCode,
    body: ErrorBody,
}

impl ApiError {
    /// INVALID_ARGUMENT naming `field` (a query parameter or the body).
    pub fn invalid(field: &str, description: impl Into<String>) -> Self {
        Self::invalid_fields(vec![(field.to_string(), description.into())])
    }

    pub fn invalid_fields(violations: Vec<(String, String)>) -> Self {
        let message = violations
            .iter()
            .map(|(f, d)| format!("{f}: {d}"))
            .collect::<Vec<_>>()
            .join("; ");
        Self {
            http: StatusCode::BAD_REQUEST,
            body: ErrorBody {
                code: "INVALID_ARGUMENT".into(),
                reason: "INVALID_ARGUMENT".into(),
                message,
                field_violations: violations
                    .into_iter()
                    .map(|(field, description)| FieldViolation { field, description })
                    .collect(),
            },
        }
    }

    /// A body over the size limit (HTTP 413, reason BODY_TOO_LARGE).
    pub fn too_large(limit: usize) -> Self {
        let mut e = Self::invalid("body", format!("larger than {limit} bytes"));
        e.http = StatusCode::PAYLOAD_TOO_LARGE;
        e.body.reason = "BODY_TOO_LARGE".into();
        e
    }

    pub fn not_found(reason: &str, message: impl Into<String>) -> Self {
        Self {
            http: StatusCode::NOT_FOUND,
            body: ErrorBody {
                code: "NOT_FOUND".into(),
                reason: reason.into(),
                message: message.into(),
                field_violations: vec![],
            },
        }
    }

    /// PERMISSION_DENIED of the web face's own (a failed CSRF check).
    pub fn forbidden(reason: &str, message: impl Into<String>) -> Self {
        Self {
            http: StatusCode::FORBIDDEN,
            body: ErrorBody {
                code: "PERMISSION_DENIED".into(),
                reason: reason.into(),
                message: message.into(),
                field_violations: vec![],
            },
        }
    }

    pub fn status(&self) -> StatusCode {
        self.http
    }

    pub fn body(&self) -> &ErrorBody {
        &self.body
    }
}

/// The HTTP status of a gRPC code.
pub fn http_status(code: Code) -> StatusCode {
    match code {
        Code::Ok => StatusCode::OK,
        Code::InvalidArgument | Code::OutOfRange => StatusCode::BAD_REQUEST,
        Code::FailedPrecondition => StatusCode::PRECONDITION_FAILED,
        Code::NotFound => StatusCode::NOT_FOUND,
        Code::AlreadyExists | Code::Aborted => StatusCode::CONFLICT,
        Code::Unauthenticated => StatusCode::UNAUTHORIZED,
        Code::PermissionDenied => StatusCode::FORBIDDEN,
        Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
        Code::Unavailable | Code::Cancelled => StatusCode::SERVICE_UNAVAILABLE,
        Code::DeadlineExceeded => StatusCode::GATEWAY_TIMEOUT,
        Code::Unimplemented => StatusCode::NOT_IMPLEMENTED,
        Code::Internal | Code::Unknown | Code::DataLoss => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<tonic::Status> for ApiError {
    fn from(status: tonic::Status) -> Self {
        let code = status.code();
        let reason = status
            .get_details_error_info()
            .map(|info| info.reason)
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| reason_of(code));
        let message = match code {
            Code::Internal | Code::Unknown | Code::DataLoss => {
                tracing::warn!(code = ?code, message = status.message(), "backend error hidden from the caller");
                "internal error".to_string()
            }
            _ => status.message().to_string(),
        };
        Self {
            http: http_status(code),
            body: ErrorBody {
                code: reason_of(code),
                reason,
                message,
                field_violations: field_violations(&status)
                    .into_iter()
                    .map(|v| FieldViolation {
                        field: v.field,
                        description: v.description,
                    })
                    .collect(),
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.http, Json(self.body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stdnav_runtime::status::{Violation, invalid_argument, with_reason};

    #[test]
    fn statuses_keep_their_code_reason_and_fields() {
        let e = ApiError::from(invalid_argument(&[Violation::new(
            "enterprise.uscc",
            "bad check character",
        )]));
        assert_eq!(e.status(), StatusCode::BAD_REQUEST);
        assert_eq!(e.body().code, "INVALID_ARGUMENT");
        assert_eq!(e.body().field_violations[0].field, "enterprise.uscc");
        let e = ApiError::from(with_reason(
            Code::NotFound,
            "ENTERPRISE_NOT_FOUND",
            "no such enterprise",
        ));
        assert_eq!(
            (e.status(), e.body().reason.as_str()),
            (StatusCode::NOT_FOUND, "ENTERPRISE_NOT_FOUND")
        );
        let e = ApiError::from(tonic::Status::internal("/secret/path broke"));
        assert_eq!(e.body().message, "internal error");
        assert_eq!(
            ApiError::from(tonic::Status::unauthenticated("key")).status(),
            StatusCode::UNAUTHORIZED
        );
    }
}
