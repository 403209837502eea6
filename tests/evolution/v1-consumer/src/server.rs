//! The server's side: implementing [`WidgetApi`], reading what clients send, building
//! answers, and mounting the router.

use authentik_models as models;
use authentik_server::widget::{self as ops, WidgetApi};
use authentik_server::{ApiError, AuthError, Authenticate, RouterConfig};
use models::support::Maybe;
use std::sync::Arc;

type Answer<T> = Result<T, ApiError>;

/// A service that knows one widget.
pub struct Service {
    pub widget: models::Widget,
}

impl Authenticate for Service {
    type Principal = String;

    async fn authenticate(&self, token: &str) -> Result<String, AuthError> {
        Ok(token.to_owned())
    }
}

/// An answer with every field named.
pub fn answer(pk: uuid::Uuid) -> models::Widget {
    models::Widget { // probe: server field-added Widget::weight; server field-added Widget::serial
        pk, // probe: server unchanged Widget::pk
        name: "gear".to_owned(), // probe: server field-constraint-changed Widget::name
        size: 3, // probe: server field-type-changed Widget::size
        colour: Some(models::ColourEnum::Green), // probe: server unchanged Widget::colour
        note: Maybe::Absent, // probe: server field-nullability-changed Widget::note
        owner: Some("me".to_owned()), // probe: server field-required Widget::owner
        dimensions: Some(models::Dimensions { width: Some(1), ..Default::default() }), // probe: server type-default-changed Dimensions
        legacy: None, // probe: server field-removed Widget::legacy // fix:
    }
}

/// Reads every field of a request body.
pub fn read_request(body: &models::WidgetRequest) -> Vec<String> {
    let mut seen = vec![body.name.clone()]; // probe: server field-constraint-changed WidgetRequest::name
    let size: i64 = body.size; // probe: server field-type-changed WidgetRequest::size
    seen.push(size.to_string());
    let noted = matches!(body.note, Maybe::Null); // probe: server field-nullability-changed WidgetRequest::note
    seen.push(noted.to_string());
    let owner: Option<String> = body.owner.clone(); // probe: server field-required WidgetRequest::owner
    seen.extend(owner);
    seen.extend(body.secret.clone()); // probe: server field-write-only-changed WidgetRequest::secret
    seen.extend(body.legacy.clone()); // probe: server field-removed WidgetRequest::legacy
    let depth: Option<i64> = body.dimensions.as_ref().and_then(|d| d.depth); // probe: server field-required Dimensions::depth
    seen.extend(depth.map(|n| n.to_string()));
    let models::WidgetRequest { colour, .. } = body; // probe: server field-added WidgetRequest::weight
    seen.extend(colour.as_ref().map(colour_name));
    seen
}

/// Every value of the enum, by name.
pub fn colour_name(colour: &models::ColourEnum) -> String {
    match colour { // probe: server enum-value-added ColourEnum::Violet
        models::ColourEnum::Red => "rot".to_owned(),
        models::ColourEnum::Green => "grün".to_owned(), // probe: server unchanged ColourEnum::Green
        models::ColourEnum::Blue => "blau".to_owned(), // probe: server enum-value-removed ColourEnum::Blue // fix:
        models::ColourEnum::Unknown(other) => other.clone(),
        #[cfg(feature = "non-exhaustive")]
        _ => "?".to_owned(),
    }
}

fn forbidden() -> models::GenericError {
    models::GenericError { detail: "no".to_owned() }
}

impl WidgetApi for Service { // probe: server operation-added WidgetApi::stages_widget_duplicate_create
    async fn stages_widget_list(&self, _: &String, request: ops::StagesWidgetListRequest) -> Answer<ops::StagesWidgetListResponse> { // probe: server unchanged WidgetApi::stages_widget_list
        let name = request.query.name; // probe: server parameter-added StagesWidgetListQuery::shape
        let colour = request.query.colour; // probe: server parameter-removed StagesWidgetListQuery::colour
        let size: Option<i64> = request.query.size; // probe: server parameter-type-changed StagesWidgetListQuery::size
        if name.is_some() || colour.is_some() || size.is_some() {
            return Ok(ops::StagesWidgetListResponse::Forbidden(forbidden()));
        }
        let pagination = models::Pagination { next: 0.0, count: 1.0 };
        Ok(ops::StagesWidgetListResponse::Ok(models::PaginatedWidgetList { pagination, results: vec![self.widget.clone()] }))
    }

    async fn stages_widget_create(&self, _: &String, request: ops::StagesWidgetCreateRequest) -> Answer<ops::StagesWidgetCreateResponse> {
        let seen = read_request(&request.body);
        if seen.is_empty() {
            return Ok(ops::StagesWidgetCreateResponse::BadRequest(models::ValidationError::default()));
        }
        Ok(ops::StagesWidgetCreateResponse::Created(answer(self.widget.pk)))
    }

    async fn stages_widget_retrieve(&self, _: &String, request: ops::StagesWidgetRetrieveRequest) -> Answer<ops::StagesWidgetRetrieveResponse> { // probe: server parameter-added StagesWidgetRetrieveQuery::expand; server operation-changed WidgetApi::stages_widget_retrieve; server response-added StagesWidgetRetrieveResponse::NotFound
        if request.stage_uuid != self.widget.pk {
            return Err(ApiError::NotFound);
        }
        Ok(ops::StagesWidgetRetrieveResponse::Ok(self.widget.clone()))
    }

    async fn stages_widget_destroy(&self, _: &String, request: ops::StagesWidgetDestroyRequest) -> Answer<ops::StagesWidgetDestroyResponse> { // probe: server operation-changed WidgetApi::stages_widget_destroy
        if request.stage_uuid == self.widget.pk {
            return Ok(ops::StagesWidgetDestroyResponse::Forbidden(forbidden())); // probe: server response-removed StagesWidgetDestroyResponse::Forbidden
        }
        Ok(ops::StagesWidgetDestroyResponse::NoContent)
    }

    async fn stages_widget_partial_update(&self, _: &String, request: ops::StagesWidgetPartialUpdateRequest) -> Answer<ops::StagesWidgetPartialUpdateResponse> {
        let body: Option<models::PatchedWidgetRequest> = request.body; // probe: server request-body-required-changed WidgetApi::stages_widget_partial_update
        let colour = body.and_then(|b| b.colour); // probe: server unchanged PatchedWidgetRequest::colour
        let widget = models::Widget { colour, ..self.widget.clone() };
        Ok(ops::StagesWidgetPartialUpdateResponse::Ok(widget))
    }

    async fn stages_widget_spin_create(&self, _: &String, _: ops::StagesWidgetSpinCreateRequest) -> Answer<ops::StagesWidgetSpinCreateResponse> { // probe: server operation-removed WidgetApi::stages_widget_spin_create
        Ok(ops::StagesWidgetSpinCreateResponse::Ok(models::SpinResult { turns: 2 })) // probe: server operation-removed WidgetApi::stages_widget_spin_create; server type-removed SpinResult
    }

    async fn stages_widget_used_by_list(&self, _: &String, _: ops::StagesWidgetUsedByListRequest) -> Answer<ops::StagesWidgetUsedByListResponse> { // probe: server operation-changed WidgetApi::stages_widget_used_by_list
        Ok(ops::StagesWidgetUsedByListResponse::Ok(vec![]))
    }
}

/// The service's resource mounted alone.
pub fn mount(service: Arc<Service>) -> impl Sized {
    ops::routes(service, RouterConfig::default()).into_router() // probe: server resource-added GadgetApi; server operation-added GadgetApi::stages_gadget_list; server type-added Gadget; server type-added DuplicateRequest
}

/// Every resource, through `router()`.
pub fn mount_all(service: Arc<Service>) -> impl Sized {
    authentik_server::router(service, RouterConfig::default()) // probe: server resource-added GadgetApi // disagrees: api-diff calls an added resource compatible for servers (they mount resources one by one), but `router()` needs every resource trait, as its message says
}

