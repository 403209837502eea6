//! Serving the router: [`serve`] (HTTP/1.1) with a header timeout per connection and a body
//! timeout per request, stopping on SIGTERM or SIGINT after the requests in flight finish.

use std::future::Future;

use axum::body::Body;

use super::deadline::DeadlineBody;

/// Settings of [`serve`]: how long a client may take to send a request, and how long a stop
/// waits for the requests in flight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServeConfig {
    /// The longest a connection may take to send a request's headers, counted from when the
    /// server starts waiting for them (after the previous answer on a keep-alive connection);
    /// past it the connection is closed without an answer (HTTP has nothing to answer a request
    /// that has not been read). This also closes keep-alive connections idle that long.
    /// Default 30 s.
    pub header_timeout: std::time::Duration,
    /// The longest a request's body may take to arrive, counted from the end of its headers;
    /// past it the operation answers 408 `{"detail": "Request body not received in time."}` and
    /// the connection is closed. Default 30 s.
    pub body_timeout: std::time::Duration,
    /// After SIGTERM or SIGINT, how long the requests in flight may take to finish; the
    /// connections still open then are dropped and [`serve`] returns. Default 10 s.
    pub drain_timeout: std::time::Duration,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            header_timeout: std::time::Duration::from_secs(30),
            body_timeout: std::time::Duration::from_secs(30),
            drain_timeout: std::time::Duration::from_secs(10),
        }
    }
}

/// Serves `router` (HTTP/1.1) on `listener` until SIGTERM or SIGINT (Ctrl-C), with the header
/// and body timeouts of `config`, then stops as [`serve_with_shutdown`] does.
///
/// # Errors
///
/// When the signal handlers cannot be installed.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    config: ServeConfig,
) -> std::io::Result<()> {
    let signal = shutdown_signal()?;
    serve_with_shutdown(listener, router, config, async move {
        let name = signal.await;
        tracing::info!(signal = name, "stopping");
    })
    .await
}

/// Installs handlers for SIGTERM and SIGINT (Ctrl-C; only it elsewhere than on Unix) and
/// returns a future that ends with the name of the first one received.
///
/// # Errors
///
/// When a handler cannot be installed.
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = &'static str> + Send> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = terminate.recv() => "SIGTERM",
                _ = interrupt.recv() => "SIGINT",
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async move {
            match tokio::signal::ctrl_c().await {
                Ok(()) => "Ctrl-C",
                Err(_) => std::future::pending().await,
            }
        })
    }
}

/// Serves `router` (HTTP/1.1) on `listener` until `shutdown` ends: each connection gets
/// [`ServeConfig::header_timeout`], each request body [`ServeConfig::body_timeout`]. Then it
/// stops accepting, lets the requests in flight finish and closes idle connections, for at most
/// [`ServeConfig::drain_timeout`]; the connections still open after that are dropped, and it
/// returns.
///
/// # Errors
///
/// None yet: a failed accept is logged and retried; the `Result` leaves room for setup errors.
pub async fn serve_with_shutdown(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(config.header_timeout);
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _peer) = tokio::select! {
            () = &mut shutdown => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(&e).await;
                    continue;
                }
            },
        };
        spawn_connection(
            &http,
            stream,
            &router,
            config.body_timeout,
            stopping.clone(),
            &mut connections,
        );
    }
    drop(listener);
    let _ = stop.send(true);
    drain(connections, config.drain_timeout).await;
    Ok(())
}

/// Serves one accepted connection on a task of `connections`: each request's body gets
/// `body_timeout` from the end of its headers ([`DeadlineBody`]); once `stopping` changes, the
/// request in flight, if any, finishes and the connection closes.
fn spawn_connection(
    http: &hyper::server::conn::http1::Builder,
    stream: tokio::net::TcpStream,
    router: &axum::Router,
    body_timeout: std::time::Duration,
    mut stopping: tokio::sync::watch::Receiver<bool>,
    connections: &mut tokio::task::JoinSet<()>,
) {
    let _ = stream.set_nodelay(true);
    let router = router.clone();
    let service =
        hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
            let deadline = tokio::time::Instant::now() + body_timeout;
            let request =
                request.map(|body| Body::new(DeadlineBody::new(body, deadline, body_timeout)));
            tower_service::Service::call(&mut router.clone(), request)
        });
    let connection = http.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
    connections.spawn(async move {
        let mut connection = std::pin::pin!(connection);
        let ended = tokio::select! {
            ended = connection.as_mut() => ended,
            _ = stopping.changed() => {
                // Finish the request in flight, if any, then close.
                connection.as_mut().graceful_shutdown();
                connection.await
            }
        };
        if let Err(e) = ended {
            tracing::debug!(error = %e, "connection ended");
        }
    });
}

/// Waits for the connections to end, for at most `timeout`; those still open then are dropped.
async fn drain(mut connections: tokio::task::JoinSet<()>, timeout: std::time::Duration) {
    let open = connections.len();
    let drained = tokio::time::timeout(timeout, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    match drained {
        Ok(()) => tracing::info!(connections = open, "stopped"),
        Err(_) => {
            tracing::warn!(
                dropped = connections.len(),
                "connections still open after the drain timeout; dropping them"
            );
            connections.shutdown().await;
        }
    }
}

/// A failed accept: a connection reset before it was accepted is nothing; anything else (out
/// of file descriptors) is logged, and the next accept waits a little, so as not to spin.
async fn accept_failed(error: &std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::ConnectionRefused
    ) {
        return;
    }
    tracing::error!(error = %error, "accept failed");
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_stop_drops_stalled_connections_after_the_drain_timeout() {
        use std::io::Write as _;
        use std::time::{Duration, Instant};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let config = ServeConfig {
            drain_timeout: Duration::from_millis(200),
            ..ServeConfig::default()
        };
        assert_eq!(config.header_timeout, Duration::from_secs(30));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve_with_shutdown(
            listener,
            axum::Router::new(),
            config,
            async move {
                let _ = stopped.await;
            },
        ));
        // Half a request's headers, then nothing.
        let mut client = std::net::TcpStream::connect(address).unwrap();
        client.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = Instant::now();
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(5), server)
            .await
            .expect("serve returns after the drain timeout")
            .unwrap()
            .unwrap();
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(200), "{took:?}");
        assert!(took < Duration::from_secs(2), "{took:?}");
    }
}
