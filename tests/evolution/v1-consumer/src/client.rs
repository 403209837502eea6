//! The client's side: reading what the server answers, building what it is sent, calling
//! [`WidgetApi`] on [`Client`] and matching its errors.

use authentik_client::{errors, models, widget, Client, Error, WidgetApi};
use models::support::Maybe;

/// Reads every field of an answer.
pub fn read_widget(w: &models::Widget) -> Vec<String> {
    let mut seen = Vec::new();
    seen.push(w.pk.to_string()); // probe: client unchanged Widget::pk
    seen.push(w.name.clone()); // probe: client field-constraint-changed Widget::name
    let size: i64 = w.size; // probe: client field-type-changed Widget::size
    seen.push(size.to_string());
    seen.extend(w.colour.as_ref().map(|c| c.to_string())); // probe: client unchanged Widget::colour
    let noted = matches!(w.note, Maybe::Value(_)); // probe: client field-nullability-changed Widget::note
    seen.push(noted.to_string());
    let owner: Option<&String> = w.owner.as_ref(); // probe: client field-required Widget::owner
    seen.extend(owner.cloned());
    let _owner = &w.owner; // probe: client field-read-only-changed Widget::owner
    seen.extend(w.legacy.clone()); // probe: client field-removed Widget::legacy
    let width = w.dimensions.as_ref().and_then(|d| d.width); // probe: client unchanged Dimensions::width
    seen.extend(width.map(|n| n.to_string()));
    let depth = w.dimensions.as_ref().and_then(|d| d.depth); // probe: client field-required Dimensions::depth
    seen.extend(depth.map(|n| n.to_string()));
    let models::Widget { pk, name, .. } = w; // probe: client field-added Widget::weight; client field-added Widget::serial
    seen.push(format!("{pk} {name}"));
    seen
}

/// Every value of the enum, by name, as a downstream crate would match it.
pub fn colour_code(colour: &models::ColourEnum) -> u8 {
    match colour { // probe: client enum-value-added ColourEnum::Violet
        models::ColourEnum::Red => 1, // probe: client unchanged ColourEnum::Red
        models::ColourEnum::Green => 2,
        models::ColourEnum::Blue => 3, // probe: client enum-value-removed ColourEnum::Blue // fix:
        models::ColourEnum::Unknown(_) => 0,
        #[cfg(feature = "non-exhaustive")]
        _ => 0,
    }
}

/// A request body with every field named.
pub fn new_widget() -> models::WidgetRequest {
    models::WidgetRequest { // probe: client field-added WidgetRequest::weight
        name: "gear".to_owned(), // probe: client field-constraint-changed WidgetRequest::name
        size: 3, // probe: client field-type-changed WidgetRequest::size
        colour: Some(models::ColourEnum::Red), // probe: client unchanged WidgetRequest::colour
        note: Maybe::Null, // probe: client field-nullability-changed WidgetRequest::note
        owner: None, // probe: client field-required WidgetRequest::owner
        secret: Some("s3cret".to_owned()), // probe: client field-write-only-changed WidgetRequest::secret
        dimensions: Some(models::Dimensions { width: Some(2), ..Default::default() }), // probe: client type-default-changed Dimensions
        legacy: None, // probe: client field-removed WidgetRequest::legacy // fix:
    }
}

/// A PATCH body naming only what it changes.
pub fn recolour() -> models::PatchedWidgetRequest {
    models::PatchedWidgetRequest { // probe: client field-added PatchedWidgetRequest::weight
        colour: Some(models::ColourEnum::Green), // probe: client unchanged PatchedWidgetRequest::colour
        ..Default::default()
    }
}

/// A PATCH body naming every field, without `..Default::default()`.
pub fn rename(name: &str) -> models::PatchedWidgetRequest {
    models::PatchedWidgetRequest { name: Some(name.to_owned()), colour: None } // probe: client field-added PatchedWidgetRequest::weight // disagrees: api-diff calls an optional field added to a struct that keeps `Default` compatible, but a literal naming every field without `..Default::default()` must add it
}

/// A list query naming only what it filters on.
pub fn query(name: &str) -> widget::StagesWidgetListQuery {
    widget::StagesWidgetListQuery { // probe: client parameter-added StagesWidgetListQuery::shape
        name: Some(name.to_owned()), // probe: client unchanged StagesWidgetListQuery::name
        colour: Some("red".to_owned()), // probe: client parameter-removed StagesWidgetListQuery::colour
        size: Some(3), // probe: client parameter-type-changed StagesWidgetListQuery::size
        ..Default::default()
    }
}

/// Calls every operation.
pub async fn call_all(c: &Client, id: uuid::Uuid) -> Vec<String> {
    let mut seen = Vec::new();
    let page = c.stages_widget_list(&query("gear")).await; // probe: client unchanged WidgetApi::stages_widget_list
    seen.extend(page.ok().map(|p| p.results.len().to_string()));
    let created = c.stages_widget_create(&new_widget()).await; // probe: client unchanged WidgetApi::stages_widget_create
    seen.extend(created.ok().map(|w| w.name));
    let got = c.stages_widget_retrieve(id).await; // probe: client parameter-added StagesWidgetRetrieveQuery::expand; client response-added StagesWidgetRetrieveResponse::NotFound
    let got: Result<models::Widget, Error<errors::ForbiddenError>> = got; // probe: client operation-changed WidgetApi::stages_widget_retrieve
    seen.extend(got.ok().map(|w| w.name));
    let gone: Result<(), Error<errors::ForbiddenError>> = c.stages_widget_destroy(id).await; // probe: client operation-changed WidgetApi::stages_widget_destroy; client response-removed StagesWidgetDestroyResponse::Forbidden
    seen.push(gone.is_ok().to_string());
    let patched = c.stages_widget_partial_update(id, Some(&recolour())).await; // probe: client request-body-required-changed WidgetApi::stages_widget_partial_update
    seen.extend(patched.ok().map(|w| w.name));
    let spun = c.stages_widget_spin_create(id).await; // probe: client operation-removed WidgetApi::stages_widget_spin_create
    seen.push(format!("{}", spun.is_ok()));
    let users = c.stages_widget_used_by_list(id).await; // probe: client operation-changed WidgetApi::stages_widget_used_by_list
    seen.extend(users.unwrap_or_default());
    seen
}

/// What a failed create said.
pub fn explain(e: &Error<errors::BadRequestOrForbiddenError>) -> String {
    match e {
        Error::Api(errors::BadRequestOrForbiddenError::BadRequest(v)) => format!("{v:?}"), // probe: client unchanged BadRequestOrForbiddenError::BadRequest
        Error::Api(errors::BadRequestOrForbiddenError::Forbidden(g)) => g.detail.clone(),
        other => other.to_string(),
    }
}

/// A removed answer type, named.
pub fn turns(spin: &models::SpinResult) -> i64 { // probe: client type-removed SpinResult
    spin.turns
}

/// A client whose base URL is known.
pub fn connect() -> Option<Client> {
    Client::new("http://localhost:9000/api/v3", Some("token")).ok() // probe: client resource-added GadgetApi; client operation-added GadgetApi::stages_gadget_list; client operation-added WidgetApi::stages_widget_duplicate_create; client type-added Gadget; client type-added DuplicateRequest
}
