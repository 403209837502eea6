//! A kind of stage as the service knows it: [`StageKind`], its description. What the service
//! does with a stage (list, create, retrieve, update, delete, `used_by`) is written once, over
//! this description, in [`crate::handling`]; each module of [`crate::kinds`] describes one kind.

use crate::listing::ListQuery;
use crate::references::{Reference, Referenced};
use crate::StagesService;
use authentik_models::support::Maybe;
use authentik_models::Pagination;
use authentik_server::{RouterConfig, Routes};
use rusqlite::types::Value as SqlValue;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::Arc;
use uuid::Uuid;

/// One kind of stage (authentik's `CaptchaStage` and its viewset): the generated types of its
/// resource, what a new one holds, how a request changes it, and which of its fields the store,
/// the reference checks, `ordering` and the filters read.
pub(crate) trait StageKind: Send + Sync + 'static {
    /// authentik's model name without `stage` (`captcha`): the `kind` its stages are stored as.
    const KIND: &'static str;
    /// The stage as it is returned and stored.
    type Model: Serialize + DeserializeOwned + Send + 'static;
    /// The body of a create or a full update.
    type Request: Send + 'static;
    /// The body of a partial update.
    type Patch: Default + Send + 'static;
    /// The list operation's query parameters.
    type Query: Send + 'static;
    /// One page of the list.
    type Page: Send + 'static;

    /// What `ordering` may name: the serializer's fields backed by a model column, as DRF allows
    /// when a viewset sets no `ordering_fields`.
    const ORDERING_FIELDS: &'static [&'static str];
    /// The members of its document that the store also keeps in columns of their own, for the
    /// filters and the references that read them.
    const COLUMNS: &'static [Column<Self::Model>];
    /// Its fields that name other objects by pk; those that are columns too are indexed.
    const REFERENCES: &'static [Reference] = &[];

    /// A new stage with authentik's defaults, before the create request's fields are applied.
    fn new_stage(pk: Uuid) -> Self::Model;
    /// Its name, unique across every kind of stage.
    fn name(stage: &Self::Model) -> &str;
    /// A create or full-update body as the patch that names every field it gives.
    fn full_patch(request: Self::Request) -> Self::Patch;
    /// Sets the fields `patch` names; a write-only secret goes to `secret`, never to the document.
    fn apply(stage: &mut Self::Model, secret: &mut Option<String>, patch: Self::Patch);
    /// The pks `patch` gives in each of its reference fields ([`Self::REFERENCES`]).
    fn referenced(patch: &Self::Patch) -> Vec<Referenced> {
        let _ = patch;
        Vec::new()
    }
    /// The list query as filters (on [`Self::COLUMNS`] and `name`), search, ordering and page.
    fn list_query(query: Self::Query) -> ListQuery;
    /// One page of the list.
    fn page(pagination: Pagination, results: Vec<Self::Model>) -> Self::Page;
    /// Its resource's generated routes, served by `service`.
    fn routes(service: Arc<StagesService>, config: RouterConfig) -> Routes;
}

/// A member of a stage's document that the store also keeps in a column of its own, of the
/// same name, written from the same stage as the document.
pub(crate) struct Column<M> {
    pub name: &'static str,
    pub value: fn(&M) -> SqlValue,
}

/// A text column's value.
pub(crate) fn text(value: &str) -> SqlValue {
    SqlValue::Text(value.to_owned())
}

/// A nullable reference's column value: its pk, or `NULL`.
pub(crate) fn pk(value: &Maybe<Uuid>) -> SqlValue {
    match value {
        Maybe::Value(pk) => SqlValue::Text(pk.to_string()),
        Maybe::Absent | Maybe::Null => SqlValue::Null,
    }
}

/// A boolean column's value: 0 or 1, or `NULL`.
pub(crate) fn flag(value: Option<bool>) -> SqlValue {
    value.map_or(SqlValue::Null, |b| SqlValue::Integer(i64::from(b)))
}
