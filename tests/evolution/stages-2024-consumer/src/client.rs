//! The client's side: reading answers, building requests, calling the client.

use authentik_client::{errors, models, CaptchaApi, Client, EmailApi, Error, IdentificationApi, InvitationInvitationsApi, PasswordApi};
use models::query;
use models::support::Maybe;

/// Reads a captcha stage as authentik answers it.
pub fn read_captcha(s: &models::CaptchaStage) -> Vec<String> {
    let mut seen = vec![s.pk.to_string()]; // probe: client unchanged CaptchaStage::pk
    seen.push(s.public_key.clone()); // probe: client unchanged CaptchaStage::public_key
    seen.extend(s.js_url.clone()); // probe: client unchanged CaptchaStage::js_url
    let flows: Option<&Vec<models::FlowSet>> = s.flow_set.as_ref(); // probe: client field-required CaptchaStage::flow_set
    seen.extend(flows.into_iter().flatten().map(read_flow_set));
    let _flows = &s.flow_set; // probe: client field-read-only-changed CaptchaStage::flow_set
    let models::CaptchaStage { name, score_min_threshold, .. } = s; // probe: client field-added CaptchaStage::request_content_type; client field-added CaptchaStage::interactive
    seen.push(format!("{name} {score_min_threshold:?}"));
    seen
}

/// Reads a flow as the stages list it.
pub fn read_flow_set(f: &models::FlowSet) -> String {
    let layout = f.layout.as_ref().map_or(0, layout_code); // probe: client unchanged FlowSet::layout
    let background: &String = &f.background; // probe: client field-removed FlowSet::background
    format!("{} {} {layout} {background}", f.slug, f.title) // probe: client field-constraint-changed FlowSet::slug
}

/// Every layout, by name.
pub fn layout_code(layout: &models::FlowLayoutEnum) -> u8 {
    match layout { // probe: client enum-value-added FlowLayoutEnum::SidebarLeftFrameBackground; client enum-value-added FlowLayoutEnum::SidebarRightFrameBackground
        models::FlowLayoutEnum::Stacked => 1, // probe: client unchanged FlowLayoutEnum::Stacked
        models::FlowLayoutEnum::ContentLeft => 2,
        models::FlowLayoutEnum::ContentRight => 3,
        models::FlowLayoutEnum::SidebarLeft => 4,
        models::FlowLayoutEnum::SidebarRight => 5,
        models::FlowLayoutEnum::Unknown(_) => 0,
        #[cfg(feature = "non-exhaustive")]
        _ => 0,
    }
}

/// Reads an identification stage.
pub fn read_identification(s: &models::IdentificationStage) -> Vec<String> {
    let mut seen: Vec<String> = s.user_fields.iter().flatten().map(|f| f.to_string()).collect(); // probe: client unchanged IdentificationStage::user_fields
    if let Maybe::Value(stage) = s.password_stage { // probe: client unchanged IdentificationStage::password_stage
        seen.push(stage.to_string());
    }
    let flows: &Option<Vec<models::FlowSet>> = &s.flow_set; // probe: client field-required IdentificationStage::flow_set
    seen.push(flows.as_ref().map_or(0, Vec::len).to_string());
    let models::IdentificationStage { pretend_user_exists, .. } = s; // probe: client field-added IdentificationStage::captcha_stage; client field-added IdentificationStage::enable_remember_me; client field-added IdentificationStage::webauthn_stage
    seen.extend(pretend_user_exists.map(|b| b.to_string()));
    seen
}

/// Reads an email stage.
pub fn read_email(s: &models::EmailStage) -> Option<i64> {
    let expiry: Option<i64> = s.token_expiry; // probe: client field-type-changed EmailStage::token_expiry; client field-constraint-changed EmailStage::token_expiry
    let port: Option<i64> = s.port; // probe: client unchanged EmailStage::port
    expiry.or(port)
}

/// Reads a password stage.
pub fn read_password(s: &models::PasswordStage) -> Vec<u8> {
    s.backends.iter().map(backend_code).collect() // probe: client unchanged PasswordStage::backends
}

/// Every password backend, by name.
pub fn backend_code(backend: &models::BackendsEnum) -> u8 {
    match backend { // probe: client enum-value-added BackendsEnum::AuthentikSourcesKerberosAuthKerberosBackend
        models::BackendsEnum::AuthentikCoreAuthInbuiltBackend => 1,
        models::BackendsEnum::AuthentikCoreAuthTokenBackend => 2,
        models::BackendsEnum::AuthentikSourcesLdapAuthLdapBackend => 3, // probe: client unchanged BackendsEnum::AuthentikSourcesLdapAuthLdapBackend
        models::BackendsEnum::Unknown(_) => 0,
        #[cfg(feature = "non-exhaustive")]
        _ => 0,
    }
}

/// Reads what uses a stage.
pub fn read_used_by(used: &[models::UsedBy]) -> Vec<String> {
    used.iter()
        .map(|u| match &u.action { // probe: client enum-value-added UsedByActionEnum::LeftDangling
            models::UsedByActionEnum::Cascade => format!("{} cascade", u.name), // probe: client unchanged UsedByActionEnum::Cascade
            models::UsedByActionEnum::CascadeMany => format!("{} cascade many", u.name),
            models::UsedByActionEnum::SetNull => format!("{} set null", u.name),
            models::UsedByActionEnum::SetDefault => format!("{} set default", u.name),
            models::UsedByActionEnum::Unknown(other) => format!("{} {other}", u.name),
            #[cfg(feature = "non-exhaustive")]
            _ => u.name.clone(),
        })
        .collect()
}

/// Reads an invitation's flow and creator.
pub fn read_invitation(inv: &models::Invitation) -> String {
    let background: &String = &inv.flow_obj.background; // probe: client field-optional Flow::background
    let creator: &models::GroupMember = &inv.created_by; // probe: client field-type-changed Invitation::created_by; client type-removed GroupMember
    format!("{} {background} {}", inv.pk, creator.username) // probe: client unchanged Invitation::pk
}

/// Reads a TOTP stage's friendly name.
pub fn totp_name(s: &models::AuthenticatorTotpStage) -> Option<&str> {
    let name: &Maybe<String> = &s.friendly_name; // probe: client field-nullability-changed AuthenticatorTotpStage::friendly_name
    match name {
        Maybe::Value(name) => Some(name),
        Maybe::Null | Maybe::Absent => None,
    }
}

/// A captcha stage to create, every field named.
pub fn new_captcha() -> models::CaptchaStageRequest {
    models::CaptchaStageRequest { // probe: client field-added CaptchaStageRequest::request_content_type; client field-added CaptchaStageRequest::interactive
        name: "captcha".to_owned(), // probe: client unchanged CaptchaStageRequest::name
        flow_set: None, // probe: client field-removed CaptchaStageRequest::flow_set // fix:
        public_key: "public".to_owned(),
        private_key: "private".to_owned(), // probe: client unchanged CaptchaStageRequest::private_key
        js_url: Some("https://www.google.com/recaptcha/api.js".to_owned()),
        api_url: None,
        score_min_threshold: Some(0.5),
        score_max_threshold: Some(1.0),
        error_on_invalid_score: Some(true),
    }
}

/// An identification stage to create, every field named.
pub fn new_identification(password_stage: uuid::Uuid) -> models::IdentificationStageRequest {
    models::IdentificationStageRequest { // probe: client field-added IdentificationStageRequest::captcha_stage; client field-added IdentificationStageRequest::enable_remember_me; client field-added IdentificationStageRequest::webauthn_stage
        name: "identification".to_owned(),
        flow_set: Some(vec![]), // probe: client field-removed IdentificationStageRequest::flow_set // fix:
        user_fields: Some(vec![models::UserFieldsEnum::Email, models::UserFieldsEnum::Username]), // probe: client unchanged IdentificationStageRequest::user_fields
        password_stage: Maybe::Value(password_stage), // probe: client unchanged IdentificationStageRequest::password_stage
        case_insensitive_matching: Some(true),
        show_matched_user: Some(false),
        enrollment_flow: Maybe::Null,
        recovery_flow: Maybe::Absent,
        passwordless_flow: Maybe::Absent,
        sources: Some(vec![]),
        show_source_labels: None,
        pretend_user_exists: Some(true),
    }
}

/// A password stage to create, every field named.
pub fn new_password() -> models::PasswordStageRequest {
    models::PasswordStageRequest { // probe: client unchanged PasswordStageRequest
        name: "password".to_owned(),
        flow_set: None, // probe: client field-removed PasswordStageRequest::flow_set
        backends: vec![models::BackendsEnum::AuthentikCoreAuthInbuiltBackend], // probe: client unchanged PasswordStageRequest::backends
        configure_flow: Maybe::Absent,
        failed_attempts_before_cancel: Some(5),
        allow_show_password: Some(false),
    }
}

/// An email stage to create, every field named.
pub fn new_email() -> models::EmailStageRequest {
    models::EmailStageRequest { // probe: client field-added EmailStageRequest::recovery_max_attempts; client field-added EmailStageRequest::recovery_cache_timeout
        name: "email".to_owned(),
        flow_set: None, // probe: client field-removed EmailStageRequest::flow_set // fix:
        use_global_settings: Some(true),
        host: Some("smtp.example.com".to_owned()), // probe: client unchanged EmailStageRequest::host
        port: Some(587),
        username: None,
        password: None,
        use_tls: Some(true),
        use_ssl: Some(false),
        timeout: Some(10),
        from_address: Some("auth@example.com".to_owned()),
        token_expiry: Some(30), // probe: client field-type-changed EmailStageRequest::token_expiry; client field-constraint-changed EmailStageRequest::token_expiry
        subject: None,
        template: None,
        activate_user_on_success: None,
    }
}

/// A PATCH naming only what it changes.
pub fn new_public_key(key: &str) -> models::PatchedCaptchaStageRequest {
    models::PatchedCaptchaStageRequest { // probe: client field-added PatchedCaptchaStageRequest::request_content_type; client field-added PatchedCaptchaStageRequest::interactive
        public_key: Some(key.to_owned()), // probe: client unchanged PatchedCaptchaStageRequest::public_key
        ..Default::default()
    }
}

/// A PATCH naming every field, without `..Default::default()`.
pub fn reset_captcha() -> models::PatchedCaptchaStageRequest {
    models::PatchedCaptchaStageRequest { // probe: client field-added PatchedCaptchaStageRequest::request_content_type; client field-added PatchedCaptchaStageRequest::interactive // disagrees: api-diff calls an optional field added to a struct that keeps `Default` compatible, but a literal naming every field without `..Default::default()` must add it
        name: None,
        flow_set: None, // probe: client field-removed PatchedCaptchaStageRequest::flow_set // fix:
        public_key: None,
        private_key: None,
        js_url: None,
        api_url: None,
        score_min_threshold: None,
        score_max_threshold: None,
        error_on_invalid_score: None,
    }
}

/// A PATCH naming only what it changes.
pub fn remember(pretend: bool) -> models::PatchedIdentificationStageRequest {
    models::PatchedIdentificationStageRequest { // probe: client field-added PatchedIdentificationStageRequest::enable_remember_me
        pretend_user_exists: Some(pretend),
        ..Default::default()
    }
}

/// A PATCH naming only what it changes.
pub fn shorter_tokens() -> models::PatchedEmailStageRequest {
    models::PatchedEmailStageRequest {
        token_expiry: Some(10), // probe: client field-type-changed PatchedEmailStageRequest::token_expiry
        ..Default::default()
    }
}

/// List queries naming what they filter on.
pub fn identification_query() -> query::StagesIdentificationListQuery {
    query::StagesIdentificationListQuery { // probe: client parameter-added StagesIdentificationListQuery::captcha_stage; client parameter-added StagesIdentificationListQuery::webauthn_stage
        name: Some("identification".to_owned()),
        ..Default::default()
    }
}

pub fn email_query() -> query::StagesEmailListQuery {
    query::StagesEmailListQuery {
        token_expiry: Some(30), // probe: client parameter-type-changed StagesEmailListQuery::token_expiry
        host: Some("smtp.example.com".to_owned()), // probe: client unchanged StagesEmailListQuery::host
        ..Default::default()
    }
}

pub fn consent_query() -> query::StagesConsentListQuery {
    query::StagesConsentListQuery {
        mode: Some(models::StagesConsentListMode::AlwaysRequire), // probe: client parameter-type-changed StagesConsentListQuery::mode; client type-removed StagesConsentListMode
        ..Default::default()
    }
}

pub fn webauthn_query() -> query::StagesAuthenticatorWebauthnListQuery {
    query::StagesAuthenticatorWebauthnListQuery {
        friendly_name: Some("key".to_owned()), // probe: client parameter-removed StagesAuthenticatorWebauthnListQuery::friendly_name
        ..Default::default()
    }
}

/// Calls a few operations of a few resources.
pub async fn call_some(c: &Client, id: uuid::Uuid) -> Vec<String> {
    let mut seen = Vec::new();
    let page = c.stages_captcha_list(&query::StagesCaptchaListQuery::default()).await; // probe: client unchanged CaptchaApi::stages_captcha_list
    seen.extend(page.ok().map(|p| p.pagination.count.to_string())); // probe: client field-added PaginatedCaptchaStageList::autocomplete
    let created = c.stages_captcha_create(&new_captcha()).await; // probe: client unchanged CaptchaApi::stages_captcha_create
    seen.extend(created.ok().map(|s| read_captcha(&s).join(",")));
    let patched = c.stages_captcha_partial_update(id, Some(&new_public_key("k"))).await; // probe: client unchanged CaptchaApi::stages_captcha_partial_update
    seen.extend(patched.ok().map(|s| s.name));
    let used: Result<Vec<models::UsedBy>, Error<errors::BadRequestOrForbiddenError>> = c.stages_captcha_used_by_list(id).await; // probe: client unchanged CaptchaApi::stages_captcha_used_by_list
    seen.extend(used.ok().map(|u| read_used_by(&u).join(",")));
    let ids = c.stages_identification_list(&identification_query()).await; // probe: client unchanged IdentificationApi::stages_identification_list
    seen.extend(ids.ok().map(|p| p.results.iter().flat_map(read_identification).collect::<Vec<_>>().join(",")));
    let created = c.stages_identification_create(&new_identification(id)).await; // probe: client unchanged IdentificationApi::stages_identification_create
    seen.extend(created.ok().map(|s| s.name));
    let password = c.stages_password_update(id, &new_password()).await; // probe: client unchanged PasswordApi::stages_password_update
    seen.extend(password.ok().map(|s| format!("{:?}", read_password(&s))));
    let emails = c.stages_email_list(&email_query()).await; // probe: client unchanged EmailApi::stages_email_list
    seen.extend(emails.ok().and_then(|p| p.results.first().and_then(read_email)).map(|n| n.to_string()));
    let invitation = c.stages_invitation_invitations_retrieve(id).await; // probe: client unchanged InvitationInvitationsApi::stages_invitation_invitations_retrieve
    seen.extend(invitation.ok().map(|i| read_invitation(&i)));
    seen
}

/// What a failed call said.
pub fn explain(e: &Error<errors::BadRequestOrForbiddenError>) -> String {
    match e {
        Error::Api(errors::BadRequestOrForbiddenError::BadRequest(v)) => format!("{v:?}"), // probe: client unchanged BadRequestOrForbiddenError::BadRequest
        Error::Api(errors::BadRequestOrForbiddenError::Forbidden(g)) => g.detail.clone(),
        other => other.to_string(),
    }
}

/// A removed request type, named.
pub fn flow_set_request(f: &models::FlowSetRequest) -> String { // probe: client type-removed FlowSetRequest
    f.name.clone()
}

/// A client whose base URL is known.
pub fn connect() -> Option<Client> {
    Client::new("http://localhost:9000/api/v3", Some("token")).ok() // probe: client resource-added EndpointsApi; client operation-added EndpointsApi::stages_endpoints_list; client operation-added InvitationInvitationsApi::stages_invitation_invitations_send_email_create; client type-added ConsentModeEnum
}
