//! The advisor's one error type and its one mapping to gRPC status.

use stdnav_runtime::status::{self, Violation};

/// Why an advice (or a gather, or a chain listing) failed.
#[derive(Debug, thiserror::Error)]
pub enum AdvisorError {
    /// Bad fields, named as the caller's request names them (`profile.uscc`).
    /// Displayed as the status message says it: `field: why; …`.
    #[error("{}", join(.0))]
    InvalidArgument(Vec<Violation>),
    /// The caller's deadline passed before or during a backend call.
    #[error("{0}")]
    DeadlineExceeded(&'static str),
    /// A backend answered with an error; it reaches the caller as it came
    /// (code, message and google.rpc details), so a NOT_FOUND stays one.
    #[error("{0}")]
    Backend(BackendFailure),
    /// A backend answered something the advisor cannot use.
    #[error("{0}")]
    Internal(&'static str),
}

fn join(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A backend's error answer, kept whole for the caller.
#[derive(Debug)]
pub struct BackendFailure(tonic::Status);

impl std::fmt::Display for BackendFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.message())
    }
}

impl AdvisorError {
    /// A backend's answer: field violations become [`Self::InvalidArgument`]
    /// (so the advisor can rename them), the rest is kept whole.
    pub fn from_backend(status: tonic::Status) -> Self {
        if status.code() == tonic::Code::InvalidArgument {
            let violations = status::field_violations(&status);
            if !violations.is_empty() {
                return Self::InvalidArgument(violations);
            }
        }
        Self::Backend(BackendFailure(status))
    }

    /// Worth one more try: the backend was unreachable or refused the call.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Backend(BackendFailure(s)) if s.code() == tonic::Code::Unavailable)
    }

    pub fn is_invalid_argument(&self) -> bool {
        match self {
            Self::InvalidArgument(_) => true,
            Self::Backend(BackendFailure(s)) => s.code() == tonic::Code::InvalidArgument,
            _ => false,
        }
    }

    /// Renames the request prefix of field violations (`enterprise.x` in the
    /// profiling call is `profile.x` in the caller's Advise request).
    pub fn rename_fields(self, from: &str, to: &str) -> Self {
        match self {
            Self::InvalidArgument(violations) => Self::InvalidArgument(
                violations
                    .into_iter()
                    .map(|mut v| {
                        if let Some(rest) = v.field.strip_prefix(from) {
                            v.field = format!("{to}{rest}");
                        }
                        v
                    })
                    .collect(),
            ),
            other => other,
        }
    }
}

impl From<AdvisorError> for tonic::Status {
    fn from(e: AdvisorError) -> Self {
        match e {
            AdvisorError::InvalidArgument(violations) => status::invalid_argument(&violations),
            AdvisorError::DeadlineExceeded(message) => tonic::Status::deadline_exceeded(message),
            AdvisorError::Backend(BackendFailure(status)) => status,
            // The server's error model hides the message from callers.
            AdvisorError::Internal(message) => tonic::Status::internal(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_violations_are_renamed_and_kept_as_statuses() {
        let status = status::invalid_argument(&[Violation::new("enterprise.uscc", "bad check")]);
        let e = AdvisorError::from_backend(status).rename_fields("enterprise.", "profile.");
        assert!(e.is_invalid_argument());
        assert_eq!(e.to_string(), "profile.uscc: bad check");
        let back = tonic::Status::from(e);
        assert_eq!(back.code(), tonic::Code::InvalidArgument);
        assert_eq!(back.message(), "profile.uscc: bad check");
        assert_eq!(
            status::field_violations(&back),
            [Violation::new("profile.uscc", "bad check")]
        );

        let missing = AdvisorError::from_backend(tonic::Status::not_found("no such enterprise"));
        assert!(!missing.is_unavailable() && !missing.is_invalid_argument());
        assert_eq!(missing.to_string(), "no such enterprise");
        assert_eq!(tonic::Status::from(missing).code(), tonic::Code::NotFound);
        assert!(AdvisorError::from_backend(tonic::Status::unavailable("down")).is_unavailable());
    }
}
