//! The accept loop of `main`, with the connection limits `axum::serve` does not offer:
//! - a header-read timeout (hyper's): a request's headers must arrive within it, counted from
//!   the moment the connection opens and again from the end of each answer, so a client that
//!   connects and sends nothing, or trickles its headers, is disconnected;
//! - an idle timeout: a connection on which no request is being answered and no byte has moved
//!   either way for this long is closed (also a client that stops reading an answer);
//! - at most `max_connections` connections at once: past that, new ones wait in the kernel's
//!   backlog until one closes;
//! - a bounded shutdown: once `shutdown` resolves no connection is accepted, answers in progress
//!   may finish, and whatever is still open after `shutdown_grace` is closed.

use axum::{Router, extract::ConnectInfo};
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
};
use std::{
    future::Future,
    io,
    pin::Pin,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    task::{Context, Poll},
    time::{Duration, Instant},
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::{Notify, Semaphore},
    task::JoinSet,
};
use tower::Service;

use crate::Config;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
    pub shutdown_grace: Duration,
}

impl Limits {
    pub fn from_config(c: &Config) -> Self {
        Self {
            header_timeout: c.header_timeout,
            idle_timeout: c.idle_timeout,
            max_connections: c.max_connections,
            shutdown_grace: c.shutdown_grace,
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then drains as described above.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        // A free slot first: at the cap, connections wait in the backlog, not in memory here.
        let slot = tokio::select! {
            s = slots.clone().acquire_owned() => s.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) if is_connection_error(&e) => continue,
                Err(e) => {
                    // Out of file descriptors and the like: retrying at once would spin.
                    eprintln!("onramp-api: accept failed: {e}");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        while connections.try_join_next().is_some() {}
        let activity = Arc::new(Activity::new());
        let io = TokioIo::new(Tracked {
            io: stream,
            activity: activity.clone(),
        });
        let app = app.clone();
        let busy = activity.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            let answering = busy.start_request();
            let answer = app.clone().call(req);
            async move {
                let res = answer.await;
                drop(answering);
                res
            }
        });
        let conn = graceful.watch(http.serve_connection(io, service));
        let idle = limits.idle_timeout;
        connections.spawn(async move {
            tokio::select! {
                _ = conn => {},
                // Dropping the connection closes the socket.
                () = activity.idle_for(idle) => {},
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        eprintln!(
            "onramp-api: closing {} connection(s) still open after {:?}",
            connections.len(),
            limits.shutdown_grace
        );
    }
    connections.shutdown().await;
}

fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// When bytes last moved on a connection, and how many of its requests are being answered.
struct Activity {
    last: Mutex<Instant>,
    answering: AtomicUsize,
    done: Notify,
}

impl Activity {
    fn new() -> Self {
        Self {
            last: Mutex::new(Instant::now()),
            answering: AtomicUsize::new(0),
            done: Notify::new(),
        }
    }

    fn touch(&self) {
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
    }

    fn quiet_for(&self) -> Duration {
        self.last
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .elapsed()
    }

    fn start_request(self: &Arc<Self>) -> Answering {
        self.answering.fetch_add(1, Ordering::SeqCst);
        Answering(self.clone())
    }

    /// Resolves once no request has been answered and no byte has moved for `limit`. A slow
    /// answer (a queued password check, injected latency) is not idleness.
    async fn idle_for(&self, limit: Duration) {
        loop {
            if self.answering.load(Ordering::SeqCst) > 0 {
                self.done.notified().await;
                continue;
            }
            let quiet = self.quiet_for();
            if quiet >= limit {
                return;
            }
            tokio::select! {
                () = tokio::time::sleep(limit - quiet) => {},
                () = self.done.notified() => {},
            }
        }
    }
}

/// Held while a request is being answered (until the handler returns its response).
struct Answering(Arc<Activity>);

impl Drop for Answering {
    fn drop(&mut self) {
        self.0.answering.fetch_sub(1, Ordering::SeqCst);
        self.0.touch();
        self.0.done.notify_one();
    }
}

/// The socket, noting each time bytes move.
struct Tracked {
    io: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.io).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        r
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        r
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}
