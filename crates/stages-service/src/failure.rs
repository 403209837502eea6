//! [`Failure`]: why an operation does not answer with its success, in one type: authentik's 400
//! for the request, or an answer every operation may give ([`ApiError`]: 404, 500).

use crate::store::StoreError;
use crate::NAME;
use authentik_models::support::ValidationErrors;
use authentik_models::ValidationError;
use authentik_server::ApiError;

#[derive(Debug)]
pub(crate) enum Failure {
    /// 400: the request names unknown objects, or a taken name.
    BadRequest(ValidationError),
    /// 404, 500, ...
    Api(ApiError),
}

impl Failure {
    /// `Ok` when `errors` is empty, else the 400 that reports them.
    pub(crate) fn unless_any(errors: ValidationErrors) -> Result<(), Failure> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.into())
        }
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::Api(e)
    }
}

impl From<ValidationErrors> for Failure {
    fn from(errors: ValidationErrors) -> Self {
        Failure::BadRequest(validation_error(&errors))
    }
}

/// A taken name is the 400 DRF's unique validator answers; a stage that is not there, 404.
impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NameTaken => name_taken().into(),
            StoreError::NotFound => Failure::Api(ApiError::NotFound),
            other => Failure::Api(ApiError::internal(other)),
        }
    }
}

/// DRF's unique validator's message for a taken name.
pub(crate) const NAME_TAKEN: &str = "stage with this name already exists.";

/// The 400 body for a taken name.
fn name_taken() -> ValidationErrors {
    let mut errors = ValidationErrors::new();
    errors.add_message(NAME, NAME_TAKEN);
    errors
}

fn validation_error(errors: &ValidationErrors) -> ValidationError {
    serde_json::from_value(errors.to_json()).unwrap_or(ValidationError {
        non_field_errors: None,
        code: None,
        additional_properties: Default::default(),
    })
}
