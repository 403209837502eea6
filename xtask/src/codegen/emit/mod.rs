//! Pass 3, emit: IR → token streams, one per generated file. Models are emitted once; the other
//! crates name them by path. One module per generated crate or file kind (`models`, `server`,
//! `router`, `shape`, `query`, `client`); their shared helpers, and nothing else, in [`rust`].

pub mod client;
pub mod models;
pub mod query;
pub mod router;
pub mod rust;
pub mod server;
pub mod shape;
