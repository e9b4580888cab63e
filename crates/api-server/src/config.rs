//! Command-line flags and their environment twins (see `docs/contracts.md`).
//!
//! A flag wins over its environment variable, which wins over the default.

use std::{net::IpAddr, path::PathBuf, time::Duration};

use clap::{
    ArgAction, Args, CommandFactory, FromArgMatches, Parser,
    builder::{RangedU64ValueParser, Resettable},
    error::ErrorKind,
    value_parser,
};

mod faults;

pub use faults::Faults;

/// What `onramp-api` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Command {
    #[default]
    Serve,
    /// `onramp-api rotate-key`.
    RotateKey,
}

/// Spot's AWS principal, trusted by the roles customers create.
pub const SPOT_PRINCIPAL: &str = "arn:aws:iam::922761411349:root";
pub const SPOT_AWS_ACCOUNT_ID: &str = "922761411349";

/// Default of `--body-timeout-secs`: long enough for any body up to `--max-body` on a slow
/// link, short enough that a client announcing a body it never sends frees its connection.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub listen: String,
    /// SQLite file, or `:memory:`.
    pub db: String,
    /// The key that seals cloud secrets (`None`: `<db>.key`, or a random in-memory key for
    /// `:memory:`). See [`Config::key_file_path`].
    pub key_file: Option<PathBuf>,
    /// What to run: the server, or a maintenance command.
    pub command: Command,
    pub dist: PathBuf,
    pub api_base_url: String,
    /// The server's public base URL (`--public-url`, e.g. `https://onramp.example.com`), from
    /// which AWS can reach it; without it there are no connect tokens (see
    /// [`Config::public_api_url`]).
    pub public_url: Option<String>,
    pub embed_origins: Vec<String>,
    /// Requests per organization × route × method per 60 s window.
    pub rate_limit: u32,
    /// Largest accepted request body, in bytes.
    pub max_body: usize,
    /// Cheap password hashing parameters. Not a flag: tests set it to stay fast.
    pub fast_password_hashing: bool,
    /// Fault injection (tests only; everything off by default). See `docs/contracts.md`.
    pub faults: Faults,
    /// Seed of the fault RNG (`None`: from the OS).
    pub fault_seed: Option<u64>,
    /// Serve `GET`/`POST /api/_faults` to change the faults while running.
    pub fault_control: bool,
    /// Failed sign-ins per email within `login_window` before 429 (per client IP: 4×).
    /// 0 turns login throttling off.
    pub login_attempts: u32,
    /// Not a flag: tests shorten it.
    pub login_window: Duration,
    /// Invitations an organization may create within `invitation_window` before 429.
    /// 0 turns the limit off.
    pub invitation_limit: u32,
    /// Not a flag: one hour (tests shorten it).
    pub invitation_window: Duration,
    /// Seed the labelled demo organization at start (`--demo`; see `demo.rs`).
    pub demo: bool,
    /// Peers whose `X-Forwarded-For` names the client (see `client_ip`); empty: none.
    pub trusted_proxies: Vec<IpAddr>,
    /// Password hashes running at once. Not a flag: one per core (tests lower it).
    pub hash_workers: usize,
    /// Password hashes that may wait for a worker before further ones answer 503.
    pub hash_queue: usize,
    /// Connection limits of the accept loop (`serve`).
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
    /// How long a request body may go without data arriving before the request answers 408
    /// (`--body-timeout-secs`; the router's, so in-process tests get it too).
    pub body_timeout: Duration,
    /// How long shutdown waits for open connections. Not a flag: tests shorten it.
    pub shutdown_grace: Duration,
    /// A session ends this long after it last authenticated a request (`--session-idle-hours`).
    pub session_idle: Duration,
    /// A session ends this long after sign-in whatever its use (`--session-max-days`).
    pub session_max: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            db: "./onramp.sqlite".into(),
            key_file: None,
            command: Command::Serve,
            dist: PathBuf::from("./dist"),
            api_base_url: "/api".into(),
            public_url: None,
            embed_origins: Vec::new(),
            rate_limit: 600,
            max_body: 262_144,
            fast_password_hashing: false,
            faults: Faults::default(),
            fault_seed: None,
            fault_control: false,
            login_attempts: 5,
            login_window: Duration::from_secs(15 * 60),
            invitation_limit: 20,
            invitation_window: Duration::from_secs(3600),
            demo: false,
            trusted_proxies: Vec::new(),
            hash_workers: crate::hashing::default_workers(),
            hash_queue: 16,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
            body_timeout: BODY_TIMEOUT,
            shutdown_grace: Duration::from_secs(10),
            session_idle: Duration::from_secs(12 * 3600),
            session_max: Duration::from_secs(7 * 86400),
        }
    }
}

impl Config {
    /// A configuration for in-process tests: in-memory database, fast hashing.
    pub fn for_tests() -> Self {
        Self {
            db: ":memory:".into(),
            dist: PathBuf::from("/nonexistent-onramp-dist"),
            fast_password_hashing: true,
            ..Self::default()
        }
    }

    /// Reads flags (`args` without the program name) and the environment (`env` looks a
    /// variable up: `main` passes the process environment, tests a fixed answer). An empty
    /// variable counts as unset. Errors, and `--help`, come back as the text to print.
    pub fn parse<I, F>(args: I, env: F) -> Result<Self, String>
    where
        I: IntoIterator<Item = String>,
        F: Fn(&str) -> Option<String>,
    {
        // clap reads each `env` variable from the process itself, when the command is built.
        // So that `env` decides instead, every argument drops what clap read and takes `env`'s
        // value as its default: a flag still overrides it, and it passes the same checks.
        // Negative numbers are let through so that their flag's check says what is wrong.
        let command = Flags::command().mut_args(|arg| {
            let value = arg
                .get_env()
                .and_then(|var| env(var.to_str()?))
                .filter(|v| !v.is_empty());
            let arg = arg.env(Resettable::Reset).allow_negative_numbers(true);
            match value {
                Some(v) => arg.default_value(v),
                None => arg,
            }
        });
        let argv: Vec<String> = std::iter::once("onramp-api".to_owned())
            .chain(args)
            .collect();
        let matches = command
            .try_get_matches_from(&argv)
            .map_err(|e| match e.kind() {
                // Rendered from the untouched command, which still names each variable.
                ErrorKind::DisplayHelp => {
                    let mut command = Flags::command();
                    command.build();
                    match command.find_subcommand_mut("rotate-key") {
                        Some(sub) if argv.iter().any(|a| a == "rotate-key") => {
                            sub.render_help().to_string()
                        }
                        _ => command.render_help().to_string(),
                    }
                }
                _ => e.to_string().trim_end().to_owned(),
            })?;
        let flags = Flags::from_arg_matches(&matches).map_err(|e| e.to_string())?;
        Ok(flags.into())
    }

    /// The key file: `--key-file`, else beside the database (`<db>.key`); `None` for a
    /// `:memory:` database without one (its secrets die with the process, so may its key).
    pub fn key_file_path(&self) -> Option<PathBuf> {
        match (&self.key_file, self.db.as_str()) {
            (Some(path), _) => Some(path.clone()),
            (None, ":memory:") => None,
            (None, db) => Some(PathBuf::from(format!("{db}.key"))),
        }
    }

    /// Where a stack reaches this server's API (`<public url><api base path>`, in config.json
    /// as `publicApiUrl`): only with `--public-url`, and only when this server is the API the
    /// app talks to (`api_base_url` a path). Connect tokens exist only then.
    pub fn public_api_url(&self) -> Option<String> {
        let base = self.public_url.as_deref()?;
        self.api_base_url
            .starts_with('/')
            .then(|| format!("{base}{}", self.api_base_url.trim_end_matches('/')))
    }

    /// The API's origin when `api_base_url` is absolute (`https://host[:port]`), for CSP.
    pub fn api_origin(&self) -> Option<String> {
        let url = &self.api_base_url;
        let rest = url
            .strip_prefix("https://")
            .map(|r| ("https://", r))
            .or_else(|| url.strip_prefix("http://").map(|r| ("http://", r)))?;
        let host = rest.1.split(['/', '?', '#']).next().unwrap_or("");
        (!host.is_empty()).then(|| format!("{}{host}", rest.0))
    }
}

/// The flags as clap reads them (their doc comments are the `--help` text). The defaults must
/// match `Config::default()` (a test checks).
#[derive(Debug, Parser)]
#[command(
    name = "onramp-api",
    about = "Spot's setup API on SQLite, serving the built Onramp app.",
    // A repeated flag takes its last value instead of being an error.
    args_override_self = true,
    disable_help_subcommand = true
)]
struct Flags {
    /// Address to listen on.
    #[arg(
        long,
        env = "ONRAMP_LISTEN",
        value_name = "ADDR",
        default_value = "127.0.0.1:8080"
    )]
    listen: String,
    /// SQLite file, or :memory:.
    #[arg(
        long,
        env = "ONRAMP_DB",
        value_name = "PATH",
        default_value = "./onramp.sqlite",
        global = true
    )]
    db: String,
    /// Key that encrypts the stored cloud secrets (default: the --db path + .key; a random
    /// in-memory key for :memory:). Created with mode 0600 on first start; back it up apart from
    /// the database.
    #[arg(long, env = "ONRAMP_KEY_FILE", value_name = "PATH", global = true)]
    key_file: Option<PathBuf>,
    /// Directory of the built app.
    #[arg(
        long,
        env = "ONRAMP_DIST",
        value_name = "DIR",
        default_value = "./dist"
    )]
    dist: PathBuf,
    /// Where the app calls the API: a path, or an absolute URL.
    #[arg(
        long,
        env = "ONRAMP_API_BASE_URL",
        value_name = "URL",
        default_value = "/api"
    )]
    api_base_url: String,
    /// This server's public base URL, reachable from AWS (e.g. https://onramp.example.com):
    /// a CloudFormation stack then reports its role to it with a one-time connect token.
    #[arg(
        long,
        env = "ONRAMP_PUBLIC_URL",
        value_name = "URL",
        value_parser = public_url
    )]
    public_url: Option<String>,
    /// Origins that may embed the app, space- or comma-separated (e.g. https://partner.example).
    #[arg(
        long,
        env = "ONRAMP_EMBED_ORIGINS",
        value_name = "ORIGINS",
        value_parser = origins
    )]
    embed_origins: Option<Origins>,
    /// Requests per organization (or client IP), route and method in each 60-second window.
    #[arg(
        long,
        env = "ONRAMP_RATE_LIMIT",
        value_name = "N",
        default_value = "600",
        value_parser = value_parser!(u32).range(1..)
    )]
    rate_limit: u32,
    /// Largest accepted request body, in bytes.
    #[arg(
        long,
        env = "ONRAMP_MAX_BODY",
        value_name = "BYTES",
        default_value = "262144",
        value_parser = RangedU64ValueParser::<usize>::new().range(1..)
    )]
    max_body: usize,
    /// Failed sign-ins per email in 15 minutes before 429 (per client IP: 4×); 0 turns this off.
    #[arg(
        long,
        env = "ONRAMP_LOGIN_ATTEMPTS",
        value_name = "N",
        default_value = "5"
    )]
    login_attempts: u32,
    /// Invitations an organization may create per hour (sliding window) before 429; 0 turns
    /// this off.
    #[arg(
        long,
        env = "ONRAMP_INVITATION_LIMIT",
        value_name = "N",
        default_value = "20"
    )]
    invitation_limit: u32,
    /// Seed a labelled demo organization (demo@onramp.example; its password is printed at start).
    #[arg(
        long,
        env = "ONRAMP_DEMO",
        value_name = "BOOL",
        default_value = "false",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        action = ArgAction::Set,
        value_parser = on_off
    )]
    demo: bool,
    /// Proxies (IP addresses, space- or comma-separated) whose X-Forwarded-For names the client
    /// for the login throttle and the rate limit; from any other peer the header is ignored.
    #[arg(
        long,
        env = "ONRAMP_TRUSTED_PROXIES",
        value_name = "IPS",
        value_parser = ip_list
    )]
    trusted_proxies: Option<IpList>,
    /// Password hashes (sign-in, sign-up, accepting an invitation) that may wait for a free
    /// core; beyond that such requests answer 503.
    #[arg(
        long,
        env = "ONRAMP_HASH_QUEUE",
        value_name = "N",
        default_value = "16"
    )]
    hash_queue: usize,
    /// Seconds a client has to send a request's headers, from connecting or from the previous
    /// answer (so also how long a kept-alive connection may wait for its next request).
    #[arg(
        long,
        env = "ONRAMP_HEADER_TIMEOUT_SECS",
        value_name = "S",
        default_value = "10",
        value_parser = value_parser!(u64).range(1..=3600)
    )]
    header_timeout_secs: u64,
    /// Seconds a connection may stay open with no answer in progress and no bytes moving.
    #[arg(
        long,
        env = "ONRAMP_IDLE_TIMEOUT_SECS",
        value_name = "S",
        default_value = "60",
        value_parser = value_parser!(u64).range(1..=86400)
    )]
    idle_timeout_secs: u64,
    /// Connections served at once; more wait until one closes.
    #[arg(
        long,
        env = "ONRAMP_MAX_CONNECTIONS",
        value_name = "N",
        default_value = "1024",
        value_parser = RangedU64ValueParser::<usize>::new().range(1..=1_000_000)
    )]
    max_connections: usize,
    /// Seconds a request body may stall (no data arriving) before the request answers 408.
    #[arg(
        long,
        env = "ONRAMP_BODY_TIMEOUT_SECS",
        value_name = "S",
        default_value_t = BODY_TIMEOUT.as_secs(),
        value_parser = value_parser!(u64).range(1..=3600)
    )]
    body_timeout_secs: u64,
    /// Hours a session (a sign-in) stays valid without being used; each request restarts it.
    #[arg(
        long,
        env = "ONRAMP_SESSION_IDLE_HOURS",
        value_name = "H",
        default_value = "12",
        value_parser = value_parser!(u64).range(1..=8760)
    )]
    session_idle_hours: u64,
    /// Days a session (a sign-in) stays valid at most, however much it is used. API tokens
    /// have their own expiry.
    #[arg(
        long,
        env = "ONRAMP_SESSION_MAX_DAYS",
        value_name = "DAYS",
        default_value = "7",
        value_parser = value_parser!(u64).range(1..=365)
    )]
    session_max_days: u64,
    #[command(flatten)]
    faults: FaultFlags,
    #[command(subcommand)]
    command: Option<Subcommand>,
}

#[derive(Debug, clap::Subcommand)]
enum Subcommand {
    /// Re-encrypt every stored cloud secret under a new key, replace the key file and exit.
    /// Stop the server first (it refuses while one runs).
    RotateKey,
}

/// The `--fault-*` flags, under their own heading in `--help`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Fault injection, for tests only (all off by default)")]
struct FaultFlags {
    /// Milliseconds added before every matching /api answer.
    #[arg(
        long,
        env = "ONRAMP_FAULT_LATENCY_MS",
        value_name = "MS",
        default_value = "0",
        value_parser = value_parser!(u64).range(..=Faults::MAX_LATENCY_MS)
    )]
    fault_latency_ms: u64,
    /// Share of matching requests answered 500.
    #[arg(
        long,
        env = "ONRAMP_FAULT_ERROR_RATE",
        value_name = "P",
        default_value = "0",
        value_parser = share
    )]
    fault_error_rate: f64,
    /// Every Nth matching request answers 429 (0: never).
    #[arg(
        long,
        env = "ONRAMP_FAULT_RATE_LIMIT_EVERY",
        value_name = "N",
        default_value = "0"
    )]
    fault_rate_limit_every: u64,
    /// X-RateLimit-Reset and Retry-After of those 429s, in seconds.
    #[arg(
        long,
        env = "ONRAMP_FAULT_RESET_SECS",
        value_name = "S",
        default_value = "2",
        value_parser = value_parser!(u64).range(..=Faults::MAX_RESET_SECS)
    )]
    fault_reset_secs: u64,
    /// Share of matching requests whose connection is dropped without an answer.
    #[arg(
        long,
        env = "ONRAMP_FAULT_DROP_RATE",
        value_name = "P",
        default_value = "0",
        value_parser = share
    )]
    fault_drop_rate: f64,
    /// Share of matching requests answered 200 with truncated JSON.
    #[arg(
        long,
        env = "ONRAMP_FAULT_MALFORMED_RATE",
        value_name = "P",
        default_value = "0",
        value_parser = share
    )]
    fault_malformed_rate: f64,
    /// Share of matching writes that commit, then lose their answer.
    #[arg(
        long,
        env = "ONRAMP_FAULT_LOSE_AFTER_WRITE_RATE",
        value_name = "P",
        default_value = "0",
        value_parser = share
    )]
    fault_lose_after_write_rate: f64,
    /// Only requests whose path starts with this (e.g. /api/setup/credentials); unset: all of /api.
    #[arg(
        long,
        env = "ONRAMP_FAULT_ONLY",
        value_name = "PATH_PREFIX",
        value_parser = path_prefix
    )]
    fault_only: Option<String>,
    /// Seconds a session may go unused before it ends, instead of --session-idle-hours.
    #[arg(
        long,
        env = "ONRAMP_FAULT_SESSION_IDLE_SECS",
        value_name = "S",
        value_parser = value_parser!(u64).range(1..)
    )]
    fault_session_idle_secs: Option<u64>,
    /// Seconds a new AWS connect token stays valid, instead of 2 hours.
    #[arg(
        long,
        env = "ONRAMP_FAULT_CONNECT_TOKEN_TTL_SECS",
        value_name = "S",
        value_parser = value_parser!(u64).range(1..)
    )]
    fault_connect_token_ttl_secs: Option<u64>,
    /// Seconds a new or renewed AWS batch connect token stays valid, instead of 24 hours.
    #[arg(
        long,
        env = "ONRAMP_FAULT_BATCH_TOKEN_TTL_SECS",
        value_name = "S",
        value_parser = value_parser!(u64).range(1..)
    )]
    fault_batch_token_ttl_secs: Option<u64>,
    /// Azure subscription IDs (space- or comma-separated) on which the service principal has
    /// no role: the Azure credential calls for them answer 400 AZURE_ROLE_NOT_ASSIGNED.
    #[arg(
        long,
        env = "ONRAMP_FAULT_AZURE_ROLE_MISSING",
        value_name = "SUBSCRIPTION_IDS",
        value_parser = subscription_list
    )]
    fault_azure_role_missing: Option<SubscriptionList>,
    /// Seed of the faults' random choices, so a run repeats (unset: random).
    #[arg(long, env = "ONRAMP_FAULT_SEED", value_name = "N")]
    fault_seed: Option<u64>,
    /// Serve GET/POST /api/_faults to read and change the faults while running.
    #[arg(
        long,
        env = "ONRAMP_FAULT_CONTROL",
        value_name = "BOOL",
        default_value = "false",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        action = ArgAction::Set,
        value_parser = on_off
    )]
    fault_control: bool,
}

impl From<Flags> for Config {
    fn from(f: Flags) -> Self {
        let x = f.faults;
        Self {
            listen: f.listen,
            db: f.db,
            key_file: f.key_file,
            command: match f.command {
                None => Command::Serve,
                Some(Subcommand::RotateKey) => Command::RotateKey,
            },
            dist: f.dist,
            api_base_url: f.api_base_url,
            public_url: f.public_url,
            embed_origins: f.embed_origins.map(|o| o.0).unwrap_or_default(),
            rate_limit: f.rate_limit,
            max_body: f.max_body,
            login_attempts: f.login_attempts,
            invitation_limit: f.invitation_limit,
            demo: f.demo,
            trusted_proxies: f.trusted_proxies.map(|l| l.0).unwrap_or_default(),
            hash_queue: f.hash_queue,
            header_timeout: Duration::from_secs(f.header_timeout_secs),
            idle_timeout: Duration::from_secs(f.idle_timeout_secs),
            max_connections: f.max_connections,
            body_timeout: Duration::from_secs(f.body_timeout_secs),
            session_idle: Duration::from_secs(f.session_idle_hours * 3600),
            session_max: Duration::from_secs(f.session_max_days * 86400),
            faults: Faults {
                latency_ms: x.fault_latency_ms,
                error_rate: x.fault_error_rate,
                rate_limit_every: x.fault_rate_limit_every,
                reset_secs: x.fault_reset_secs,
                drop_rate: x.fault_drop_rate,
                malformed_rate: x.fault_malformed_rate,
                lose_after_write_rate: x.fault_lose_after_write_rate,
                only: x.fault_only,
                session_idle_secs: x.fault_session_idle_secs,
                connect_token_ttl_secs: x.fault_connect_token_ttl_secs,
                batch_token_ttl_secs: x.fault_batch_token_ttl_secs,
                azure_role_missing: x.fault_azure_role_missing.map(|l| l.0).unwrap_or_default(),
            },
            fault_seed: x.fault_seed,
            fault_control: x.fault_control,
            ..Self::default()
        }
    }
}

/// `--embed-origins`, normalised and without duplicates.
#[derive(Debug, Clone)]
struct Origins(Vec<String>);

/// The app checks message origins with the same normalisation (core's embed module), so the
/// CSP and the postMessage allow-list can never disagree. A bad entry is an error rather than
/// silently dropped: it is an operator's typo.
fn origins(v: &str) -> Result<Origins, String> {
    distinct_list(v, |o| {
        onramp_core::embed::normalise_origin(o).ok_or_else(|| {
            format!("{o:?} is not an origin; write it like https://partner.example (scheme and host, no path).")
        })
    })
    .map(Origins)
}

/// A flag's list: entries separated by spaces or commas, each parsed by `parse`, the first
/// error returned, duplicates (after parsing) kept once in their first place.
fn distinct_list<T: PartialEq>(
    v: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    let mut out = Vec::new();
    for s in v
        .split(|ch: char| ch.is_whitespace() || ch == ',')
        .filter(|s| !s.is_empty())
    {
        let item = parse(s)?;
        if !out.contains(&item) {
            out.push(item);
        }
    }
    Ok(out)
}

/// `--trusted-proxies`, without duplicates.
#[derive(Debug, Clone)]
struct IpList(Vec<IpAddr>);

fn ip_list(v: &str) -> Result<IpList, String> {
    distinct_list(v, |s| {
        s.parse::<IpAddr>()
            .map_err(|_| format!("{s:?} is not an IP address (e.g. 10.0.0.2 or fd00::2)."))
    })
    .map(IpList)
}

/// `--fault-azure-role-missing`, without duplicates.
#[derive(Debug, Clone)]
struct SubscriptionList(Vec<String>);

/// Subscription IDs checked with core's rule (as `Faults::check` does for the control
/// endpoint), normalised.
fn subscription_list(v: &str) -> Result<SubscriptionList, String> {
    distinct_list(v, |s| {
        onramp_core::validate::azure_guid(s, "Subscription ID")
            .map_err(|_| format!("{s:?} is not a subscription ID (a GUID)."))
    })
    .map(SubscriptionList)
}

/// A rate knob (same rule as `Faults::check`, which the control endpoint uses).
fn share(v: &str) -> Result<f64, String> {
    v.parse::<f64>()
        .ok()
        .filter(|p| (0.0..=1.0).contains(p))
        .ok_or_else(|| "not a share between 0 and 1.".to_owned())
}

/// `--public-url`: an absolute http(s) URL without query or fragment; a trailing slash is
/// dropped. (AWS needs https: the template refuses anything else; http serves local tests.)
fn public_url(v: &str) -> Result<String, String> {
    let v = v.trim().trim_end_matches('/');
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"));
    match rest {
        Some(r) if !r.is_empty() && !r.starts_with('/') && !r.contains(['?', '#', ' ']) => {
            Ok(v.to_owned())
        }
        _ => Err(
            "not a public base URL; write it like https://onramp.example.com (no query).".into(),
        ),
    }
}

/// `--fault-only` (same rule as `Faults::check`).
fn path_prefix(v: &str) -> Result<String, String> {
    if v.starts_with('/') {
        Ok(v.to_owned())
    } else {
        Err("not a path prefix starting with \"/\", e.g. /api/setup/credentials.".to_owned())
    }
}

/// The words the boolean flags have always accepted.
fn on_off(v: &str) -> Result<bool, String> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err("not true or false (1, true, yes, on / 0, false, no, off).".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn defaults() {
        let c = Config::parse(args(&[]), |_| None).unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(c.listen, "127.0.0.1:8080");
        assert_eq!(c.rate_limit, 600);
        assert_eq!(c.max_body, 262_144);
    }

    #[test]
    fn flag_beats_env() {
        let env = |k: &str| match k {
            "ONRAMP_LISTEN" => Some("0.0.0.0:1".to_string()),
            "ONRAMP_RATE_LIMIT" => Some("5".to_string()),
            "ONRAMP_EMBED_ORIGINS" => Some("https://a.example https://b.example".to_string()),
            _ => None,
        };
        let c = Config::parse(args(&["--listen", "127.0.0.1:9", "--db=:memory:"]), env).unwrap();
        assert_eq!(c.listen, "127.0.0.1:9");
        assert_eq!(c.db, ":memory:");
        assert_eq!(c.rate_limit, 5);
        assert_eq!(
            c.embed_origins,
            vec!["https://a.example", "https://b.example"]
        );
    }

    #[test]
    fn embed_origins_are_normalised_like_the_app_does() {
        let c = Config::parse(
            args(&[
                "--embed-origins",
                "https://A.example:443,https://b.example  https://a.example",
            ]),
            |_| None,
        )
        .unwrap();
        assert_eq!(
            c.embed_origins,
            vec!["https://a.example", "https://b.example"]
        );
    }

    #[test]
    fn bad_values_are_refused() {
        assert!(Config::parse(args(&["--rate-limit", "0"]), |_| None).is_err());
        assert!(Config::parse(args(&["--max-body", "x"]), |_| None).is_err());
        assert!(Config::parse(args(&["--nope"]), |_| None).is_err());
        assert!(Config::parse(args(&["--listen"]), |_| None).is_err());
        assert!(Config::parse(args(&["--embed-origins", "partner.example"]), |_| None).is_err());
        assert!(Config::parse(args(&["--embed-origins", "*"]), |_| None).is_err());
        assert!(
            Config::parse(args(&["--embed-origins", "https://a.example/path"]), |_| {
                None
            })
            .is_err()
        );
        assert!(Config::parse(args(&["--fault-error-rate", "1.5"]), |_| None).is_err());
        assert!(Config::parse(args(&["--fault-drop-rate", "NaN"]), |_| None).is_err());
        assert!(Config::parse(args(&["--fault-latency-ms", "-1"]), |_| None).is_err());
        assert!(Config::parse(args(&["--fault-only", "setup"]), |_| None).is_err());
        assert!(Config::parse(args(&["--fault-control=maybe"]), |_| None).is_err());
    }

    #[test]
    fn token_lifetime_fault_flags() {
        let c = Config::parse(
            args(&[
                "--fault-batch-token-ttl-secs",
                "5",
                "--fault-connect-token-ttl-secs=3",
            ]),
            |_| None,
        )
        .unwrap();
        assert_eq!(c.faults.batch_token_ttl_secs, Some(5));
        assert_eq!(c.faults.connect_token_ttl_secs, Some(3));
        assert!(!c.faults.is_off());
        let env = |k: &str| (k == "ONRAMP_FAULT_BATCH_TOKEN_TTL_SECS").then(|| "9".to_string());
        assert_eq!(
            Config::parse(args(&[]), env)
                .unwrap()
                .faults
                .batch_token_ttl_secs,
            Some(9)
        );
        let e = Config::parse(args(&["--fault-batch-token-ttl-secs", "0"]), |_| None).unwrap_err();
        assert!(e.contains("--fault-batch-token-ttl-secs"), "{e}");
    }

    #[test]
    fn azure_role_missing_flag() {
        const A: &str = "16fd2706-8baf-433b-82eb-8c7fada847da";
        const B: &str = "26fd2706-8baf-433b-82eb-8c7fada847da";
        let upper = A.to_uppercase();
        let c = Config::parse(
            args(&["--fault-azure-role-missing", &format!("{upper}, {B} {A}")]),
            |_| None,
        )
        .unwrap();
        assert_eq!(c.faults.azure_role_missing, [A, B]);
        assert!(!c.faults.is_off());
        assert!(
            c.faults.azure_role_missing(A)
                && !c
                    .faults
                    .azure_role_missing("36fd2706-8baf-433b-82eb-8c7fada847da")
        );
        let env = |k: &str| (k == "ONRAMP_FAULT_AZURE_ROLE_MISSING").then(|| B.to_string());
        assert_eq!(
            Config::parse(args(&[]), env)
                .unwrap()
                .faults
                .azure_role_missing,
            [B]
        );
        let e = Config::parse(args(&["--fault-azure-role-missing", "prod"]), |_| None).unwrap_err();
        assert!(e.contains("--fault-azure-role-missing"), "{e}");
    }

    #[test]
    fn fault_flags() {
        let c = Config::parse(args(&[]), |_| None).unwrap();
        assert!(c.faults.is_off() && !c.fault_control && c.fault_seed.is_none());
        assert_eq!(c.faults.reset_secs, 2);
        assert_eq!(c.login_attempts, 5);
        let env = |k: &str| match k {
            "ONRAMP_FAULT_ERROR_RATE" => Some("0.25".to_string()),
            "ONRAMP_FAULT_CONTROL" => Some("1".to_string()),
            _ => None,
        };
        let c = Config::parse(
            args(&[
                "--fault-control",
                "--fault-latency-ms",
                "150",
                "--fault-rate-limit-every=3",
                "--fault-reset-secs",
                "7",
                "--fault-drop-rate",
                "1",
                "--fault-malformed-rate",
                "0.5",
                "--fault-lose-after-write-rate",
                "0",
                "--fault-only",
                "/api/setup/credentials",
                "--fault-seed",
                "42",
                "--login-attempts",
                "2",
            ]),
            env,
        )
        .unwrap();
        assert!(c.fault_control);
        let f = &c.faults;
        assert_eq!(
            (f.latency_ms, f.rate_limit_every, f.reset_secs),
            (150, 3, 7)
        );
        assert_eq!(
            (f.error_rate, f.drop_rate, f.malformed_rate),
            (0.25, 1.0, 0.5)
        );
        assert_eq!(f.only.as_deref(), Some("/api/setup/credentials"));
        assert_eq!(c.fault_seed, Some(42));
        assert_eq!(c.login_attempts, 2);
        let c = Config::parse(args(&["--fault-control", "--db", ":memory:"]), |_| None).unwrap();
        assert!(c.fault_control);
        assert_eq!(c.db, ":memory:");
        assert!(
            Config::parse(args(&["--help"]), |_| None)
                .unwrap_err()
                .contains("--fault-only")
        );
    }

    #[test]
    fn invitation_limit() {
        let c = Config::parse(args(&[]), |_| None).unwrap();
        assert_eq!(c.invitation_limit, 20);
        assert_eq!(c.invitation_window, Duration::from_secs(3600));
        let env = |k: &str| (k == "ONRAMP_INVITATION_LIMIT").then(|| "7".into());
        assert_eq!(Config::parse(args(&[]), env).unwrap().invitation_limit, 7);
        let c = Config::parse(args(&["--invitation-limit=0"]), env).unwrap();
        assert_eq!(c.invitation_limit, 0);
        let e = Config::parse(args(&["--invitation-limit", "-1"]), |_| None).unwrap_err();
        assert!(e.contains("--invitation-limit"), "{e}");
    }

    #[test]
    fn demo_flag() {
        assert!(!Config::parse(args(&[]), |_| None).unwrap().demo);
        assert!(Config::parse(args(&["--demo"]), |_| None).unwrap().demo);
        assert!(
            !Config::parse(args(&["--demo=false"]), |_| None)
                .unwrap()
                .demo
        );
        let env = |k: &str| (k == "ONRAMP_DEMO").then(|| "1".to_string());
        assert!(Config::parse(args(&[]), env).unwrap().demo);
        assert!(Config::parse(args(&["--demo=maybe"]), |_| None).is_err());
    }

    #[test]
    fn help_lists_every_flag_with_its_variable_and_default() {
        let help = Config::parse(args(&["--help"]), |_| None).unwrap_err();
        let command = Flags::command();
        let flags: Vec<_> = command
            .get_arguments()
            .filter(|a| a.get_id() != "help")
            .collect();
        assert_eq!(flags.len(), 34);
        for a in flags {
            let long = a.get_long().unwrap();
            assert!(help.contains(&format!("--{long}")), "{long}");
            let var = a.get_env().and_then(|v| v.to_str()).unwrap();
            assert_eq!(
                var,
                format!("ONRAMP_{}", long.replace('-', "_").to_uppercase())
            );
            assert!(help.contains(&format!("[env: {var}")), "{var}");
            if let [default] = a.get_default_values() {
                let default = default.to_str().unwrap();
                assert!(help.contains(&format!("[default: {default}]")), "{long}");
            }
        }
        assert!(help.contains("[default: 127.0.0.1:8080]"));
        assert!(help.contains("rotate-key"), "the subcommand is listed");
    }

    #[test]
    fn key_file_and_rotate_key() {
        let c = Config::parse(args(&[]), |_| None).unwrap();
        assert_eq!(c.command, Command::Serve);
        assert_eq!(c.key_file, None);
        assert_eq!(
            c.key_file_path(),
            Some(PathBuf::from("./onramp.sqlite.key"))
        );
        let c = Config::parse(args(&["--db", "/var/lib/onramp/x.db"]), |_| None).unwrap();
        assert_eq!(
            c.key_file_path(),
            Some(PathBuf::from("/var/lib/onramp/x.db.key"))
        );
        assert_eq!(Config::for_tests().key_file_path(), None);
        let env = |k: &str| (k == "ONRAMP_KEY_FILE").then(|| "/run/k".into());
        let c = Config::parse(args(&["--db", ":memory:"]), env).unwrap();
        assert_eq!(c.key_file_path(), Some(PathBuf::from("/run/k")));
        // The subcommand takes --db and --key-file before or after its name.
        for a in [
            &["rotate-key", "--db", "a.db", "--key-file", "k"][..],
            &["--db", "a.db", "--key-file=k", "rotate-key"],
        ] {
            let c = Config::parse(args(a), |_| None).unwrap();
            assert_eq!(c.command, Command::RotateKey);
            assert_eq!((c.db.as_str(), c.key_file), ("a.db", Some("k".into())));
        }
        let help = Config::parse(args(&["rotate-key", "--help"]), |_| None).unwrap_err();
        assert!(help.contains("Usage: onramp-api rotate-key"), "{help}");
        assert!(help.contains("[env: ONRAMP_KEY_FILE"), "{help}");
        assert!(Config::parse(args(&["rotate"]), |_| None).is_err());
    }

    #[test]
    fn empty_variables_are_unset_and_the_last_flag_wins() {
        let c = Config::parse(args(&[]), |_| Some(String::new())).unwrap();
        assert_eq!(c, Config::default());
        let c = Config::parse(
            args(&["--listen", "127.0.0.1:1", "--listen=127.0.0.1:2"]),
            |_| None,
        )
        .unwrap();
        assert_eq!(c.listen, "127.0.0.1:2");
    }

    #[test]
    fn errors_name_the_flag_and_the_value() {
        let err = |a: &[&str], env: &dyn Fn(&str) -> Option<String>| {
            Config::parse(args(a), env).unwrap_err()
        };
        let none = |_: &str| None;
        for (a, flag, value) in [
            (&["--rate-limit", "0"][..], "--rate-limit", "'0'"),
            (&["--fault-latency-ms", "-1"], "--fault-latency-ms", "'-1'"),
            (
                &["--fault-error-rate", "1.5"],
                "--fault-error-rate",
                "share",
            ),
            (
                &["--embed-origins", "*"],
                "--embed-origins",
                "not an origin",
            ),
            (
                &["--fault-control=maybe"],
                "--fault-control",
                "true or false",
            ),
            (&["--nope"], "--nope", "unexpected"),
        ] {
            let e = err(a, &none);
            assert!(e.contains(flag) && e.contains(value), "{e}");
        }
        // A bad environment value is reported against the flag it stands for.
        let e = err(&[], &|k: &str| {
            (k == "ONRAMP_MAX_BODY").then(|| "lots".into())
        });
        assert!(e.contains("--max-body") && e.contains("'lots'"), "{e}");
    }

    #[test]
    fn trusted_proxies() {
        assert!(
            Config::parse(args(&[]), |_| None)
                .unwrap()
                .trusted_proxies
                .is_empty()
        );
        let env = |k: &str| (k == "ONRAMP_TRUSTED_PROXIES").then(|| "10.0.0.2, fd00::2".into());
        let c = Config::parse(args(&[]), env).unwrap();
        let want: Vec<IpAddr> = vec!["10.0.0.2".parse().unwrap(), "fd00::2".parse().unwrap()];
        assert_eq!(c.trusted_proxies, want);
        let c = Config::parse(args(&["--trusted-proxies", "10.0.0.3"]), env).unwrap();
        assert_eq!(
            c.trusted_proxies,
            vec!["10.0.0.3".parse::<IpAddr>().unwrap()]
        );
        let e = Config::parse(args(&["--trusted-proxies", "10.0.0.0/8"]), |_| None).unwrap_err();
        assert!(
            e.contains("--trusted-proxies") && e.contains("not an IP address"),
            "{e}"
        );
    }

    #[test]
    fn hash_queue() {
        let c = Config::parse(args(&[]), |_| None).unwrap();
        assert_eq!(c.hash_queue, 16);
        assert!(c.hash_workers >= 1);
        let env = |k: &str| (k == "ONRAMP_HASH_QUEUE").then(|| "3".into());
        assert_eq!(Config::parse(args(&[]), env).unwrap().hash_queue, 3);
        assert_eq!(
            Config::parse(args(&["--hash-queue=0"]), env)
                .unwrap()
                .hash_queue,
            0
        );
        let e = Config::parse(args(&["--hash-queue", "-1"]), |_| None).unwrap_err();
        assert!(e.contains("--hash-queue"), "{e}");
    }

    #[test]
    fn connection_limits() {
        let c = Config::parse(args(&[]), |_| None).unwrap();
        assert_eq!(c.header_timeout, Duration::from_secs(10));
        assert_eq!(c.idle_timeout, Duration::from_secs(60));
        assert_eq!(c.max_connections, 1024);
        assert_eq!(c.body_timeout, Duration::from_secs(15));
        let env = |k: &str| match k {
            "ONRAMP_MAX_CONNECTIONS" => Some("8".into()),
            "ONRAMP_BODY_TIMEOUT_SECS" => Some("4".into()),
            _ => None,
        };
        let c = Config::parse(
            args(&["--header-timeout-secs", "3", "--idle-timeout-secs=30"]),
            env,
        )
        .unwrap();
        assert_eq!(c.header_timeout, Duration::from_secs(3));
        assert_eq!(c.idle_timeout, Duration::from_secs(30));
        assert_eq!(c.max_connections, 8);
        assert_eq!(c.body_timeout, Duration::from_secs(4));
        let c = Config::parse(args(&["--body-timeout-secs", "2"]), env).unwrap();
        assert_eq!(c.body_timeout, Duration::from_secs(2));
        for bad in [
            &["--header-timeout-secs", "0"][..],
            &["--idle-timeout-secs", "0"],
            &["--body-timeout-secs", "0"],
            &["--max-connections", "0"],
        ] {
            let e = Config::parse(args(bad), |_| None).unwrap_err();
            assert!(e.contains(bad[0]), "{e}");
        }
    }

    #[test]
    fn session_lifetimes() {
        let c = Config::parse(args(&[]), |_| None).unwrap();
        assert_eq!(c.session_idle, Duration::from_secs(12 * 3600));
        assert_eq!(c.session_max, Duration::from_secs(7 * 86400));
        let env = |k: &str| (k == "ONRAMP_SESSION_IDLE_HOURS").then(|| "2".into());
        let c = Config::parse(args(&["--session-max-days=30"]), env).unwrap();
        assert_eq!(c.session_idle, Duration::from_secs(2 * 3600));
        assert_eq!(c.session_max, Duration::from_secs(30 * 86400));
        for bad in [
            &["--session-idle-hours", "0"][..],
            &["--session-max-days", "0"],
            &["--session-max-days", "366"],
        ] {
            let e = Config::parse(args(bad), |_| None).unwrap_err();
            assert!(e.contains(bad[0]), "{e}");
        }
    }

    #[test]
    fn api_origin() {
        let mut c = Config::default();
        assert_eq!(c.api_origin(), None);
        c.api_base_url = "https://api.spotinst.io/".into();
        assert_eq!(c.api_origin().as_deref(), Some("https://api.spotinst.io"));
        c.api_base_url = "http://127.0.0.1:9000/api".into();
        assert_eq!(c.api_origin().as_deref(), Some("http://127.0.0.1:9000"));
    }

    #[test]
    fn public_url_gives_the_public_api_url_when_this_server_is_the_api() {
        let c = Config::parse(args(&[]), |_| None).unwrap();
        assert_eq!((c.public_url.as_deref(), c.public_api_url()), (None, None));
        let env =
            |k: &str| (k == "ONRAMP_PUBLIC_URL").then(|| "https://onramp.example.com/".into());
        let c = Config::parse(args(&[]), env).unwrap();
        assert_eq!(c.public_url.as_deref(), Some("https://onramp.example.com"));
        assert_eq!(
            c.public_api_url().as_deref(),
            Some("https://onramp.example.com/api")
        );
        let c = Config::parse(
            args(&[
                "--public-url",
                "http://127.0.0.1:9000/onramp",
                "--api-base-url=/api/",
            ]),
            |_| None,
        )
        .unwrap();
        assert_eq!(
            c.public_api_url().as_deref(),
            Some("http://127.0.0.1:9000/onramp/api")
        );
        // Spot's own API: the stack could not reach this server through it.
        let c = Config::parse(
            args(&[
                "--public-url",
                "https://onramp.example.com",
                "--api-base-url",
                "https://api.spotinst.io",
            ]),
            |_| None,
        )
        .unwrap();
        assert_eq!(c.public_api_url(), None);
        for bad in [
            "onramp.example.com",
            "https://",
            "https://x.example/?a=1",
            "ftp://x.example",
        ] {
            let e = Config::parse(args(&["--public-url", bad]), |_| None).unwrap_err();
            assert!(e.contains("--public-url"), "{e}");
        }
    }
}
