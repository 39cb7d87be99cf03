//! Extractors: JSON bodies, list queries, the signed-in caller and the request context.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{
    ConnectInfo, FromRef, FromRequest, FromRequestParts, OriginalUri, Path, Query, Request,
};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use portal_core::model::{AppointmentStatus, PageRequest};
use portal_core::{Caller, FieldError, RequestContext};
use serde::de::DeserializeOwned;

use crate::browser::browser_label;
use crate::client_addr::TrustedProxies;
use crate::error::ApiError;
use crate::request_id::RequestId;
use crate::state::AppState;

/// A JSON body, deserialised strictly: wrong content type is 415, malformed JSON 400, and
/// JSON that does not fit the schema 422 with the offending field named.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let encoded = request
            .headers()
            .get(header::CONTENT_ENCODING)
            .is_some_and(|value| !value.as_bytes().eq_ignore_ascii_case(b"identity"));
        if encoded {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Send the body without Content-Encoding; compressed bodies are not accepted.",
            ));
        }
        if !is_json(request.headers().get(header::CONTENT_TYPE)) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Send the body as JSON with Content-Type: application/json.",
            ));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "The request body is larger than the 64 KiB limit.",
                    )
                } else {
                    ApiError::bad_request("The request body could not be read.", Vec::new())
                }
            })?;
        parse_json(&bytes).map(ApiJson)
    }
}

fn is_json(content_type: Option<&header::HeaderValue>) -> bool {
    let Some(value) = content_type.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Deserialises JSON, naming the failing field without echoing the submitted value.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let (field, message) = describe_data_error(&path, &inner.to_string());
                ApiError::invalid(vec![FieldError::new(field, message)])
            }
            _ => syntax_error(&inner),
        }
    })?;
    deserializer.end().map_err(|error| syntax_error(&error))?;
    Ok(value)
}

fn syntax_error(error: &serde_json::Error) -> ApiError {
    ApiError::bad_request(
        "The request body is not valid JSON.",
        vec![FieldError::new(
            "body",
            format!(
                "is not valid JSON (line {}, column {})",
                error.line(),
                error.column()
            ),
        )],
    )
}

/// Turns a serde message into a field name and a message that repeats no submitted value.
fn describe_data_error(path: &str, message: &str) -> (String, String) {
    let named = |prefix: &str| -> Option<String> {
        let rest = message.strip_prefix(prefix)?;
        let name = rest.strip_prefix('`')?.split('`').next()?;
        Some(name.to_owned())
    };
    let join = |name: &str| {
        if path == "." || path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    let field = if path == "." || path.is_empty() {
        "body".to_owned()
    } else {
        path.to_owned()
    };
    if let Some(name) = named("unknown field ") {
        // serde_path_to_error reports the error while it reads the key, so its path already
        // ends with the unknown name. Joining the name again would produce `role.role`.
        let field = if path == name || path.ends_with(&format!(".{name}")) {
            path.to_owned()
        } else {
            join(&name)
        };
        return (field, "is not an accepted field; remove it".into());
    }
    if let Some(name) = named("missing field ") {
        return (join(&name), "is required".into());
    }
    if let Some(name) = named("duplicate field ") {
        return (join(&name), "appears more than once; send it once".into());
    }
    if let Some((_, expected)) = message.split_once(", expected ") {
        let expected = expected.split(" at line ").next().unwrap_or(expected);
        return (field, format!("must be {}", plain_json_type(expected)));
    }
    (field, "has an invalid value".into())
}

/// Rewords serde's description of an expected type in JSON terms, so messages never show
/// Rust type names.
fn plain_json_type(expected: &str) -> String {
    if expected.starts_with("struct ") || expected == "a map" {
        "a JSON object".to_owned()
    } else if expected.starts_with("a sequence") || expected.starts_with("a tuple") {
        "a JSON array".to_owned()
    } else if expected.starts_with("variant identifier") || expected.starts_with("enum ") {
        "one of the accepted values".to_owned()
    } else {
        expected.to_owned()
    }
}

/// `page` and `limit` from the query string, plus optional `q` and `status`; bad values are
/// 400.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub page: PageRequest,
    pub q: Option<String>,
    pub status: Option<AppointmentStatus>,
}

/// Maximum length of the name-search text in `q`, in characters.
const MAX_QUERY_CHARS: usize = 100;

impl<S: Send + Sync> FromRequestParts<S> for ListQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(params) = Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| {
                ApiError::bad_request(
                    "The query string is invalid.",
                    vec![FieldError::new("query", "is not a valid query string")],
                )
            })?;
        let mut errors = Vec::new();
        let page = bounded(&params, "page", 1, 1, u32::MAX, &mut errors);
        let limit = bounded(
            &params,
            "limit",
            PageRequest::DEFAULT_LIMIT,
            1,
            PageRequest::MAX_LIMIT,
            &mut errors,
        );
        let status = match params.get("status").map(String::as_str) {
            None | Some("") => None,
            Some(raw) => {
                let parsed = AppointmentStatus::parse(raw);
                if parsed.is_none() {
                    errors.push(FieldError::new(
                        "status",
                        "must be one of requested, confirmed, declined, cancelled, completed",
                    ));
                }
                parsed
            }
        };
        let q = params.get("q").cloned();
        if q.as_ref()
            .is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS)
        {
            errors.push(FieldError::new(
                "q",
                format!("must be at most {MAX_QUERY_CHARS} characters"),
            ));
        }
        if !errors.is_empty() {
            return Err(ApiError::bad_request(
                "The query string has invalid values.",
                errors,
            ));
        }
        Ok(Self {
            page: PageRequest { page, limit },
            q,
            status,
        })
    }
}

fn bounded(
    params: &HashMap<String, String>,
    name: &str,
    default: u32,
    min: u32,
    max: u32,
    errors: &mut Vec<FieldError>,
) -> u32 {
    let Some(raw) = params.get(name) else {
        return default;
    };
    match raw.parse::<u32>() {
        Ok(value) if (min..=max).contains(&value) => value,
        _ => {
            errors.push(FieldError::new(
                name,
                format!("must be a whole number from {min} to {max}"),
            ));
            default
        }
    }
}

/// The `{id}` segment of the path. A segment that is not valid UTF-8 after percent-decoding
/// becomes an empty id, so the services treat it like any other malformed id: the same 404
/// problem document, audited where the route audits denials.
pub struct PathId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let id = Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(id)| id)
            .unwrap_or_default();
        Ok(Self(id))
    }
}

/// The request id and client address, for audit events.
pub struct Context(pub RequestContext);

impl<S> FromRequestParts<S> for Context
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        Ok(Self(request_context(parts, &state.trusted_proxies)))
    }
}

fn request_context(parts: &Parts, trusted_proxies: &TrustedProxies) -> RequestContext {
    let request_id = parts
        .extensions
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default();
    let client_addr = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| {
            trusted_proxies
                .client_addr(info.0.ip(), &parts.headers)
                .to_string()
        })
        .unwrap_or_else(|| "unknown".into());
    let browser = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .and_then(browser_label);
    RequestContext {
        request_id,
        client_addr,
        browser,
    }
}

/// The signed-in caller, from a bearer access token whose session is still active.
pub struct Auth(pub Caller);

impl<S> FromRequestParts<S> for Auth
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(bearer_token)
            .ok_or_else(ApiError::unauthorized)?;
        let subject = state
            .tokens
            .verify(token.trim())
            .ok_or_else(ApiError::unauthorized)?;
        let session = state
            .portal
            .authenticate(subject.session_id, subject.user_id)
            .await?;
        if session.mfa_enrolment_required && !open_before_mfa_enrolment(parts) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "Set up two-step sign-in first: your role requires it. Open Account, then \
                 Two-step sign-in. Until then only your account settings are available.",
            ));
        }
        Ok(Self(Caller {
            user_id: session.user.id,
            role: session.user.role,
            session_id: session.session_id,
            context: request_context(parts, &state.trusted_proxies),
        }))
    }
}

/// Returns whether a user who must set up two-step sign-in may use the request's route:
/// `/auth/me`, `/auth/logout`, `/auth/refresh`, `/auth/mfa...` and `/auth/sessions...`.
fn open_before_mfa_enrolment(parts: &Parts) -> bool {
    // Nested routers see the path without their prefix, so read the original one.
    let path = parts
        .extensions
        .get::<OriginalUri>()
        .map_or_else(|| parts.uri.path(), |original| original.0.path());
    let Some(rest) = path.strip_prefix("/api/v1/auth/") else {
        return false;
    };
    matches!(rest, "me" | "logout" | "refresh")
        || rest == "mfa"
        || rest.starts_with("mfa/")
        || rest == "sessions"
        || rest.starts_with("sessions/")
}

/// Returns the token of a `Bearer` credential; the scheme name is case-insensitive
/// (RFC 9110, section 11.1).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        flag: bool,
        inner: Option<Inner>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        name: String,
    }

    fn status_of(body: &str) -> StatusCode {
        parse_json::<Sample>(body.as_bytes()).unwrap_err().status()
    }

    #[test]
    fn type_names_are_plain_json() {
        let cases = [
            ("struct LoginRequest with 2 elements", "a JSON object"),
            ("struct LoginRequest", "a JSON object"),
            ("a sequence", "a JSON array"),
            ("a boolean", "a boolean"),
        ];
        for (expected, plain) in cases {
            assert_eq!(plain_json_type(expected), plain, "{expected}");
        }
    }

    #[test]
    fn bearer_scheme_ignores_case() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer abc"), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearerabc"), None);
    }

    #[test]
    fn syntax_error_is_400() {
        assert_eq!(status_of("{"), StatusCode::BAD_REQUEST);
        assert_eq!(
            status_of(r#"{"flag": true} trailing"#),
            StatusCode::BAD_REQUEST
        );
    }

    #[test]
    fn schema_error_is_422() {
        assert_eq!(
            status_of(r#"{"flag": "true"}"#),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            status_of(r#"{"flag": true, "role": "admin"}"#),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(status_of(r#"{}"#), StatusCode::UNPROCESSABLE_ENTITY);
    }

    fn fields_of(body: &str) -> Vec<String> {
        parse_json::<Sample>(body.as_bytes())
            .unwrap_err()
            .field_names()
    }

    #[test]
    fn unknown_field_is_named_once() {
        assert_eq!(fields_of(r#"{"flag": true, "role": "admin"}"#), ["role"]);
        assert_eq!(
            fields_of(r#"{"flag": true, "inner": {"name": "a", "extra": 1}}"#),
            ["inner.extra"]
        );
        assert_eq!(fields_of(r#"{"flag": true, "inner": {}}"#), ["inner.name"]);
    }

    #[test]
    fn data_error_names_field_without_value() {
        let cases = [
            (".", "unknown field `role`, expected `flag`", "role"),
            ("inner", "missing field `name`", "inner.name"),
            (
                "flag",
                "invalid type: string \"secret\", expected a boolean",
                "flag",
            ),
            (".", "duplicate field `password`", "password"),
        ];
        for (path, message, field) in cases {
            let (named, text) = describe_data_error(path, message);
            assert_eq!(named, field, "{message}");
            assert!(!text.contains("secret"), "echoed the value: {text}");
        }
    }
}
