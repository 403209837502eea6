//! The router's settings ([`RouterConfig`]) and [`Routes`], the routes of some resources served
//! together, with authentik's 404 for a path nothing is mounted at and its 500 for a panic.

use super::responses::{not_found, server_error};

/// Settings of the generated router.
#[derive(Clone, Debug)]
pub struct RouterConfig {
    /// The largest request body read; a larger one is answered with 413, at once (before any
    /// of it is read) when its declared `Content-Length` is over the limit.
    pub body_limit: usize,
}

impl Default for RouterConfig {
    fn default() -> Self {
        RouterConfig {
            body_limit: 1024 * 1024,
        }
    }
}

/// The routes of some resources, to be served together: each resource module's `routes`
/// makes one (`captcha::routes(service, config)`), [`Routes::merge`] joins them, and
/// [`Routes::into_router`] gives the router to serve. A path of a resource not mounted answers
/// authentik's 404, `{"detail": "Not found."}`, as any unknown path does.
///
/// A service that implements only some of the schema's resources mounts just those; each
/// resource may have a service of its own.
#[derive(Debug, Default)]
#[must_use]
pub struct Routes {
    router: axum::Router,
}

impl Routes {
    /// No routes: every path answers 404.
    pub fn new() -> Self {
        Routes::default()
    }

    /// These routes and `other`'s together. A resource's paths are its own, so two resources'
    /// routes never overlap.
    ///
    /// # Panics
    ///
    /// When both mount the same path (the same resource merged twice).
    pub fn merge(self, other: Routes) -> Self {
        Routes {
            router: self.router.merge(other.router),
        }
    }

    /// The router to serve: a path nothing is mounted at answers 404 and a panic in the service
    /// answers 500, both with authentik's `{"detail": ...}` body.
    pub fn into_router(self) -> axum::Router {
        self.router.fallback(not_found).layer(
            tower_http::catch_panic::CatchPanicLayer::custom(
                |_: Box<dyn std::any::Any + Send>| server_error(),
            ),
        )
    }
}

impl From<axum::Router> for Routes {
    /// Routes of your own (a health check, a resource written by hand), to merge with the
    /// generated ones; they should answer errors in authentik's shapes too.
    fn from(router: axum::Router) -> Self {
        Routes { router }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::block_on;
    use super::*;
    use axum::body::Body;
    use axum::http::StatusCode;

    #[test]
    fn merged_routes_answer_404_for_what_none_mounts_and_500_for_a_panic() {
        let ok = axum::Router::new().route("/a/", axum::routing::get(|| async { "a" }));
        let panics = axum::Router::new().route(
            "/b/",
            axum::routing::get(|| async {
                if true {
                    panic!("a bug in the service");
                }
                "b"
            }),
        );
        let mut router = Routes::new()
            .merge(Routes::from(ok))
            .merge(Routes::from(panics))
            .into_router();
        let mut get = |path: &str| {
            let request = axum::http::Request::get(path).body(Body::empty()).unwrap();
            let response =
                block_on(tower_service::Service::call(&mut router, request)).unwrap();
            let status = response.status();
            let body = block_on(http_body_util::BodyExt::collect(response.into_body()));
            (status, String::from_utf8(body.unwrap().to_bytes().to_vec()).unwrap())
        };
        assert_eq!(get("/a/"), (StatusCode::OK, "a".to_owned()));
        assert_eq!(
            get("/c/"),
            (StatusCode::NOT_FOUND, r#"{"detail":"Not found."}"#.to_owned())
        );
        assert_eq!(
            get("/b/"),
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                r#"{"detail":"A server error occurred."}"#.to_owned()
            )
        );
    }
}
