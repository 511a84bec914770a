//! Evidence files: upload (multipart), list, download with its digest.

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult, Problem};
use crate::problem::ProblemType;
use crate::state::AppState;
use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use futures_util::TryStreamExt;
use rempart_store::evidence::{Evidence, StoredEvidence};

/// The multipart form of an upload.
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct EvidenceUpload {
    /// The file; its name and media type come from the part's headers.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    description: Option<String>,
}

/// A multipart upload read whole: one file and some short text fields.
#[derive(Debug)]
pub struct Upload {
    pub content: Vec<u8>,
    pub filename: String,
    pub media_type: String,
    pub fields: Vec<(String, String)>,
}

impl Upload {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Reads a multipart form of one `file` (at most `limit` bytes) and the text fields
/// `texts` (64 KiB each); any other field is refused (the API's upload and the console's).
pub async fn read_upload(form: &mut Multipart, limit: usize, texts: &[&str]) -> ApiResult<Upload> {
    let mut file: Option<(Vec<u8>, String, String)> = None;
    let mut fields = Vec::new();
    while let Some(mut field) = form.try_next().await.map_err(|e| ApiError::bad_request(format!("multipart: {e}")))? {
        let name = field.content_disposition().and_then(|d| d.get_name()).unwrap_or_default().to_owned();
        let filename = field.content_disposition().and_then(|d| d.get_filename()).unwrap_or("unnamed").to_owned();
        let media_type = field
            .content_type()
            .map(|m| m.essence_str().to_owned())
            .unwrap_or_else(|| "application/octet-stream".into());
        let cap = if name == "file" { limit } else { 64 * 1024 };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.try_next().await.map_err(|e| ApiError::bad_request(format!("multipart: {e}")))? {
            if bytes.len() + chunk.len() > cap {
                return Err(if name == "file" { too_large(limit) } else { ApiError::validation(name, "too long") });
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "file" if file.is_none() => file = Some((bytes, filename, media_type)),
            "file" => return Err(ApiError::validation("file", "send one file per upload")),
            text if texts.contains(&text) => {
                let value =
                    String::from_utf8(bytes).map_err(|_| ApiError::validation(name.clone(), "not UTF-8 text"))?;
                if value.contains('\0') {
                    return Err(ApiError::validation(name, "must not contain a NUL character"));
                }
                fields.push((name, value));
            }
            other => {
                let expected = std::iter::once("file").chain(texts.iter().copied()).collect::<Vec<_>>().join(", ");
                return Err(ApiError::validation(
                    other.to_owned(),
                    format!("unknown form field (expected {expected})"),
                ));
            }
        }
    }
    let (content, filename, media_type) = file.ok_or_else(|| ApiError::validation("file", "required"))?;
    Ok(Upload { content, filename, media_type, fields })
}

fn too_large(limit: usize) -> ApiError {
    ApiError::of(ProblemType::PayloadTooLarge, format!("evidence files are limited to {limit} bytes"))
}

/// Stores a file as evidence: content-addressed (SHA-256), immutable. The same file sent
/// twice to a case is stored once (200 instead of 201).
#[utoipa::path(post, path = "/api/v1/cases/{id}/evidence", tag = "evidence", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body(content = inline(EvidenceUpload), content_type = "multipart/form-data"),
    responses(
    (status = 201, body = StoredEvidence),
    (status = 200, body = StoredEvidence, description = "already stored for this case"),
    (status = 413, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn upload(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    mut form: Multipart,
) -> ApiResult<HttpResponse> {
    let upload = read_upload(&mut form, state.config.evidence_limit_bytes, &["description"]).await?;
    let raw = path.into_inner();
    let stored = state
        .db(move |conn| {
            let description = upload.field("description");
            let file = rempart_app::evidence::Upload {
                content: &upload.content,
                media_type: &upload.media_type,
                name: &upload.filename,
                description,
            };
            Ok(rempart_app::evidence::add(conn, &user.actor(), &raw, file)?)
        })
        .await?;
    let mut response = if stored.created { HttpResponse::Created() } else { HttpResponse::Ok() };
    Ok(response.json(stored))
}

/// Evidence of the case.
#[utoipa::path(get, operation_id = "list_evidence", path = "/api/v1/cases/{id}/evidence", tag = "evidence", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Vec<Evidence>)))]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<Evidence>>> {
    let raw = path.into_inner();
    Ok(web::Json(state.db(move |conn| Ok(rempart_app::evidence::list(conn, &user.actor(), &raw)?)).await?))
}

/// Downloads a file, checked against its digest, with `Digest` and `Repr-Digest` headers
/// so the receiver can check it too. Always an attachment, never cached, and never
/// rendered: whatever it claims to be (HTML, SVG ...), it is served as
/// `application/octet-stream` under `Content-Security-Policy: sandbox` (its recorded media
/// type is in the evidence list and in `X-Evidence-Media-Type`).
#[utoipa::path(get, path = "/api/v1/cases/{id}/evidence/{evidence_id}/content", tag = "evidence",
    security(("bearer" = [])), params(("id" = String, Path), ("evidence_id" = String, Path)), responses(
    (status = 200, description = "the file", content_type = "application/octet-stream",
        headers(("Digest" = String, description = "sha-256=<base64>"), ("Repr-Digest" = String))),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn download(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (raw, evidence_id) = path.into_inner();
    let (record, content) =
        state.db(move |conn| Ok(rempart_app::evidence::content(conn, &user.actor(), &raw, &evidence_id)?)).await?;
    attachment(&record, content)
}

/// A stored file as an attachment that is never rendered nor cached (the API's download
/// and the console's), with its digest for the receiver to check.
pub fn attachment(record: &Evidence, content: Vec<u8>) -> ApiResult<HttpResponse> {
    let digest = STANDARD.encode(hex::decode(&record.sha256).map_err(|_| ApiError::internal())?);
    // RFC 6266: an ASCII fallback for old clients, the real (UTF-8) name in `filename*`.
    let ascii: String = record
        .original_name
        .chars()
        .map(|c| if (c.is_ascii_graphic() || c == ' ') && c != '"' && c != '\\' { c } else { '_' })
        .collect();
    let disposition = header::ContentDisposition {
        disposition: header::DispositionType::Attachment,
        parameters: vec![
            header::DispositionParam::Filename(ascii),
            header::DispositionParam::FilenameExt(header::ExtendedValue {
                charset: header::Charset::Ext("UTF-8".to_owned()),
                language_tag: None,
                value: record.original_name.clone().into_bytes(),
            }),
        ],
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/octet-stream"))
        .insert_header((header::CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'"))
        .insert_header(("X-Evidence-Media-Type", record.media_type.clone()))
        .insert_header(("Digest", format!("sha-256={digest}")))
        .insert_header(("Repr-Digest", format!("sha-256=:{digest}:")))
        .insert_header((header::ETAG, format!("\"{}\"", record.sha256)))
        .insert_header(disposition)
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(content))
}
