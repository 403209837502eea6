//! Authentication: the [`Authenticate`] trait the service implements, and the bearer token read
//! from a request and refused with authentik's 403 bodies.

use std::future::Future;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;

use super::responses::{detail, PERMISSION_DENIED};

/// Turns a bearer token into the principal the operations act for.
///
/// The generated router calls it before it reads anything else of a request to a secured
/// operation; a refusal is answered with 403 and `{"detail": ...}`, as authentik does.
pub trait Authenticate: Send + Sync + 'static {
    /// Who a valid token stands for, handed to every secured operation.
    type Principal: Send + Sync + 'static;

    /// Checks a bearer token (the text after `Bearer `).
    fn authenticate(
        &self,
        token: &str,
    ) -> impl Future<Output = Result<Self::Principal, AuthError>> + Send;
}

/// Why a token was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthError {
    /// Unknown or expired token: `{"detail": "Token invalid/expired"}`.
    InvalidToken,
    /// A valid token without the right to call the operation.
    PermissionDenied,
}

/// Reads the bearer token and asks `auth` about it.
pub(super) async fn authenticate<A: Authenticate>(
    auth: &A,
    headers: &HeaderMap,
) -> Result<A::Principal, Response> {
    let value = match headers.get(header::AUTHORIZATION) {
        Some(v) => v,
        None => {
            return Err(detail(
                StatusCode::FORBIDDEN,
                "Authentication credentials were not provided.",
            ))
        }
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        return Err(detail(StatusCode::FORBIDDEN, "Token invalid/expired"));
    };
    auth.authenticate(token).await.map_err(|e| match e {
        AuthError::InvalidToken => detail(StatusCode::FORBIDDEN, "Token invalid/expired"),
        AuthError::PermissionDenied => detail(StatusCode::FORBIDDEN, PERMISSION_DENIED),
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{answer, block_on};
    use super::*;
    use axum::http::HeaderValue;
    use serde_json::json;

    struct Tokens;

    impl Authenticate for Tokens {
        type Principal = String;

        fn authenticate(
            &self,
            token: &str,
        ) -> impl Future<Output = Result<String, AuthError>> + Send {
            let result = match token {
                "good" => Ok("alice".to_owned()),
                "limited" => Err(AuthError::PermissionDenied),
                _ => Err(AuthError::InvalidToken),
            };
            async move { result }
        }
    }

    fn auth(value: Option<&'static str>) -> Result<String, (StatusCode, serde_json::Value)> {
        let mut headers = HeaderMap::new();
        if let Some(value) = value {
            headers.insert(header::AUTHORIZATION, HeaderValue::from_static(value));
        }
        block_on(authenticate(&Tokens, &headers)).map_err(answer)
    }

    #[test]
    fn bearer_tokens_are_checked_as_authentik_checks_them() {
        assert_eq!(auth(Some("Bearer good")), Ok("alice".to_owned()));
        assert_eq!(auth(Some("bearer  good ")), Ok("alice".to_owned()));
        let refused = |detail: &str| Err((StatusCode::FORBIDDEN, json!({ "detail": detail })));
        assert_eq!(
            auth(None),
            refused("Authentication credentials were not provided.")
        );
        for bad in ["Basic good", "Bearer", "Bearer  ", "Bearer other"] {
            assert_eq!(auth(Some(bad)), refused("Token invalid/expired"), "{bad}");
        }
        assert_eq!(auth(Some("Bearer limited")), refused(PERMISSION_DENIED));
    }
}
