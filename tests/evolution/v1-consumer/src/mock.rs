//! A hand-written double of the client trait, as the client crate suggests for tests
//! ("implement a trait yourself to mock authentik"): client-side code that implements
//! [`WidgetApi`] rather than calling it.

use authentik_client::{errors, models, widget, Error, WidgetApi};

type Reply<T, E> = Result<T, Error<E>>;

/// Answers every call with the one widget it holds.
pub struct Mock {
    pub widget: models::Widget,
}

impl WidgetApi for Mock { // probe: client operation-added WidgetApi::stages_widget_duplicate_create // disagrees: api-diff calls an added operation compatible for clients, but a client-side implementation of the trait (a mock) must implement it too
    async fn stages_widget_list(&self, _: &widget::StagesWidgetListQuery) -> Reply<models::PaginatedWidgetList, errors::ForbiddenError> { // probe: client unchanged WidgetApi::stages_widget_list
        let pagination = models::Pagination { next: 0.0, count: 1.0 };
        Ok(models::PaginatedWidgetList { pagination, results: vec![self.widget.clone()] })
    }

    async fn stages_widget_create(&self, _: &models::WidgetRequest) -> Reply<models::Widget, errors::BadRequestOrForbiddenError> { // probe: client unchanged WidgetApi::stages_widget_create
        Ok(self.widget.clone())
    }

    async fn stages_widget_retrieve(&self, _: uuid::Uuid) -> Reply<models::Widget, errors::ForbiddenError> { // probe: client parameter-added StagesWidgetRetrieveQuery::expand; client operation-changed WidgetApi::stages_widget_retrieve
        Ok(self.widget.clone())
    }

    async fn stages_widget_destroy(&self, _: uuid::Uuid) -> Reply<(), errors::ForbiddenError> { // probe: client operation-changed WidgetApi::stages_widget_destroy
        Ok(())
    }

    async fn stages_widget_partial_update(&self, _: uuid::Uuid, _: Option<&models::PatchedWidgetRequest>) -> Reply<models::Widget, errors::BadRequestOrForbiddenError> { // probe: client request-body-required-changed WidgetApi::stages_widget_partial_update
        Ok(self.widget.clone())
    }

    async fn stages_widget_spin_create(&self, _: uuid::Uuid) -> Reply<models::SpinResult, errors::UndocumentedError> { // probe: client operation-removed WidgetApi::stages_widget_spin_create; client type-removed SpinResult
        Ok(models::SpinResult { turns: 1 }) // probe: client type-removed SpinResult
    }

    async fn stages_widget_used_by_list(&self, _: uuid::Uuid) -> Reply<Vec<String>, errors::UndocumentedError> { // probe: client operation-changed WidgetApi::stages_widget_used_by_list
        Ok(vec![])
    }
}
