//! `load-bench`: the stages service under a bounded mixed load, then a check that nothing it
//! acknowledged was lost.
//!
//! It starts the service binary (by default the `stages-service` next to this one, so build both
//! with `--release`) on a free loopback port with a fresh SQLite file, opens N keep-alive
//! connections, and lets each run create (40%), patch (30%), delete (20%) and list (10%) requests
//! on captcha stages for S seconds, one request at a time per connection. Each connection
//! remembers what the service acknowledged for the stages it created: a 201 creates, a 200 patch
//! sets `public_key`, a 204 removes. Afterwards the service is killed with SIGKILL, restarted on
//! the same file, and every stage is read back: an acknowledged stage that is missing or stale, or
//! an acknowledged delete that came back, is a lost write. With `--kill` the service is also
//! killed with SIGKILL halfway through the load and restarted at once; the connections reconnect.

mod http;
mod machine;
mod service;

use clap::Parser;
use http::Conn;
use machine::{load_average, own_cpu, raise_fd_limit};
use serde_json::Value;
use service::{free_port, Service};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::{Duration, Instant};

pub(crate) const TOKEN: &str = "load-bench-token-0123456789";

/// Load the stages service with a mixed workload and check that no acknowledged write is lost.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Keep-alive connections, each with one request in flight at a time.
    #[arg(long, default_value_t = 1000)]
    connections: usize,
    /// How long the load runs, in seconds.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// SIGKILL the service halfway through the load, restart it on the same file, and go on.
    #[arg(long)]
    kill: bool,
    /// The service binary; by default `stages-service` beside this binary.
    #[arg(long, value_name = "PATH")]
    service: Option<PathBuf>,
    /// How long one request may take before it counts as an error, in seconds.
    #[arg(long, default_value_t = 60)]
    timeout: u64,
    /// Keep the database file and the service log afterwards (their directory is printed).
    #[arg(long)]
    keep: bool,
    /// Also print the answers of every 100 ms window of the load, in order.
    #[arg(long)]
    windows: bool,
}

/// What one connection saw, and what it expects to find afterwards.
#[derive(Default)]
struct Tally {
    /// Latency in microseconds per operation: create, patch, delete, list.
    latency: [Vec<u32>; 4],
    /// When each answered request ended, in milliseconds from the start of the load.
    ended_ms: Vec<u32>,
    /// When each failed request failed (transport error, timeout or unexpected status).
    errors: Vec<Instant>,
    /// The first few unexpected answers, for the report.
    samples: Vec<String>,
    /// Stages created and acknowledged, with the version of their last acknowledged patch.
    live: Vec<(String, u64)>,
    /// Stages whose delete was acknowledged.
    deleted: Vec<String>,
    /// Stages whose last write failed without an answer: any of these states is right.
    ambiguous: Vec<(String, Vec<Option<u64>>)>,
    /// Acknowledged stages the service answered 404 for during the run.
    vanished: u64,
}

impl Tally {
    fn error(&mut self, what: String) {
        self.errors.push(Instant::now());
        if self.samples.len() < 3 {
            self.samples.push(what);
        }
    }
}

/// A small xorshift generator: enough to mix the operations, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The `pk` of a created stage: the value of the first `"pk"` member of the answer, a UUID (the
/// service writes compact JSON, `pk` first). Cheaper than parsing the whole document, on a
/// thread the service shares the machine with; every stage is read back and parsed afterwards.
fn pk_of(body: &[u8]) -> Option<String> {
    const KEY: &[u8] = br#""pk":""#;
    let start = body.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let pk = body.get(start..start + 36)?;
    let uuid_like = body.get(start + 36) == Some(&b'"')
        && pk.iter().enumerate().all(|(i, b)| {
            matches!(i, 8 | 13 | 18 | 23) == (*b == b'-') && (*b == b'-' || b.is_ascii_hexdigit())
        });
    uuid_like.then(|| String::from_utf8_lossy(pk).into_owned())
}

fn public_key(version: u64) -> String {
    format!("k{version}")
}

async fn connect_retrying(addr: SocketAddr, deadline: Instant) -> Option<Conn> {
    while Instant::now() < deadline {
        if let Ok(conn) = Conn::connect(addr, TOKEN).await {
            return Some(conn);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

/// One connection's share of the load.
async fn worker(
    id: usize,
    addr: SocketAddr,
    mut conn: Option<Conn>,
    (started, deadline): (Instant, Instant),
    timeout: Duration,
) -> Tally {
    let mut tally = Tally::default();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ ((id as u64 + 1) * 0x2545_F491_4F6C_DD1D));
    let mut seq = 0u64;
    while Instant::now() < deadline {
        let Some(c) = conn.as_mut() else {
            conn = connect_retrying(addr, deadline).await;
            continue;
        };
        let roll = rng.below(100);
        let op = match roll {
            _ if tally.live.is_empty() && roll < 90 => 0,
            0..=39 => 0,
            40..=69 => 1,
            70..=89 => 2,
            _ => 3,
        };
        seq += 1;
        let sent = Instant::now();
        let failed = match op {
            0 => {
                let body = format!(
                    r#"{{"name":"lb-{id}-{seq}","public_key":"{}","private_key":"secret"}}"#,
                    public_key(0)
                );
                match c
                    .request("POST", "/stages/captcha/", Some(body.as_bytes()), timeout)
                    .await
                {
                    Ok(a) if a.status == 201 => {
                        let pk = pk_of(&a.body);
                        match pk {
                            Some(pk) => {
                                tally.live.push((pk, 0));
                                None
                            }
                            None => Some("create: 201 without a pk".to_owned()),
                        }
                    }
                    Ok(a) => Some(format!(
                        "create: {} {}",
                        a.status,
                        String::from_utf8_lossy(&a.body)
                    )),
                    Err(e) => {
                        conn = None;
                        Some(format!("create: {e}"))
                    }
                }
            }
            1 | 2 => {
                let index = rng.below(tally.live.len());
                let (pk, version) = tally.live.swap_remove(index);
                let path = format!("/stages/captcha/{pk}/");
                let (method, body, ok) = if op == 1 {
                    let body = format!(r#"{{"public_key":"{}"}}"#, public_key(seq));
                    ("PATCH", Some(body), 200)
                } else {
                    ("DELETE", None, 204)
                };
                let answer = c
                    .request(method, &path, body.as_deref().map(str::as_bytes), timeout)
                    .await;
                let next = if op == 1 { Some(seq) } else { None };
                match answer {
                    Ok(a) if a.status == ok => {
                        match next {
                            Some(v) => tally.live.push((pk, v)),
                            None => tally.deleted.push(pk),
                        }
                        None
                    }
                    Ok(a) if a.status == 404 => {
                        tally.vanished += 1;
                        Some(format!("{method} {pk}: 404 for an acknowledged stage"))
                    }
                    Ok(a) => {
                        tally.ambiguous.push((pk, vec![Some(version), next]));
                        Some(format!(
                            "{method}: {} {}",
                            a.status,
                            String::from_utf8_lossy(&a.body)
                        ))
                    }
                    Err(e) => {
                        conn = None;
                        tally.ambiguous.push((pk, vec![Some(version), next]));
                        Some(format!("{method}: {e}"))
                    }
                }
            }
            _ => match c
                .request("GET", "/stages/captcha/?page_size=20", None, timeout)
                .await
            {
                Ok(a) if a.status == 200 => None,
                Ok(a) => Some(format!(
                    "list: {} {}",
                    a.status,
                    String::from_utf8_lossy(&a.body)
                )),
                Err(e) => {
                    conn = None;
                    Some(format!("list: {e}"))
                }
            },
        };
        match failed {
            None => {
                let micros = sent.elapsed().as_micros().min(u32::MAX as u128) as u32;
                tally.latency[op].push(micros);
                let at = started.elapsed().as_millis().min(u32::MAX as u128) as u32;
                tally.ended_ms.push(at);
            }
            Some(what) => tally.error(what),
        }
    }
    tally
}

/// Every captcha stage the service holds: pk → public_key.
async fn read_back(addr: SocketAddr) -> Result<HashMap<String, String>, String> {
    let mut conn = Conn::connect(addr, TOKEN)
        .await
        .map_err(|e| format!("verify: cannot connect: {e}"))?;
    let mut out = HashMap::new();
    let mut page = 1u64;
    loop {
        let path = format!("/stages/captcha/?page_size=1000&page={page}");
        let answer = conn
            .request("GET", &path, None, Duration::from_secs(300))
            .await
            .map_err(|e| format!("verify: GET {path}: {e}"))?;
        if answer.status != 200 {
            return Err(format!(
                "verify: GET {path}: {} {}",
                answer.status,
                String::from_utf8_lossy(&answer.body)
            ));
        }
        let value: Value =
            serde_json::from_slice(&answer.body).map_err(|e| format!("verify: GET {path}: {e}"))?;
        for item in value["results"].as_array().into_iter().flatten() {
            if let (Some(pk), Some(key)) = (item["pk"].as_str(), item["public_key"].as_str()) {
                out.insert(pk.to_owned(), key.to_owned());
            }
        }
        // Numbers may come as 3 or 3.0.
        let next = value["pagination"]["next"].as_f64().unwrap_or(0.0);
        if next < 1.0 {
            return Ok(out);
        }
        page = next as u64;
    }
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    f64::from(sorted[rank.clamp(1, sorted.len()) - 1]) / 1000.0
}

async fn run(args: Args) -> Result<bool, String> {
    let needed = args.connections as u64 + 256;
    let limit = raise_fd_limit(needed);
    if limit < needed {
        return Err(format!(
            "{} connections need about {needed} open files, and the limit is {limit} (ulimit -n)",
            args.connections
        ));
    }
    let exe = match args.service {
        Some(path) => path,
        None => std::env::current_exe()
            .map_err(|e| e.to_string())?
            .with_file_name("stages-service"),
    };
    if !exe.exists() {
        return Err(format!(
            "{} not found: build it first (cargo build --release -p stages-service -p load-bench)",
            exe.display()
        ));
    }
    let dir = std::env::temp_dir().join(format!("load-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut service = Service {
        exe,
        db: dir.join("stages.db"),
        log: dir.join("service.log"),
        addr: free_port()?,
        child: None,
    };
    service.start()?;
    service.wait_ready().await?;
    println!(
        "load-bench: {} connections, {} s, create/patch/delete/list 40/30/20/10{}, service {}, db {}",
        args.connections,
        args.seconds,
        if args.kill {
            ", SIGKILL + restart halfway"
        } else {
            ""
        },
        service.exe.display(),
        service.db.display()
    );

    // Every connection is open before the clock starts.
    let mut conns = Vec::with_capacity(args.connections);
    for _ in 0..args.connections {
        let conn = Conn::connect(service.addr, TOKEN)
            .await
            .map_err(|e| format!("cannot open connection {}: {e}", conns.len() + 1))?;
        conns.push(conn);
    }
    let timeout = Duration::from_secs(args.timeout);
    // CPU from here to the end of the load: the service's (each process's share, when it is
    // killed halfway) and this process's.
    let load_before = load_average();
    let service_cpu_at_start = service.cpu();
    let own_cpu_at_start = own_cpu();
    let service_cpu = Rc::new(std::cell::Cell::new(Duration::ZERO));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.seconds);
    let local = tokio::task::LocalSet::new();
    let addr = service.addr;
    let handles: Vec<_> = conns
        .into_iter()
        .enumerate()
        .map(|(id, conn)| {
            local.spawn_local(worker(id, addr, Some(conn), (started, deadline), timeout))
        })
        .collect();
    let kill_window = Rc::new(std::cell::Cell::new(None::<(Instant, Instant)>));
    let tallies = local
        .run_until(async {
            if args.kill {
                tokio::time::sleep(Duration::from_secs(args.seconds) / 2).await;
                let killed = Instant::now();
                if let (Some(end), Some(start)) = (service.cpu(), service_cpu_at_start) {
                    service_cpu.set(end.saturating_sub(start));
                }
                service.kill();
                service.start()?;
                service.wait_ready().await?;
                let ready = Instant::now();
                println!(
                    "killed (SIGKILL) at {:.1} s, serving again after {} ms",
                    (killed - started).as_secs_f64(),
                    (ready - killed).as_millis()
                );
                kill_window.set(Some((killed, ready)));
            }
            let mut tallies = Vec::with_capacity(handles.len());
            for h in handles {
                tallies.push(h.await.map_err(|e| e.to_string())?);
            }
            Ok::<_, String>(tallies)
        })
        .await?;
    let elapsed = started.elapsed();
    let own_cpu_used = own_cpu().saturating_sub(own_cpu_at_start);
    let load_after = load_average();
    let service_cpu_used = match (args.kill, service.cpu(), service_cpu_at_start) {
        // The restarted process's CPU counts from its start (opening the file and listening
        // are a few milliseconds of it).
        (true, Some(end), Some(_)) => Some(service_cpu.get() + end),
        (false, Some(end), Some(start)) => Some(end.saturating_sub(start)),
        _ => None,
    };

    // Figures.
    let names = ["create", "patch", "delete", "list"];
    let mut all: Vec<u32> = Vec::new();
    let mut per_op: [Vec<u32>; 4] = Default::default();
    for t in &tallies {
        for (op, lat) in t.latency.iter().enumerate() {
            per_op[op].extend_from_slice(lat);
        }
    }
    for lat in &mut per_op {
        lat.sort_unstable();
        all.extend_from_slice(lat);
    }
    all.sort_unstable();
    let errors: Vec<Instant> = tallies.iter().flat_map(|t| t.errors.clone()).collect();
    let in_kill_window = match kill_window.get() {
        // In flight at the kill, or sent while the service was down (with a second's grace
        // for connections that learn of it late).
        Some((killed, ready)) => errors
            .iter()
            .filter(|at| **at >= killed && **at <= ready + Duration::from_secs(1))
            .count(),
        None => 0,
    };
    let answered = all.len() + errors.len();
    println!(
        "requests: {} in {:.1} s = {:.0} requests/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        answered,
        elapsed.as_secs_f64(),
        all.len() as f64 / elapsed.as_secs_f64(),
        percentile(&all, 50.0),
        percentile(&all, 99.0),
        percentile(&all, 100.0)
    );
    for (op, lat) in per_op.iter().enumerate() {
        println!(
            "  {:<6} {:>8} ok  p50 {:>7.1} ms  p99 {:>7.1} ms",
            names[op],
            lat.len(),
            percentile(lat, 50.0),
            percentile(lat, 99.0)
        );
    }
    // Throughput over time: answers per 100 ms window of the load (the last, partial one left
    // out), to show stalls that averages hide.
    let windows = (args.seconds * 10) as usize;
    let mut per_window = vec![0u32; windows.max(1)];
    for t in &tallies {
        for at in &t.ended_ms {
            if let Some(w) = per_window.get_mut((*at / 100) as usize) {
                *w += 1;
            }
        }
    }
    if args.windows {
        println!("answers per 100 ms, in order: {per_window:?}");
    }
    per_window.sort_unstable();
    println!(
        "answers per 100 ms: min {}, median {}, max {}",
        per_window[0],
        per_window[per_window.len() / 2],
        per_window[per_window.len() - 1]
    );
    let per_thousand = |cpu: Duration| cpu.as_secs_f64() * 1e6 / answered.max(1) as f64;
    let service_cpu_text = match service_cpu_used {
        Some(cpu) => format!(
            "service {:.1} ms per 1,000 requests ({:.2} cores)",
            per_thousand(cpu),
            cpu.as_secs_f64() / elapsed.as_secs_f64()
        ),
        None => "service unknown (no /proc)".to_owned(),
    };
    let load_text = |l: Option<f64>| l.map_or("?".to_owned(), |l| format!("{l:.2}"));
    println!(
        "cpu: {service_cpu_text}, load-bench {:.1} ms per 1,000 requests; load average {} at the start, {} at the end",
        per_thousand(own_cpu_used),
        load_text(load_before),
        load_text(load_after)
    );
    let outside = errors.len() - in_kill_window;
    if args.kill {
        println!(
            "errors: {outside} (plus {in_kill_window} in the kill window: in flight at the kill or sent while down)"
        );
    } else {
        println!("errors: {outside}");
    }
    for sample in tallies.iter().flat_map(|t| t.samples.iter()).take(5) {
        println!("  e.g. {sample}");
    }

    // Every acknowledged write, read back after a SIGKILL and a restart.
    service.kill();
    service.start()?;
    service.wait_ready().await?;
    let stored = read_back(service.addr).await?;
    let (mut live, mut deleted, mut ambiguous) = (0u64, 0u64, 0u64);
    let mut lost = tallies.iter().map(|t| t.vanished).sum::<u64>();
    for t in &tallies {
        for (pk, version) in &t.live {
            live += 1;
            if stored.get(pk) != Some(&public_key(*version)) {
                lost += 1;
            }
        }
        for pk in &t.deleted {
            deleted += 1;
            if stored.contains_key(pk) {
                lost += 1;
            }
        }
        for (pk, allowed) in &t.ambiguous {
            ambiguous += 1;
            let found = stored.get(pk);
            let fine = allowed.iter().any(|state| match state {
                Some(v) => found == Some(&public_key(*v)),
                None => found.is_none(),
            });
            if !fine {
                lost += 1;
            }
        }
    }
    println!(
        "verify (after SIGKILL and restart): {} stages stored; {live} acknowledged live, {deleted} acknowledged deleted, {ambiguous} with an unanswered last write: lost writes {lost}",
        stored.len()
    );
    service.kill();
    if args.keep {
        println!("kept: {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(outside == 0 && lost == 0)
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
