//! The router: the page and its assets, the JSON API, and the security
//! middleware in front of all of it.

use super::{api, assets, security, AppState};
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// Every route of the workbench.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(assets::index))
        .route("/assets/{name}", get(assets::asset))
        .route("/api/info", get(api::info))
        .route("/api/policies", get(api::policies))
        .route("/api/policy", get(api::get_policy).put(api::save_policy))
        .route("/api/check", post(api::check))
        .route("/api/format", post(api::format))
        .route("/api/data", get(api::list_data).delete(api::clear_data))
        .route("/api/data/{role}", post(api::upload))
        .route("/api/eval", post(api::eval))
        .route("/api/explain", post(api::explain))
        .route("/api/whatif", post(api::whatif))
        .route("/api/history", get(api::history))
        .route("/api/diff", post(api::diff))
        .route("/api/export", post(api::export))
        .fallback(assets::not_found)
        // the handlers read bodies themselves, with their own limits
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::guard,
        ))
        .with_state(state)
}
