//! `cargo run --release -p router-bench`: requests per second and p50/p99 latency of
//! `POST /api/v3/stages/captcha/` through the generated router (with an in-memory service),
//! side by side with a minimal hand-written axum handler that does the same work: bearer check,
//! JSON parse, `validate()`, build and store the stage, answer 201 with it. Load comes from
//! `wrk` (Debian package `wrk`), one side at a time, alternating rounds.
//!
//! Options: `--seconds N` per round (default 10), `--rounds N` (default 3), `--connections N`
//! (default 32).

use authentik_models::{CaptchaStage, CaptchaStageRequest};
use authentik_server::captcha::*;
use authentik_server::identification::*;
use authentik_server::{ApiError, AuthError, Authenticate, RouterConfig};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::process::{Command, ExitCode};
use std::sync::{Arc, Mutex};

const TOKEN: &str = "bench-token";
const BODY: &str = r#"{"name":"bench","public_key":"public","private_key":"secret","js_url":"https://example.com/api.js","flow_set":[{"name":"Flow","slug":"flow-1","title":"Flow","designation":"authentication"}],"score_min_threshold":0.5}"#;

/// Stores created stages in memory; what both sides do once the request is parsed.
#[derive(Default)]
struct Memory {
    stages: Mutex<Vec<CaptchaStage>>,
}

impl Memory {
    fn create(&self, body: CaptchaStageRequest) -> CaptchaStage {
        let stage = CaptchaStage {
            pk: uuid::Uuid::new_v4(),
            name: body.name,
            component: "ak-stage-captcha-form".into(),
            verbose_name: "Captcha Stage".into(),
            verbose_name_plural: "Captcha Stages".into(),
            meta_model_name: "authentik_stages_captcha.captchastage".into(),
            flow_set: Some(Vec::new()),
            public_key: body.public_key,
            js_url: body.js_url,
            api_url: body.api_url,
            interactive: body.interactive,
            score_min_threshold: body.score_min_threshold,
            score_max_threshold: body.score_max_threshold,
            error_on_invalid_score: body.error_on_invalid_score,
        };
        let mut stages = self.stages.lock().unwrap_or_else(|p| p.into_inner());
        // Bounded, so a long run does not measure memory growth.
        if stages.len() > 10_000 {
            stages.clear();
        }
        stages.push(stage.clone());
        stage
    }
}

/// The generated side: the router over an in-memory implementation of the traits.
struct Generated(Memory);

impl Authenticate for Generated {
    type Principal = ();
    async fn authenticate(&self, token: &str) -> Result<(), AuthError> {
        if token == TOKEN {
            Ok(())
        } else {
            Err(AuthError::InvalidToken)
        }
    }
}

impl CaptchaApi for Generated {
    async fn stages_captcha_list(
        &self,
        _: &(),
        _: StagesCaptchaListRequest,
    ) -> Result<StagesCaptchaListResponse, ApiError> {
        Err(ApiError::NotFound)
    }
    async fn stages_captcha_create(
        &self,
        _: &(),
        r: StagesCaptchaCreateRequest,
    ) -> Result<StagesCaptchaCreateResponse, ApiError> {
        Ok(StagesCaptchaCreateResponse::Created(self.0.create(r.body)))
    }
    async fn stages_captcha_retrieve(
        &self,
        _: &(),
        _: StagesCaptchaRetrieveRequest,
    ) -> Result<StagesCaptchaRetrieveResponse, ApiError> {
        Err(ApiError::NotFound)
    }
    async fn stages_captcha_update(
        &self,
        _: &(),
        _: StagesCaptchaUpdateRequest,
    ) -> Result<StagesCaptchaUpdateResponse, ApiError> {
        Err(ApiError::NotFound)
    }
    async fn stages_captcha_partial_update(
        &self,
        _: &(),
        _: StagesCaptchaPartialUpdateRequest,
    ) -> Result<StagesCaptchaPartialUpdateResponse, ApiError> {
        Err(ApiError::NotFound)
    }
    async fn stages_captcha_destroy(
        &self,
        _: &(),
        _: StagesCaptchaDestroyRequest,
    ) -> Result<StagesCaptchaDestroyResponse, ApiError> {
        Err(ApiError::NotFound)
    }
    async fn stages_captcha_used_by_list(
        &self,
        _: &(),
        _: StagesCaptchaUsedByListRequest,
    ) -> Result<StagesCaptchaUsedByListResponse, ApiError> {
        Err(ApiError::NotFound)
    }
}

impl IdentificationApi for Generated {
    async fn stages_identification_list(
        &self,
        _: &(),
        _: StagesIdentificationListRequest,
    ) -> Result<StagesIdentificationListResponse, ApiError> {
        Err(ApiError::NotFound)
    }
    async fn stages_identification_create(
        &self,
        _: &(),
        _: StagesIdentificationCreateRequest,
    ) -> Result<StagesIdentificationCreateResponse, ApiError> {
        Err(ApiError::NotFound)
    }
    async fn stages_identification_retrieve(
        &self,
        _: &(),
        _: StagesIdentificationRetrieveRequest,
    ) -> Result<StagesIdentificationRetrieveResponse, ApiError> {
        Err(ApiError::NotFound)
    }
    async fn stages_identification_update(
        &self,
        _: &(),
        _: StagesIdentificationUpdateRequest,
    ) -> Result<StagesIdentificationUpdateResponse, ApiError> {
        Err(ApiError::NotFound)
    }
    async fn stages_identification_partial_update(
        &self,
        _: &(),
        _: StagesIdentificationPartialUpdateRequest,
    ) -> Result<StagesIdentificationPartialUpdateResponse, ApiError> {
        Err(ApiError::NotFound)
    }
    async fn stages_identification_destroy(
        &self,
        _: &(),
        _: StagesIdentificationDestroyRequest,
    ) -> Result<StagesIdentificationDestroyResponse, ApiError> {
        Err(ApiError::NotFound)
    }
    async fn stages_identification_used_by_list(
        &self,
        _: &(),
        _: StagesIdentificationUsedByListRequest,
    ) -> Result<StagesIdentificationUsedByListResponse, ApiError> {
        Err(ApiError::NotFound)
    }
}

/// The hand-written side: one axum handler doing the same checks, parse and validation.
async fn hand_written(
    axum::extract::State(memory): axum::extract::State<Arc<Memory>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let authorized = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        == Some(TOKEN);
    if !authorized {
        return (
            StatusCode::FORBIDDEN,
            axum::Json(serde_json::json!({"detail": "Token invalid/expired"})),
        )
            .into_response();
    }
    let request: CaptchaStageRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(serde_json::json!({"detail": e.to_string()})),
            )
                .into_response()
        }
    };
    if let Err(errors) = request.validate() {
        return (StatusCode::BAD_REQUEST, axum::Json(errors.to_json())).into_response();
    }
    (StatusCode::CREATED, axum::Json(memory.create(request))).into_response()
}

/// Serves `app` on its own single-worker runtime; returns the port.
fn serve(app: axum::Router) -> u16 {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let _ = tx.send(listener.local_addr().expect("addr").port());
            let _ = axum::serve(listener, app).await;
        });
    });
    rx.recv().expect("server started")
}

struct Figures {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn wrk(
    port: u16,
    seconds: u32,
    connections: u32,
    script: &std::path::Path,
) -> Result<Figures, String> {
    // wrk on the second core, the servers (pinned in `main`) on the first, so they do not
    // compete for a core.
    let mut cmd = if pinned() {
        let mut c = Command::new("taskset");
        c.args(["-c", "1", "wrk"]);
        c
    } else {
        Command::new("wrk")
    };
    let out = cmd
        .args([
            "-t1",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--latency",
            "-s",
        ])
        .arg(script)
        .arg(format!("http://127.0.0.1:{port}/api/v3/stages/captcha/"))
        .output()
        .map_err(|e| format!("cannot run wrk ({e}); install it with `apt-get install wrk`"))?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let rps = text
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| format!("no Requests/sec in wrk output:\n{text}"))?;
    let percentile = |p: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(p).map(str::trim).map(str::to_owned))
            .and_then(|v| to_ms(&v))
            .ok_or_else(|| format!("no {p} latency in wrk output:\n{text}"))
    };
    if text.contains("Non-2xx or 3xx responses") {
        return Err(format!("some answers were not 201:\n{text}"));
    }
    Ok(Figures {
        rps,
        p50_ms: percentile("50%")?,
        p99_ms: percentile("99%")?,
    })
}

fn to_ms(v: &str) -> Option<f64> {
    let (num, unit) = v.split_at(v.find(|c: char| c.is_ascii_alphabetic())?);
    let n: f64 = num.parse().ok()?;
    Some(match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        _ => return None,
    })
}

const PINNED: &str = "ROUTER_BENCH_PINNED";

fn pinned() -> bool {
    std::env::var_os(PINNED).is_some()
}

/// Re-runs this benchmark on the first core when `taskset` is there and there are two cores.
fn pin_to_first_core() -> Option<ExitCode> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if pinned() || cores < 2 {
        return None;
    }
    let exe = std::env::current_exe().ok()?;
    let status = Command::new("taskset")
        .args(["-c", "0"])
        .arg(exe)
        .args(std::env::args_os().skip(1))
        .env(PINNED, "1")
        .status()
        .ok()?;
    Some(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn main() -> ExitCode {
    if let Some(code) = pin_to_first_core() {
        return code;
    }
    let mut seconds = 10u32;
    let mut rounds = 3u32;
    let mut connections = 32u32;
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = pair.get(1).and_then(|v| v.parse().ok());
        match (pair[0].as_str(), value) {
            ("--seconds", Some(v)) => seconds = v,
            ("--rounds", Some(v)) => rounds = v,
            ("--connections", Some(v)) => connections = v,
            _ => {
                eprintln!("usage: router-bench [--seconds N] [--rounds N] [--connections N]");
                return ExitCode::from(2);
            }
        }
    }
    let script = std::env::temp_dir().join(format!("router-bench-{}.lua", std::process::id()));
    let lua = format!(
        "wrk.method = \"POST\"\nwrk.body = '{BODY}'\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.headers[\"Authorization\"] = \"Bearer {TOKEN}\"\n"
    );
    if let Err(e) = std::fs::write(&script, lua) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    let generated = serve(authentik_server::router(
        Arc::new(Generated(Memory::default())),
        RouterConfig::default(),
    ));
    let hand = serve(
        axum::Router::new()
            .route("/api/v3/stages/captcha/", axum::routing::post(hand_written))
            .with_state(Arc::new(Memory::default())),
    );
    let placement = if pinned() {
        "servers on core 0, wrk on core 1"
    } else {
        "unpinned"
    };
    println!("POST /api/v3/stages/captcha/ — wrk -t1 -c{connections}, {rounds} alternating rounds of {seconds}s, each server on one worker thread, {placement}");
    let mut results: [Vec<Figures>; 2] = [Vec::new(), Vec::new()];
    for round in 1..=rounds {
        // Alternate who goes first, so drift in the machine's speed favours neither side.
        let order = if round % 2 == 1 {
            [(0, generated), (1, hand)]
        } else {
            [(1, hand), (0, generated)]
        };
        for (side, port) in order {
            match wrk(port, seconds, connections, &script) {
                Ok(f) => {
                    let name = if side == 0 {
                        "generated router"
                    } else {
                        "hand-written handler"
                    };
                    println!("  round {round}: {name:<21} {:>10.0} req/s  p50 {:>7.3} ms  p99 {:>7.3} ms", f.rps, f.p50_ms, f.p99_ms);
                    results[side].push(f);
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let summary: Vec<(f64, f64, f64)> = results
        .iter()
        .map(|r| {
            (
                median(&mut r.iter().map(|f| f.rps).collect()),
                median(&mut r.iter().map(|f| f.p50_ms).collect()),
                median(&mut r.iter().map(|f| f.p99_ms).collect()),
            )
        })
        .collect();
    println!("median of rounds:");
    println!(
        "  generated router      {:>10.0} req/s  p50 {:>7.3} ms  p99 {:>7.3} ms",
        summary[0].0, summary[0].1, summary[0].2
    );
    println!(
        "  hand-written handler  {:>10.0} req/s  p50 {:>7.3} ms  p99 {:>7.3} ms",
        summary[1].0, summary[1].1, summary[1].2
    );
    // This machine's speed drifts between rounds; a round's two sides ran back to back, so the
    // ratio within a round is the steadier figure.
    let mut ratios: Vec<f64> = results[0]
        .iter()
        .zip(&results[1])
        .map(|(g, h)| 100.0 * g.rps / h.rps)
        .collect();
    let shown: Vec<String> = ratios.iter().map(|r| format!("{r:.0}%")).collect();
    println!(
        "  generated / hand-written throughput, per round: {}",
        shown.join(", ")
    );
    println!(
        "  generated / hand-written throughput, median of rounds: {:.1}% (goal: at least 90%)",
        median(&mut ratios)
    );
    let _ = std::fs::remove_file(&script);
    ExitCode::SUCCESS
}
