//! `onramp-api`: see the crate docs and `docs/contracts.md` for the flags.

fn main() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    keep_large_allocations_mapped();
    run();
}

/// glibc's malloc raises its mmap threshold to the size of the largest block freed (up to
/// 32 MB); from then on argon2's 19 MiB working memory comes from the heap arenas and stays
/// resident after the hash. 100 simultaneous wrong sign-ins (throttle off: 18 hashes, the rest
/// refused by the hash queue) left the server at 331 MB, four such bursts at 630 MB, where two
/// hashes at a time need about 40 (`scripts/bench-load.mjs`). A fixed threshold keeps blocks of
/// 1 MB and more in mappings of their own, given back to the system when freed: the same bursts
/// then peak at about 47 MB and the server returns to 9 MB.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_large_allocations_mapped() {
    use std::ffi::c_int;
    const M_MMAP_THRESHOLD: c_int = -3;
    unsafe extern "C" {
        fn mallopt(param: c_int, value: c_int) -> c_int;
    }
    // SAFETY: `mallopt` only changes malloc's tuning (under malloc's own lock); called before
    // any other thread exists. A refusal (0) leaves glibc's default, which still works.
    unsafe {
        mallopt(M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[tokio::main]
async fn run() {
    let config =
        match onramp_api::Config::parse(std::env::args().skip(1), |k| std::env::var(k).ok()) {
            Ok(c) => c,
            Err(msg) => {
                eprintln!("{msg}");
                std::process::exit(2);
            }
        };
    if config.command == onramp_api::config::Command::RotateKey {
        match onramp_api::secrets::rotate_key_of(&config) {
            Ok(done) => {
                println!("{done}");
                return;
            }
            Err(msg) => {
                eprintln!("onramp-api: {msg}");
                std::process::exit(1);
            }
        }
    }
    let listen = config.listen.clone();
    let state = match onramp_api::AppState::new(config) {
        Ok(s) => s,
        Err(msg) => {
            eprintln!("onramp-api: {msg}");
            std::process::exit(1);
        }
    };
    if state.site.index_html.is_none() {
        eprintln!(
            "onramp-api: no index.html in {:?}; serving a 'not built' page (the API works).",
            state.config.dist
        );
    }
    if state.config.demo {
        eprintln!(
            "onramp-api: DEMO DATA: the organization {:?} holds made-up accounts and savings. Sign in as {} with the password {}",
            onramp_api::demo::DEMO_ORGANIZATION,
            onramp_api::demo::DEMO_EMAIL,
            onramp_api::demo::DEMO_PASSWORD
        );
    }
    if state.faults.installed {
        // The knobs only (never a request, a body or a secret).
        eprintln!(
            "onramp-api: FAULT INJECTION ON (tests only): {}{}",
            serde_json::to_string(&state.faults.faults()).unwrap_or_default(),
            if state.config.fault_control {
                "; live control at /api/_faults"
            } else {
                ""
            }
        );
    }
    let listener = match tokio::net::TcpListener::bind(&listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("onramp-api: cannot listen on {listen}: {e}");
            std::process::exit(1);
        }
    };
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or(listen);
    println!("Onramp is running at http://{addr}/");
    let limits = onramp_api::serve::Limits::from_config(&state.config);
    let app = onramp_api::app_with_state(state);
    onramp_api::serve::serve(listener, app, limits, shutdown()).await;
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    eprintln!("onramp-api: shutting down (finishing requests in flight)");
}
