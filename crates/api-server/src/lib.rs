//! `onramp-api`: a local implementation of Spot's setup API
//! plus the auth additions of `docs/contracts.md`, on axum + SQLite. It also serves the built
//! app with its security headers.
//!
//! [`app`] builds the whole router, so tests drive it in-process with `tower::ServiceExt`.

pub mod auth;
pub mod body;
pub mod client_ip;
pub mod config;
pub mod connect_token;
pub mod db;
pub mod demo;
pub mod dictionaries;
pub mod fault;
pub mod hashing;
pub mod rate_limit;
pub mod respond;
pub mod roles;
pub mod routes;
pub mod scope;
pub mod secrets;
pub mod serve;
pub mod static_files;
pub mod throttle;
pub mod util;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    middleware::{from_fn, from_fn_with_state},
};
use std::sync::Arc;

pub use config::Config;

#[derive(Clone)]
pub struct AppState {
    pub db: db::Db,
    /// Seals and opens the cloud secrets stored in `db`.
    pub secrets: Arc<secrets::Secrets>,
    pub config: Arc<Config>,
    pub limiter: Arc<rate_limit::RateLimiter>,
    pub site: Arc<static_files::Site>,
    /// A password hash checked when the email is unknown, so both failures take as long
    /// (computed on first use, so start-up stays instant).
    pub dummy_hash: Arc<std::sync::OnceLock<String>>,
    /// Fault injection (tests only; off by default).
    pub faults: Arc<fault::FaultInjector>,
    /// Failed sign-in / sign-up counters.
    pub throttle: Arc<throttle::LoginThrottle>,
    /// Invitations created per organization (the same sliding-window counter, keyed
    /// [`throttle::org_key`]).
    pub invitations: Arc<throttle::LoginThrottle>,
    /// The bounded queue every password hash goes through.
    pub hashing: Arc<hashing::HashPool>,
}

impl AppState {
    pub fn new(config: Config) -> Result<Self, String> {
        let db = db::Db::open(&config.db)
            .map_err(|e| format!("Cannot open the database {:?}: {e}", config.db))?;
        let (secrets, sealed_now) =
            secrets::unlock(&mut db.conn(), config.key_file_path().as_deref())?;
        if sealed_now > 0 {
            eprintln!(
                "onramp-api: encrypted {sealed_now} cloud secret(s) that were stored in plain text"
            );
        }
        if config.demo {
            demo::seed(&mut db.conn(), &secrets, config.fast_password_hashing)
                .map_err(|e| format!("Cannot seed the demo organization: {e}"))?;
        }
        Ok(Self {
            db,
            secrets: Arc::new(secrets),
            limiter: Arc::new(rate_limit::RateLimiter::new(config.rate_limit)),
            site: Arc::new(static_files::Site::load(&config)),
            dummy_hash: Arc::new(std::sync::OnceLock::new()),
            faults: Arc::new(fault::FaultInjector::new(
                config.faults.clone(),
                config.fault_seed,
                config.fault_control,
            )),
            throttle: Arc::new(throttle::LoginThrottle::new(
                config.login_attempts,
                config.login_window,
            )),
            invitations: Arc::new(throttle::LoginThrottle::new(
                config.invitation_limit,
                config.invitation_window,
            )),
            hashing: Arc::new(hashing::HashPool::new(
                config.hash_workers,
                config.hash_queue,
            )),
            config: Arc::new(config),
        })
    }
}

/// The whole server. Panics only if the database cannot be opened (use [`app_with_state`] to
/// handle that).
pub fn app(config: Config) -> Router {
    app_with_state(AppState::new(config).expect("database opens"))
}

pub fn app_with_state(state: AppState) -> Router {
    let max_body = state.config.max_body;
    let api = routes::api_routes()
        // The last route layer added runs first: client address, throttle, authenticate, rate
        // limit, viewer guard.
        // Innermost: needs the caller that `auth::authenticate` resolves from the bearer token.
        .route_layer(from_fn(roles::viewer_guard))
        // Counts per caller, so it sits inside `authenticate`.
        .route_layer(from_fn_with_state(state.limiter.clone(), rate_limit::guard))
        .route_layer(from_fn_with_state(state.clone(), auth::authenticate))
        .route_layer(from_fn_with_state(state.clone(), throttle::guard))
        .route_layer(from_fn_with_state(
            Arc::new(state.config.trusted_proxies.clone()),
            client_ip::resolve,
        ))
        .fallback(respond::unknown_route)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(max_body))
        // The accept loop's timers stop while a request is being answered, so without this a
        // client that announces a body and sends it slowly or never holds its connection for
        // ever. `body::json_object` and the throttle answer 408 once the deadline has passed.
        .layer(from_fn_with_state(
            state.config.body_timeout,
            body::set_deadline,
        ))
        .layer(from_fn(respond::envelope))
        .layer(from_fn(|req, next: axum::middleware::Next| async move {
            let mut res = next.run(req).await;
            static_files::common_headers(res.headers_mut());
            res
        }));
    let faults = state.faults.installed;
    let router = Router::new()
        // `nest` leaves "/api/" itself to the app's fallback (HTML): keep it an API envelope.
        .route_service("/api/", api.clone().with_state(state.clone()))
        .nest("/api", api)
        .fallback(static_files::serve);
    let router = if faults {
        router.layer(from_fn_with_state(state.clone(), fault::inject))
    } else {
        router
    };
    router.with_state(state)
}
