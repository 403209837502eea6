//! `stagesctl`: list, read, create, change and delete authentik's captcha and identification
//! stages from the command line, through the generated client only.
//!
//! Answers are printed as JSON on standard output. A failure prints `error: ...` on standard
//! error and exits with 1 (2 for a usage error); a 400's field messages are printed as authentik
//! sent them.

use std::fmt::Display;
use std::process::ExitCode;
use std::time::Duration;

use authentik_client::support::ApiStatus;
use authentik_client::{CaptchaApi, Client, Error, IdentificationApi};
use clap::{Args, Parser, Subcommand};
use futures_util::StreamExt as _;
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

/// Manage authentik's captcha and identification stages.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    /// The API root, `/api/v3` included (such as `https://authentik.example.com/api/v3`).
    #[arg(long, env = "AUTHENTIK_URL")]
    url: String,
    /// The bearer token (an authentik API token).
    #[arg(
        long,
        env = "AUTHENTIK_TOKEN",
        hide_env_values = true,
        allow_hyphen_values = true
    )]
    token: Option<String>,
    /// How many seconds a request may take.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// Send request bodies without checking them against the schema's constraints first.
    #[arg(long)]
    no_validate: bool,
    #[command(subcommand)]
    resource: Resource,
}

#[derive(Subcommand, Debug)]
enum Resource {
    /// Captcha stages (`/stages/captcha/`).
    #[command(subcommand)]
    Captcha(Command),
    /// Identification stages (`/stages/identification/`).
    #[command(subcommand)]
    Identification(Command),
}

#[derive(Subcommand, Debug)]
enum Command {
    /// One page of stages (`{"pagination": ..., "results": [...]}`), or with --all every stage
    /// as one JSON list, following the pages.
    List(ListArgs),
    /// One stage.
    Get { uuid: Uuid },
    /// Create a stage from a JSON body.
    Create(BodyArgs),
    /// Replace a stage with a JSON body.
    Update {
        uuid: Uuid,
        #[command(flatten)]
        body: BodyArgs,
    },
    /// Change some fields: a field left out stays as it is, `null` clears it.
    Patch {
        uuid: Uuid,
        #[command(flatten)]
        body: BodyArgs,
    },
    /// Delete a stage.
    Delete { uuid: Uuid },
    /// What uses a stage.
    UsedBy { uuid: Uuid },
}

#[derive(Args, Debug)]
struct ListArgs {
    /// Every stage, across all pages, as one list.
    #[arg(long)]
    all: bool,
    /// The page to show (with --all, the first page to read).
    #[arg(long, allow_negative_numbers = true)]
    page: Option<i64>,
    /// How many stages a page holds.
    #[arg(long, allow_negative_numbers = true)]
    page_size: Option<i64>,
    /// Only stages matching this search term.
    #[arg(long, allow_hyphen_values = true)]
    search: Option<String>,
    /// Only the stage with this name.
    #[arg(long, allow_hyphen_values = true)]
    name: Option<String>,
    /// Order by this field (`-name` for descending; several: `-name,pk`).
    #[arg(long, allow_hyphen_values = true)]
    ordering: Option<String>,
}

#[derive(Args, Debug)]
struct BodyArgs {
    /// The JSON body: a file, or `-` for standard input.
    #[arg(long, value_name = "FILE")]
    json: String,
}

/// What went wrong, as printed after `error: `.
struct Failure(String);

impl<T: Display> From<T> for Failure {
    fn from(value: T) -> Self {
        Failure(value.to_string())
    }
}

/// A failed call, with 404 put as authentik words it.
fn api_failure<E: Display + ApiStatus>(error: Error<E>) -> Failure {
    if error.is_not_found() {
        let detail = error.detail().unwrap_or_else(|| "Not found.".to_owned());
        return Failure(format!("HTTP 404: {detail}"));
    }
    Failure(error.to_string())
}

async fn read_body<T: DeserializeOwned>(args: &BodyArgs, type_name: &str) -> Result<T, Failure> {
    let text = if args.json == "-" {
        let mut text = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut tokio::io::stdin(), &mut text)
            .await
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        text
    } else {
        std::fs::read_to_string(&args.json)
            .map_err(|e| format!("cannot read {}: {e}", args.json))?
    };
    serde_json::from_str(&text)
        .map_err(|e| Failure(format!("{} is not a valid {type_name}: {e}", args.json)))
}

fn print<T: Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)?;
    println!("{text}");
    Ok(())
}

/// One resource's commands: the same shape for every stage kind, each call through its
/// generated trait method.
macro_rules! resource_commands {
    ($client:expr, $command:expr, $query:ident, $request:ident, $patched:ident,
     $list:ident, $all:ident, $create:ident, $retrieve:ident, $update:ident, $patch:ident,
     $destroy:ident, $used_by:ident) => {{
        use authentik_client::models::{$patched, $request};
        let client: &Client = $client;
        match $command {
            Command::List(args) => {
                let query = $query {
                    page: args.page,
                    page_size: args.page_size,
                    search: args.search,
                    name: args.name,
                    ordering: args.ordering,
                    ..$query::default()
                };
                if args.all {
                    let mut stages = Vec::new();
                    let mut stream = std::pin::pin!(client.$all(query));
                    while let Some(stage) = stream.next().await {
                        stages.push(stage.map_err(api_failure)?);
                    }
                    print(&stages)
                } else {
                    print(&client.$list(&query).await.map_err(api_failure)?)
                }
            }
            Command::Get { uuid } => print(&client.$retrieve(uuid).await.map_err(api_failure)?),
            Command::Create(body) => {
                let body: $request = read_body(&body, stringify!($request)).await?;
                print(&client.$create(&body).await.map_err(api_failure)?)
            }
            Command::Update { uuid, body } => {
                let body: $request = read_body(&body, stringify!($request)).await?;
                print(&client.$update(uuid, &body).await.map_err(api_failure)?)
            }
            Command::Patch { uuid, body } => {
                let body: $patched = read_body(&body, stringify!($patched)).await?;
                print(
                    &client
                        .$patch(uuid, Some(&body))
                        .await
                        .map_err(api_failure)?,
                )
            }
            Command::Delete { uuid } => client.$destroy(uuid).await.map_err(api_failure),
            Command::UsedBy { uuid } => print(&client.$used_by(uuid).await.map_err(api_failure)?),
        }
    }};
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let mut builder = Client::builder(cli.url)
        .timeout(Some(Duration::from_secs(cli.timeout)))
        .validate_requests(!cli.no_validate);
    if let Some(token) = cli.token {
        builder = builder.token(token);
    }
    let client = builder.build()?;
    match cli.resource {
        Resource::Captcha(command) => {
            use authentik_client::captcha::StagesCaptchaListQuery;
            resource_commands!(
                &client,
                command,
                StagesCaptchaListQuery,
                CaptchaStageRequest,
                PatchedCaptchaStageRequest,
                stages_captcha_list,
                stages_captcha_list_all,
                stages_captcha_create,
                stages_captcha_retrieve,
                stages_captcha_update,
                stages_captcha_partial_update,
                stages_captcha_destroy,
                stages_captcha_used_by_list
            )
        }
        Resource::Identification(command) => {
            use authentik_client::identification::StagesIdentificationListQuery;
            resource_commands!(
                &client,
                command,
                StagesIdentificationListQuery,
                IdentificationStageRequest,
                PatchedIdentificationStageRequest,
                stages_identification_list,
                stages_identification_list_all,
                stages_identification_create,
                stages_identification_retrieve,
                stages_identification_update,
                stages_identification_partial_update,
                stages_identification_destroy,
                stages_identification_used_by_list
            )
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
