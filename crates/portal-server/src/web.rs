//! The web app's files: compiled into the binary from `web/dist`, or read from a folder that
//! `PORTAL_WEB_DIR` names.
//!
//! Hashed build files under `/assets` are served as they are, or 404. Every other path is a
//! page of the client-side router and gets `index.html`.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::services::{ServeDir, ServeFile};

/// The files of `web/dist` when the binary was built. Release builds contain them; debug
/// builds read them from that folder at run time. A build without the folder has none.
#[derive(rust_embed::Embed)]
#[folder = "../../web/dist/"]
#[allow_missing = true]
struct BuiltWebApp;

/// The source of the web app's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebApp {
    /// The files compiled into the binary.
    Embedded,
    /// A folder with `index.html` and `assets/`.
    Folder(PathBuf),
}

impl WebApp {
    /// Returns the folder when one is given, and otherwise the files compiled into the binary.
    pub fn choose(folder: Option<&Path>) -> Self {
        match folder {
            Some(folder) => Self::Folder(folder.to_owned()),
            None => Self::Embedded,
        }
    }

    /// Returns whether the source has an `index.html`, so that `/` shows the app.
    pub fn is_available(&self) -> bool {
        match self {
            Self::Embedded => BuiltWebApp::get(INDEX).is_some(),
            Self::Folder(folder) => folder.join(INDEX).is_file(),
        }
    }

    /// Adds the routes that serve the web app to `router`, as its fallback.
    pub fn serve<S: Clone + Send + Sync + 'static>(&self, router: Router<S>) -> Router<S> {
        match self {
            Self::Embedded => router.fallback_service(get(embedded_file)),
            Self::Folder(folder) => {
                let assets = ServeDir::new(folder.join("assets"));
                let pages = ServeDir::new(folder).fallback(ServeFile::new(folder.join(INDEX)));
                router
                    .nest_service("/assets", assets)
                    .fallback_service(pages)
            }
        }
    }
}

const INDEX: &str = "index.html";

/// Cache lifetime of the hashed build files: a changed file gets a new name, so a year is safe.
const ASSET_CACHE: &str = "public, max-age=31536000, immutable";

/// Pages revalidate on every load, so a new release reaches browsers at once.
const PAGE_CACHE: &str = "no-cache";

async fn embedded_file(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if path.starts_with("assets/") {
        return match BuiltWebApp::get(path) {
            Some(file) => file_response(file, ASSET_CACHE),
            None => StatusCode::NOT_FOUND.into_response(),
        };
    }
    // Files at the top of the build, such as a favicon, are served as they are.
    if let Some(file) = BuiltWebApp::get(path).filter(|_| !path.is_empty()) {
        return file_response(file, PAGE_CACHE);
    }
    match BuiltWebApp::get(INDEX) {
        Some(file) => file_response(file, PAGE_CACHE),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn file_response(file: rust_embed::EmbeddedFile, cache: &'static str) -> Response {
    let content_type = HeaderValue::from_str(file.metadata.mimetype())
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        Body::from(file.data.into_owned()),
    )
        .into_response()
}
