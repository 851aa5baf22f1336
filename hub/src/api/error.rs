//! API errors as JSON: `{"error": {"code": "...", "message": "..."}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::bus::BusError;
use crate::devices::CommandError;

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    /// Its code and message, for answers on other channels (NATS).
    pub(crate) fn code_and_message(&self) -> (&'static str, &str) {
        (self.code, &self.message)
    }

    /// The status it answers with.
    #[cfg(test)]
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Its words.
    #[cfg(test)]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// A 400 with `message`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "bad-request",
            message: message.into(),
        }
    }

    /// A 422 with `message`: well-formed, but nothing to act on.
    pub fn unprocessable(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "unprocessable",
            message: message.into(),
        }
    }

    /// 415: a body of a type the route does not take.
    pub fn unsupported_media(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code: "unsupported-media-type",
            message: message.into(),
        }
    }

    /// A 502: something the hub was asked to reach did not answer right.
    pub fn bad_gateway(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_GATEWAY,
            code: "bad-gateway",
            message: message.into(),
        }
    }

    /// A 503: the hub cannot do it now (its store failed).
    pub fn unavailable(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "unavailable",
            message: message.into(),
        }
    }

    /// A request body axum would not take, named by `what`: 413 over the
    /// route's limit, 415 not of the route's type, else 400 (not JSON, or
    /// not what the route reads, like any other bad value).
    pub fn rejected(what: impl std::fmt::Display, status: StatusCode, text: String) -> Self {
        let (status, code) = match status {
            StatusCode::PAYLOAD_TOO_LARGE => (status, "too-large"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (status, "unsupported-media-type"),
            _ => (StatusCode::BAD_REQUEST, "bad-request"),
        };
        ApiError {
            status,
            code,
            message: format!("{what}: {text}"),
        }
    }

    /// A 409: the thing is not in a state the request applies to.
    pub fn conflict(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::CONFLICT,
            code: "conflict",
            message: message.into(),
        }
    }

    /// A 401 with `message`.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthorized",
            message: message.into(),
        }
    }

    /// A 403: the caller may not do this here (outside its zones).
    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::FORBIDDEN,
            code: "forbidden",
            message: message.into(),
        }
    }

    /// A 404 with `message`.
    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "not-found",
            message: message.into(),
        }
    }
}

/// The JSON body of a request, or the error that names `what` it was.
pub fn json_body<T>(
    what: impl std::fmt::Display,
    body: Result<axum::Json<T>, axum::extract::rejection::JsonRejection>,
) -> Result<T, ApiError> {
    body.map(|axum::Json(t)| t)
        .map_err(|e| ApiError::rejected(what, e.status(), e.body_text()))
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({"error": {"code": self.code, "message": self.message}})),
        )
            .into_response()
    }
}

impl From<BusError> for ApiError {
    fn from(e: BusError) -> Self {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "bus",
            message: e.to_string(),
        }
    }
}

impl From<CommandError> for ApiError {
    fn from(e: CommandError) -> Self {
        let (status, code) = match &e {
            CommandError::UnknownDevice(_) => (StatusCode::NOT_FOUND, "unknown-device"),
            CommandError::DriverUnavailable { .. } => {
                (StatusCode::SERVICE_UNAVAILABLE, "driver-unavailable")
            }
            CommandError::Refused { code, .. } => match code.as_str() {
                "not-allowed" => (StatusCode::FORBIDDEN, "not-allowed"),
                "unknown-command" => (StatusCode::BAD_REQUEST, "unknown-command"),
                "bad-args" => (StatusCode::BAD_REQUEST, "bad-args"),
                _ => (StatusCode::UNPROCESSABLE_ENTITY, "refused"),
            },
            CommandError::Device { .. } => (StatusCode::BAD_GATEWAY, "device-failed"),
            CommandError::Timeout { .. } => (StatusCode::GATEWAY_TIMEOUT, "device-timeout"),
            CommandError::NotRecorded { .. } => {
                (StatusCode::SERVICE_UNAVAILABLE, "audit-unavailable")
            }
        };
        ApiError {
            status,
            code,
            message: e.to_string(),
        }
    }
}
