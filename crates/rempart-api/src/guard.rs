//! What every request and answer goes through before and after the handlers: text with a
//! NUL character is refused at the edge (SQLite would store it, PostgreSQL cannot: one
//! answer, 422, on both engines), and the security headers of every answer.

use crate::error::ApiError;
use actix_web::HttpMessage;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use futures_util::StreamExt;

/// `Content-Security-Policy` of API answers: they are data, never a page to render.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// Whether percent-decoded `raw` holds a NUL character.
fn decodes_to_nul(raw: &str) -> bool {
    raw.contains('\0') || raw.as_bytes().windows(3).any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
}

/// Whether a JSON document holds a NUL in any string or key (`"\u0000"`). A document that
/// does not parse is left to the JSON extractor, which answers it.
fn json_has_nul(body: &[u8]) -> Option<String> {
    fn walk(value: &serde_json::Value, path: &str) -> Option<String> {
        match value {
            serde_json::Value::String(s) if s.contains('\0') => Some(path.to_owned()),
            serde_json::Value::Array(items) => {
                items.iter().enumerate().find_map(|(i, v)| walk(v, &format!("{path}[{i}]")))
            }
            serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
                let here = if path == "body" { k.clone() } else { format!("{path}.{k}") };
                if k.contains('\0') { Some(here) } else { walk(v, &here) }
            }),
            _ => None,
        }
    }
    let lower = body.to_ascii_lowercase();
    if !lower.windows(5).any(|w| w == b"u0000") {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    walk(&value, "body")
}

/// Whether a JSON document is something other than an object (`[]`, `"x"`, `1`): every
/// request body of the API is an object, and serde would read an array into a struct
/// field by field. Empty or malformed documents are left to the JSON extractor.
fn json_not_an_object(body: &[u8]) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|first| *first != b'{')
        && serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok()
}

fn nul_refused(field: &str) -> ApiError {
    ApiError::validation(field, "must not contain a NUL character")
}

/// Refuses a NUL character in the path, the query or a JSON body with 422, then adds the
/// security headers to the answer.
pub async fn edge(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> actix_web::Result<ServiceResponse<BoxBody>> {
    if decodes_to_nul(req.uri().path()) {
        return Ok(req.error_response(nul_refused("path")));
    }
    if decodes_to_nul(req.query_string()) {
        return Ok(req.error_response(nul_refused("query")));
    }
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/json"));
    if json {
        // Past the JSON limit the extractor answers 413; reading stops there.
        let limit = req
            .app_data::<actix_web::web::Data<crate::state::AppState>>()
            .map_or(1 << 20, |s| s.config.json_limit_bytes);
        let mut payload = req.take_payload();
        let mut body = BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk: Bytes = chunk?;
            body.extend_from_slice(&chunk);
            if body.len() > limit {
                // Never hand a cut body on: it would read as malformed JSON.
                return Ok(req.error_response(crate::json_too_large(limit)));
            }
        }
        let body: Bytes = body.freeze();
        if let Some(field) = json_has_nul(&body) {
            return Ok(req.error_response(nul_refused(&field)));
        }
        if json_not_an_object(&body) {
            return Ok(req.error_response(ApiError::validation("body", "must be a JSON object")));
        }
        req.set_payload(actix_web::dev::Payload::from(body));
    }
    let mut res = next.call(req).await?.map_into_boxed_body();
    let headers = res.headers_mut();
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(API_CSP));
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_found_where_it_hides() {
        assert!(decodes_to_nul("value=a%00b"));
        assert!(!decodes_to_nul("value=a%20b&x=%41"));
        assert!(!decodes_to_nul("value=%2500"), "an escaped percent sign is not a NUL");
        assert_eq!(json_has_nul(br#"{"text": "A\u0000B"}"#).as_deref(), Some("text"));
        assert_eq!(json_has_nul(br#"{"a": {"b": ["x", "\u0000"]}}"#).as_deref(), Some("a.b[1]"));
        assert_eq!(json_has_nul(br#"{"text": "\\u0000 is how JSON writes it"}"#), None);
        assert_eq!(json_has_nul(br#"{"text": "fine"}"#), None);
    }

    #[test]
    fn only_objects_are_request_bodies() {
        assert!(json_not_an_object(b"[]"));
        assert!(json_not_an_object(b"  [{\"apply\": true}]"));
        assert!(json_not_an_object(br#""text""#));
        assert!(json_not_an_object(b"7"));
        assert!(!json_not_an_object(b" \n{\"apply\": true}"));
        assert!(!json_not_an_object(b""), "empty: the extractor answers it");
        assert!(!json_not_an_object(b"summary=x"), "not JSON: the extractor answers it");
    }
}
