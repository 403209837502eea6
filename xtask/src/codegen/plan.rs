//! The emit and format passes as jobs: every generated Rust file is planned as parts, each a job
//! that emits its tokens and prints them ([`format::print`]), and [`Plan::run`] runs all the
//! jobs of all the crates on every core, each worker taking the next job as it frees up, then
//! joins each file's parts in order. Token streams cannot cross threads, so a job emits its own.
//!
//! prettyplease prints items one after another, so a file printed in parts and joined with a
//! blank line between them ([`format::join`]) is the file printed at once: the output does not
//! depend on how the work was cut.

use super::diag::Error;
use super::{format, parallel};
use proc_macro2::TokenStream;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// One part of one file: its tokens, made and printed on whichever core runs the job.
type Job<'a> = Box<dyn Fn() -> Result<String, Error> + Send + Sync + 'a>;

/// How many items one job of a large file takes at least: fewer parts print no faster.
const MIN_ITEMS_PER_JOB: usize = 16;
/// How many jobs a large file is cut into at most, so that two cores share it evenly.
const MAX_JOBS_PER_FILE: usize = 8;

/// A file whose text is its header and the parts its jobs print.
struct Planned {
    path: PathBuf,
    header: String,
    jobs: std::ops::Range<usize>,
}

/// Every generated file: those made whole (manifests, templates) and those still to print.
#[derive(Default)]
pub struct Plan<'a> {
    ready: BTreeMap<PathBuf, String>,
    planned: Vec<Planned>,
    jobs: Vec<Job<'a>>,
}

impl<'a> Plan<'a> {
    /// A file whose text is known already.
    pub fn text(&mut self, path: PathBuf, text: String) {
        self.ready.insert(path, text);
    }

    /// A Rust file printed from `jobs`' parts in order, below `header`.
    fn file(&mut self, path: PathBuf, header: String, jobs: Vec<Job<'a>>) {
        let start = self.jobs.len();
        self.jobs.extend(jobs);
        self.planned.push(Planned {
            path,
            header,
            jobs: start..self.jobs.len(),
        });
    }

    /// Runs every job on every core and adds every file to `files`.
    ///
    /// # Errors
    ///
    /// The first file (in plan order) whose tokens do not parse as Rust.
    pub fn run(self, files: &mut BTreeMap<PathBuf, String>) -> Result<(), Error> {
        let mut printed = parallel::map(&self.jobs, |job| job()).into_iter();
        files.extend(self.ready);
        for file in self.planned {
            let mut parts = Vec::with_capacity(file.jobs.len());
            for part in printed.by_ref().take(file.jobs.len()) {
                parts.push(part?);
            }
            let text = format!("{}\n{}", file.header, format::join(parts));
            files.insert(file.path, text);
        }
        Ok(())
    }
}

/// One generated crate's files, planned as they are named.
pub struct CrateFiles<'p, 'a> {
    /// The crate's directory under the output directory (`models`).
    dir: &'static str,
    header: String,
    plan: &'p mut Plan<'a>,
}

impl<'p, 'a> CrateFiles<'p, 'a> {
    /// The crate in `dir`, with its manifest; every file's header names `schema_label`.
    pub fn new(
        dir: &'static str,
        schema_label: &str,
        manifest: String,
        plan: &'p mut Plan<'a>,
    ) -> Self {
        plan.text(PathBuf::from(format!("{dir}/Cargo.toml")), manifest);
        CrateFiles {
            dir,
            header: format::header("//", schema_label),
            plan,
        }
    }

    fn path(&self, name: &str) -> String {
        format!("{}/src/{name}", self.dir)
    }

    /// A Rust file from the tokens `make` emits, printed as one job.
    pub fn rust(&mut self, name: &str, make: impl Fn() -> TokenStream + Send + Sync + 'a) {
        let rel = self.path(name);
        let file = rel.clone();
        let job: Job<'a> = Box::new(move || format::print(&file, make()));
        self.plan
            .file(PathBuf::from(rel), self.header.clone(), vec![job]);
    }

    /// A Rust file copied byte for byte from a template (`xtask/templates/`), below the header:
    /// what the template says, comments included, is what the generated crate compiles and tests.
    pub fn template(&mut self, name: &str, text: &str) {
        let rel = self.path(name);
        let text = format::copy_template(text, &self.header);
        self.plan.text(PathBuf::from(rel), text);
    }

    /// Each of a crate's templates ([`super::support`]), copied as [`CrateFiles::template`]
    /// copies one.
    pub fn templates(&mut self, templates: &[super::support::Template]) {
        for (name, text) in templates {
            self.template(name, text);
        }
    }

    /// A Rust file of many items: `head`, then each item as `emit` makes it, cut into runs that
    /// print as jobs of their own.
    pub fn items<T: Send + Sync + 'a>(
        &mut self,
        name: &str,
        head: impl Fn() -> TokenStream + Send + Sync + 'a,
        items: Vec<T>,
        emit: impl Fn(&T) -> TokenStream + Send + Sync + 'a,
    ) {
        let rel = self.path(name);
        let emit = Arc::new(emit);
        let head_file = rel.clone();
        let mut jobs: Vec<Job<'a>> = vec![Box::new(move || format::print(&head_file, head()))];
        let per_job = items
            .len()
            .div_ceil(MAX_JOBS_PER_FILE)
            .max(MIN_ITEMS_PER_JOB);
        let mut items = items.into_iter().peekable();
        while items.peek().is_some() {
            let run: Vec<T> = items.by_ref().take(per_job).collect();
            let emit = Arc::clone(&emit);
            let file = rel.clone();
            jobs.push(Box::new(move || {
                let tokens: TokenStream = run.iter().map(|item| emit(item)).collect();
                format::print(&file, tokens)
            }));
        }
        self.plan
            .file(PathBuf::from(rel), self.header.clone(), jobs);
    }
}
