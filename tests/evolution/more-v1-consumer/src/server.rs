//! The server's side.

use authentik_models as models;
use authentik_server::thing::{self, ThingApi};
use authentik_server::{ApiError, AuthError, Authenticate};

type Answer<T> = Result<T, ApiError>;

/// A service that knows one thing.
pub struct Service {
    pub pk: uuid::Uuid,
}

impl Authenticate for Service {
    type Principal = ();

    async fn authenticate(&self, _: &str) -> Result<(), AuthError> {
        Ok(())
    }
}

/// A thing as it is answered, every field named.
pub fn thing(pk: uuid::Uuid) -> models::Thing {
    let foo_bar = Some("bar".to_owned());
    models::Thing { // probe: server field-added Thing::foo_bar2; server additional-properties-changed Thing::additional_properties
        pk, // probe: server unchanged Thing::pk
        label: "gear".to_owned(), // probe: server field-optional Thing::label
        foo_bar, // probe: server unchanged Thing::foo_bar
        slug: Some("gear".to_owned()), // probe: server field-constraint-changed Thing::slug
        score: Some(3), // probe: server field-type-changed Thing::score
        mode: Some(mode()),
        theme: Some(models::ThemeEnum::DarkMode), // probe: server unchanged ThemeEnum::DarkMode
    }
}

/// A mode, built.
pub fn mode() -> models::Mode {
    models::Mode { name: Some("fast".to_owned()) } // probe: server type-kind-changed Mode
}

/// A challenge of each kind.
pub fn password() -> models::Challenge {
    models::Challenge::PasswordChallenge(models::PasswordChallenge { component: "ak-stage-password".to_owned(), kind: "password".to_owned(), recovery_url: None }) // probe: server unchanged Challenge::PasswordChallenge; server field-deprecated-changed PasswordChallenge::recovery_url // disagrees: api-diff calls a deprecation compatible, but the generated field is `#[deprecated]`: every use warns, an error under `-D warnings`
}

pub fn captcha() -> models::Challenge {
    models::Challenge::CaptchaChallenge(captcha_challenge()) // probe: server union-variant-changed Challenge::CaptchaChallengeV2
}

fn captcha_challenge() -> models::CaptchaChallenge { // probe: server type-removed CaptchaChallenge // fix: fn captcha_challenge() -> models::CaptchaChallengeV2 {
    models::CaptchaChallenge { component: "ak-stage-captcha".to_owned(), kind: "captcha".to_owned(), site_key: "key".to_owned() } // probe: server type-removed CaptchaChallenge // fix: models::CaptchaChallengeV2 { component: "ak-stage-captcha".to_owned(), kind: "captcha".to_owned(), site_key: "key".to_owned(), interactive: None }
}

pub fn deny() -> models::Challenge {
    models::Challenge::DenyChallenge(deny_challenge()) // probe: server union-variant-removed Challenge::DenyChallenge
}

fn deny_challenge() -> models::DenyChallenge { // probe: server type-removed DenyChallenge // fix: fn deny_challenge() -> models::ConsentChallenge {
    models::DenyChallenge { component: "ak-stage-deny".to_owned(), kind: "deny".to_owned(), reason: None } // probe: server type-removed DenyChallenge // fix: models::ConsentChallenge { component: "ak-stage-consent".to_owned(), kind: "consent".to_owned(), permissions: None }
}

impl ThingApi for Service { // probe: server unchanged ThingApi
    async fn stages_thing_list(&self, _: &(), request: thing::StagesThingListRequest) -> Answer<thing::StagesThingListResponse> {
        let limit: Option<i64> = request.query.limit; // probe: server parameter-required StagesThingListQuery::limit
        let offset: i64 = request.query.offset; // probe: server parameter-optional StagesThingListQuery::offset
        let page_size: Option<i64> = request.query.page_size; // probe: server unchanged StagesThingListQuery::page_size
        let q = request.query.q; // probe: server parameter-constraint-changed StagesThingListQuery::q; server parameter-added StagesThingListQuery::page_size2
        let n = limit.or(page_size).unwrap_or(10) + offset + q.map_or(0, |q| q.len() as i64);
        Ok(thing::StagesThingListResponse::Ok((0..n.min(1)).map(|_| thing(self.pk)).collect()))
    }

    async fn stages_thing_create(&self, _: &(), request: thing::StagesThingCreateRequest) -> Answer<thing::StagesThingCreateResponse> {
        let body: &models::ThingRequest = &request.body; // probe: server request-body-changed ThingApi::stages_thing_create
        let mut created = thing(self.pk);
        created.pk = uuid::Uuid::nil();
        if body.label.is_empty() {
            return Err(ApiError::PermissionDenied);
        }
        Ok(thing::StagesThingCreateResponse::Created(created))
    }

    async fn stages_thing_retrieve(&self, _: &(), request: thing::StagesThingRetrieveRequest) -> Answer<thing::StagesThingRetrieveResponse> {
        Ok(thing::StagesThingRetrieveResponse::Ok(thing(request.id))) // probe: server response-changed StagesThingRetrieveResponse::Ok
    }

    async fn stages_thing_ping_create(&self, _: &(), _: thing::StagesThingPingCreateRequest) -> Answer<thing::StagesThingPingCreateResponse> { // probe: server request-body-added ThingApi::stages_thing_ping_create
        Ok(thing::StagesThingPingCreateResponse::NoContent)
    }

    async fn stages_thing_reset_create(&self, _: &(), request: thing::StagesThingResetCreateRequest) -> Answer<thing::StagesThingResetCreateResponse> {
        let hard = request.body.hard; // probe: server request-body-removed ThingApi::stages_thing_reset_create
        if hard == Some(true) {
            return Err(ApiError::PermissionDenied);
        }
        Ok(thing::StagesThingResetCreateResponse::NoContent)
    }

    async fn stages_thing_challenge_retrieve(&self, _: &(), _: thing::StagesThingChallengeRetrieveRequest) -> Answer<thing::StagesThingChallengeRetrieveResponse> { // probe: server union-variant-added Challenge::ConsentChallenge; server union-property-changed Challenge
        Ok(thing::StagesThingChallengeRetrieveResponse::Ok(password()))
    }
}

// rustc type-checks little else while an `impl` names a trait that no longer exists: the impl
// is on one line, so that its fix (deleting it) shows the other errors in the next round.
impl authentik_server::legacy::LegacyApi for Service { async fn stages_legacy_list(&self, _: &(), _: authentik_server::legacy::StagesLegacyListRequest) -> Answer<authentik_server::legacy::StagesLegacyListResponse> { Ok(authentik_server::legacy::StagesLegacyListResponse::Ok(vec![])) } } // probe: server resource-removed LegacyApi; server operation-removed LegacyApi::stages_legacy_list // fix:
