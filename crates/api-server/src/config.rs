//! Command-line flags and their environment twins (see `docs/contracts.md`).
//!
//! A flag wins over its environment variable, which wins over the default.

use std::{path::PathBuf, time::Duration};

mod faults;

pub use faults::Faults;

/// Spot's AWS principal, trusted by the roles customers create.
pub const SPOT_PRINCIPAL: &str = "arn:aws:iam::922761411349:root";
pub const SPOT_AWS_ACCOUNT_ID: &str = "922761411349";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub listen: String,
    /// SQLite file, or `:memory:`.
    pub db: String,
    pub dist: PathBuf,
    pub api_base_url: String,
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
    /// Seed the labelled demo organization at start (`--demo`; see `demo.rs`).
    pub demo: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            db: "./onramp.sqlite".into(),
            dist: PathBuf::from("./dist"),
            api_base_url: "/api".into(),
            embed_origins: Vec::new(),
            rate_limit: 600,
            max_body: 262_144,
            fast_password_hashing: false,
            faults: Faults::default(),
            fault_seed: None,
            fault_control: false,
            login_attempts: 5,
            login_window: Duration::from_secs(15 * 60),
            demo: false,
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
    /// variable up). Errors are user-facing sentences.
    pub fn parse<I, F>(args: I, env: F) -> Result<Self, String>
    where
        I: IntoIterator<Item = String>,
        F: Fn(&str) -> Option<String>,
    {
        let mut raw: Vec<(&'static str, String)> = Vec::new();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            if arg == "--help" || arg == "-h" {
                return Err(USAGE.to_owned());
            }
            let (name, inline) = match arg.split_once('=') {
                Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
                None => (arg.clone(), None),
            };
            let Some(&(flag, _)) = FLAGS.iter().find(|(f, _)| *f == name) else {
                return Err(format!("Unknown argument {arg:?}.\n{USAGE}"));
            };
            let value = match inline {
                Some(v) => v,
                None if BOOL_FLAGS.contains(&flag) => "true".to_owned(),
                None => args
                    .next()
                    .ok_or_else(|| format!("The flag {flag} needs a value.\n{USAGE}"))?,
            };
            raw.push((flag, value));
        }
        let get = |flag: &str| -> Option<String> {
            raw.iter()
                .rev()
                .find(|(f, _)| *f == flag)
                .map(|(_, v)| v.clone())
                .or_else(|| {
                    let var = FLAGS.iter().find(|(f, _)| *f == flag).map(|(_, e)| *e)?;
                    env(var).filter(|v| !v.is_empty())
                })
        };
        let mut c = Self::default();
        if let Some(v) = get("--listen") {
            c.listen = v;
        }
        if let Some(v) = get("--db") {
            c.db = v;
        }
        if let Some(v) = get("--dist") {
            c.dist = PathBuf::from(v);
        }
        if let Some(v) = get("--api-base-url") {
            c.api_base_url = v;
        }
        if let Some(v) = get("--embed-origins") {
            // The app checks message origins with the same normalisation (core's embed
            // module), so the CSP and the postMessage allow-list can never disagree. A bad
            // entry is an error here rather than silently dropped: it is an operator's typo.
            c.embed_origins = Vec::new();
            for o in v
                .split(|ch: char| ch.is_whitespace() || ch == ',')
                .filter(|o| !o.is_empty())
            {
                let origin = onramp_core::embed::normalise_origin(o).ok_or_else(|| {
                    format!(
                        "--embed-origins: {o:?} is not an origin; write it like https://partner.example (scheme and host, no path)."
                    )
                })?;
                if !c.embed_origins.contains(&origin) {
                    c.embed_origins.push(origin);
                }
            }
        }
        if let Some(v) = get("--rate-limit") {
            c.rate_limit =
                v.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                    format!("--rate-limit: {v:?} is not a positive whole number.")
                })?;
        }
        if let Some(v) = get("--max-body") {
            c.max_body =
                v.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                    format!("--max-body: {v:?} is not a positive number of bytes.")
                })?;
        }
        let rate = |flag: &str| -> Result<Option<f64>, String> {
            get(flag)
                .map(|v| {
                    v.parse::<f64>()
                        .ok()
                        .filter(|p| (0.0..=1.0).contains(p))
                        .ok_or_else(|| format!("{flag}: {v:?} is not a share between 0 and 1."))
                })
                .transpose()
        };
        let whole = |flag: &str| -> Result<Option<u64>, String> {
            get(flag)
                .map(|v| {
                    v.parse::<u64>()
                        .map_err(|_| format!("{flag}: {v:?} is not a whole number."))
                })
                .transpose()
        };
        let f = &mut c.faults;
        if let Some(v) = whole("--fault-latency-ms")? {
            f.latency_ms = v;
        }
        if let Some(v) = rate("--fault-error-rate")? {
            f.error_rate = v;
        }
        if let Some(v) = whole("--fault-rate-limit-every")? {
            f.rate_limit_every = v;
        }
        if let Some(v) = whole("--fault-reset-secs")? {
            f.reset_secs = v;
        }
        if let Some(v) = rate("--fault-drop-rate")? {
            f.drop_rate = v;
        }
        if let Some(v) = rate("--fault-malformed-rate")? {
            f.malformed_rate = v;
        }
        if let Some(v) = rate("--fault-lose-after-write-rate")? {
            f.lose_after_write_rate = v;
        }
        if let Some(v) = get("--fault-only") {
            f.only = Some(v);
        }
        f.check().map_err(|e| format!("{e}\n{USAGE}"))?;
        c.fault_seed = whole("--fault-seed")?;
        if let Some(v) = get("--fault-control") {
            c.fault_control = match v.to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => true,
                "0" | "false" | "no" | "off" => false,
                _ => return Err(format!("--fault-control: {v:?} is not true or false.")),
            };
        }
        if let Some(v) = get("--demo") {
            c.demo = match v.to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => true,
                "0" | "false" | "no" | "off" => false,
                _ => return Err(format!("--demo: {v:?} is not true or false.")),
            };
        }
        if let Some(v) = whole("--login-attempts")? {
            c.login_attempts =
                u32::try_from(v).map_err(|_| format!("--login-attempts: {v:?} is too large."))?;
        }
        Ok(c)
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

const FLAGS: &[(&str, &str)] = &[
    ("--listen", "ONRAMP_LISTEN"),
    ("--db", "ONRAMP_DB"),
    ("--dist", "ONRAMP_DIST"),
    ("--api-base-url", "ONRAMP_API_BASE_URL"),
    ("--embed-origins", "ONRAMP_EMBED_ORIGINS"),
    ("--rate-limit", "ONRAMP_RATE_LIMIT"),
    ("--max-body", "ONRAMP_MAX_BODY"),
    ("--login-attempts", "ONRAMP_LOGIN_ATTEMPTS"),
    ("--demo", "ONRAMP_DEMO"),
    ("--fault-latency-ms", "ONRAMP_FAULT_LATENCY_MS"),
    ("--fault-error-rate", "ONRAMP_FAULT_ERROR_RATE"),
    ("--fault-rate-limit-every", "ONRAMP_FAULT_RATE_LIMIT_EVERY"),
    ("--fault-reset-secs", "ONRAMP_FAULT_RESET_SECS"),
    ("--fault-drop-rate", "ONRAMP_FAULT_DROP_RATE"),
    ("--fault-malformed-rate", "ONRAMP_FAULT_MALFORMED_RATE"),
    (
        "--fault-lose-after-write-rate",
        "ONRAMP_FAULT_LOSE_AFTER_WRITE_RATE",
    ),
    ("--fault-only", "ONRAMP_FAULT_ONLY"),
    ("--fault-seed", "ONRAMP_FAULT_SEED"),
    ("--fault-control", "ONRAMP_FAULT_CONTROL"),
];

/// Flags that may be given without a value (meaning `true`).
const BOOL_FLAGS: &[&str] = &["--fault-control", "--demo"];

pub const USAGE: &str = "Usage: onramp-api [--listen ADDR] [--db PATH|:memory:] [--dist DIR] \
[--api-base-url URL] [--embed-origins \"ORIGIN ...\"] [--rate-limit N] [--max-body BYTES] \
[--login-attempts N] [--demo]
--demo seeds a labelled demo organization (sign in as demo@onramp.example, password printed at start).
Fault injection, for tests only (all off by default): [--fault-latency-ms N] \
[--fault-error-rate P] [--fault-rate-limit-every N] [--fault-reset-secs S] [--fault-drop-rate P] \
[--fault-malformed-rate P] [--fault-lose-after-write-rate P] [--fault-only PATH_PREFIX] \
[--fault-seed N] [--fault-control]   (P is a share between 0 and 1)
Each flag has an environment twin: ONRAMP_ and the flag's name in capitals with underscores, \
e.g. ONRAMP_LISTEN, ONRAMP_DB, ONRAMP_DIST, ONRAMP_API_BASE_URL, ONRAMP_EMBED_ORIGINS, \
ONRAMP_RATE_LIMIT, ONRAMP_MAX_BODY, ONRAMP_LOGIN_ATTEMPTS, ONRAMP_FAULT_ERROR_RATE, \
ONRAMP_FAULT_CONTROL=1.";

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
    fn api_origin() {
        let mut c = Config::default();
        assert_eq!(c.api_origin(), None);
        c.api_base_url = "https://api.spotinst.io/".into();
        assert_eq!(c.api_origin().as_deref(), Some("https://api.spotinst.io"));
        c.api_base_url = "http://127.0.0.1:9000/api".into();
        assert_eq!(c.api_origin().as_deref(), Some("http://127.0.0.1:9000"));
    }
}
