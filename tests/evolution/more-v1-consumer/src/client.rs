//! The client's side.

use authentik_client::{errors, models, thing, Client, Error, ThingApi};

/// Reads a thing.
pub fn read_thing(t: &models::Thing) -> Vec<String> {
    let mut seen = vec![t.pk.to_string()]; // probe: client unchanged Thing::pk
    let label: &String = &t.label; // probe: client field-optional Thing::label
    seen.push(label.clone());
    let foo_bar: Option<&String> = t.foo_bar.as_ref(); // probe: client unchanged Thing::foo_bar; client field-added Thing::foo_bar2
    seen.extend(foo_bar.cloned());
    seen.extend(t.slug.clone()); // probe: client field-constraint-changed Thing::slug
    let score: Option<i64> = t.score; // probe: client field-type-changed Thing::score
    seen.extend(score.map(|s| s.to_string()));
    seen.extend(t.mode.as_ref().and_then(|m| m.name.clone())); // probe: client type-kind-changed Mode
    seen.extend(t.theme.as_ref().map(theme_name)); // probe: client unchanged Thing::theme
    let models::Thing { pk, .. } = t; // probe: client additional-properties-changed Thing::additional_properties
    seen.push(pk.to_string());
    seen
}

/// Every theme, by name.
pub fn theme_name(theme: &models::ThemeEnum) -> String {
    match theme { // probe: client enum-value-added ThemeEnum::DarkMode2
        models::ThemeEnum::DarkMode => "dark".to_owned(), // probe: client unchanged ThemeEnum::DarkMode
        models::ThemeEnum::Light => "light".to_owned(), // probe: client unchanged ThemeEnum::Light
        models::ThemeEnum::Unknown(other) => other.clone(),
        #[cfg(feature = "non-exhaustive")]
        _ => "?".to_owned(),
    }
}

/// What a challenge asks for.
pub fn challenge(c: &models::Challenge) -> Option<String> {
    match c { // probe: client union-variant-added Challenge::ConsentChallenge; client union-property-changed Challenge
        models::Challenge::PasswordChallenge(p) => Some(p.component.clone()), // probe: client unchanged Challenge::PasswordChallenge
        models::Challenge::CaptchaChallenge(c) => Some(c.site_key.clone()), // probe: client union-variant-changed Challenge::CaptchaChallengeV2
        models::Challenge::DenyChallenge(d) => d.reason.clone(), // probe: client union-variant-removed Challenge::DenyChallenge // fix:
        models::Challenge::Unknown(_) => None,
        #[cfg(feature = "non-exhaustive")]
        _ => None,
    }
}

/// A deprecated field, read.
pub fn recovery(p: &models::PasswordChallenge) -> Option<&str> {
    p.recovery_url.as_deref() // probe: client field-deprecated-changed PasswordChallenge::recovery_url // disagrees: api-diff calls a deprecation compatible, but the generated field is `#[deprecated]`: every use warns, an error under `-D warnings`
}

/// Removed types, named.
pub fn deny_reason(d: &models::DenyChallenge) -> Option<&str> { // probe: client type-removed DenyChallenge
    d.reason.as_deref()
}

pub fn site_key(c: &models::CaptchaChallenge) -> &str { // probe: client type-removed CaptchaChallenge
    &c.site_key
}

/// Aliases, named.
pub fn score() -> models::Score {
    let score: models::Score = 3; // probe: client alias-changed Score
    score
}

pub fn slug() -> models::Slug {
    let slug: models::Slug = "gear".to_owned(); // probe: client type-constraint-changed Slug
    slug
}

/// A list query with every parameter named.
pub fn query() -> thing::StagesThingListQuery {
    thing::StagesThingListQuery { // probe: client parameter-added StagesThingListQuery::page_size2
        limit: Some(10), // probe: client parameter-required StagesThingListQuery::limit
        offset: 0, // probe: client parameter-optional StagesThingListQuery::offset
        page_size: Some(50), // probe: client unchanged StagesThingListQuery::page_size
        q: Some("gear".to_owned()), // probe: client parameter-constraint-changed StagesThingListQuery::q
    }
}

type Reply<T> = Result<T, Error<errors::UndocumentedError>>;

/// Calls every operation.
pub async fn call_all(c: &Client, id: uuid::Uuid, reset: &models::ResetRequest) -> Vec<String> {
    let mut seen = Vec::new();
    let things: Reply<Vec<models::Thing>> = c.stages_thing_list(&query()).await; // probe: client unchanged ThingApi::stages_thing_list
    seen.extend(things.unwrap_or_default().iter().flat_map(read_thing));
    let request = models::ThingRequest { label: "gear".to_owned() }; // probe: client unchanged ThingRequest
    let created = c.stages_thing_create(&request).await; // probe: client request-body-changed ThingApi::stages_thing_create
    seen.extend(created.ok().map(|t| t.pk.to_string()));
    let got: Reply<models::Thing> = c.stages_thing_retrieve(id).await; // probe: client response-changed StagesThingRetrieveResponse::Ok
    seen.extend(got.ok().map(|t| t.pk.to_string()));
    let pinged = c.stages_thing_ping_create(id).await; // probe: client request-body-added ThingApi::stages_thing_ping_create
    seen.push(pinged.is_ok().to_string());
    let reset = c.stages_thing_reset_create(id, reset).await; // probe: client request-body-removed ThingApi::stages_thing_reset_create
    seen.push(reset.is_ok().to_string());
    let asked = c.stages_thing_challenge_retrieve(id).await; // probe: client unchanged ThingApi::stages_thing_challenge_retrieve
    seen.extend(asked.ok().as_ref().and_then(challenge));
    let old = authentik_client::LegacyApi::stages_legacy_list(c).await; // probe: client resource-removed LegacyApi; client operation-removed LegacyApi::stages_legacy_list
    seen.extend(old.unwrap_or_default());
    seen
}

/// A client whose base URL is known.
pub fn connect() -> Option<Client> {
    Client::new("http://localhost:9000/api/v3", Some("token")).ok() // probe: client type-added ThingDetail; client type-added NewThingRequest; client type-added ConsentChallenge; client type-added CaptchaChallengeV2
}
