//! The generated models against the seed documents' examples and authentik's behaviour:
//! round trips, the three PATCH states, unknown enum values, validation and redaction.

use authentik_models::support::{FieldError, Maybe, ValidationErrors};
use authentik_models::*;
use serde_json::{json, Value};

/// Decodes `body` as `T`, encodes it again, and checks nothing was lost or added.
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(body: &Value) -> T {
    let decoded: T = serde_json::from_value(body.clone()).expect("decodes");
    let encoded = serde_json::to_value(&decoded).expect("encodes");
    assert_eq!(&encoded, body, "re-encoding changed the body");
    decoded
}

/// The `flow_set` item of the seeds' 200/201 examples (seed 001 and 003).
fn seed_flow_set_item() -> Value {
    json!({
        "pk": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "policybindingmodel_ptr_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "name": "string",
        "slug": "string",
        "title": "string",
        "designation": "authentication",
        "background": "string",
        "policy_engine_mode": "all",
        "compatibility_mode": true,
        "export_url": "string",
        "layout": "stacked",
        "denied_action": "message_continue"
    })
}

#[test]
fn seed_captcha_stage_201_body_round_trips() {
    let body = json!({
        "pk": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "name": "string",
        "component": "string",
        "verbose_name": "string",
        "verbose_name_plural": "string",
        "meta_model_name": "string",
        "flow_set": [seed_flow_set_item()],
        "public_key": "string",
        "js_url": "string",
        "api_url": "string",
        "score_min_threshold": 0,
        "score_max_threshold": 0,
        "error_on_invalid_score": true
    });
    // `0` and `0.0` are the same JSON number once decoded; compare through f64.
    let stage: CaptchaStage = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(stage.pk.to_string(), "3fa85f64-5717-4562-b3fc-2c963f66afa6");
    assert_eq!(stage.score_min_threshold, Some(0.0));
    let flow = &stage.flow_set.as_ref().unwrap()[0];
    assert_eq!(flow.designation, FlowDesignationEnum::Authentication);
    assert_eq!(flow.layout, Some(FlowLayoutEnum::Stacked));
    assert_eq!(flow.denied_action, Some(DeniedActionEnum::MessageContinue));
    let again: CaptchaStage =
        serde_json::from_value(serde_json::to_value(&stage).unwrap()).unwrap();
    assert_eq!(again, stage);
    let mut encoded = serde_json::to_value(&stage).unwrap();
    encoded["score_min_threshold"] = json!(0);
    encoded["score_max_threshold"] = json!(0);
    assert_eq!(encoded, body);
}

#[test]
fn seed_identification_stage_200_body_round_trips() {
    let body = json!({
        "pk": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "name": "string",
        "component": "string",
        "verbose_name": "string",
        "verbose_name_plural": "string",
        "meta_model_name": "string",
        "flow_set": [seed_flow_set_item()],
        "user_fields": ["email"],
        "password_stage": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "case_insensitive_matching": true,
        "show_matched_user": true,
        "enrollment_flow": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "recovery_flow": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "passwordless_flow": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "sources": ["3fa85f64-5717-4562-b3fc-2c963f66afa6"],
        "show_source_labels": true,
        "pretend_user_exists": true
    });
    let stage: IdentificationStage = round_trip(&body);
    assert_eq!(stage.user_fields, Some(vec![UserFieldsEnum::Email]));
    assert!(matches!(stage.password_stage, Maybe::Value(_)));
    // A response with the nullable references cleared keeps the nulls.
    let mut cleared = body.clone();
    cleared["password_stage"] = Value::Null;
    let stage: IdentificationStage = round_trip(&cleared);
    assert_eq!(stage.password_stage, Maybe::Null);
}

#[test]
fn seed_flow_set_items_round_trip() {
    let item: FlowSet = round_trip(&seed_flow_set_item());
    assert_eq!(item.slug, "string");
    let request = json!({
        "name": "string",
        "slug": "string",
        "title": "string",
        "designation": "authentication",
        "policy_engine_mode": "all",
        "compatibility_mode": true,
        "layout": "stacked",
        "denied_action": "message_continue"
    });
    let item: FlowSetRequest = round_trip(&request);
    assert_eq!(item.policy_engine_mode, Some(PolicyEngineMode::All));
}

#[test]
fn seed_request_bodies_round_trip() {
    let create = json!({
        "name": "string",
        "flow_set": [{
            "name": "string", "slug": "string", "title": "string",
            "designation": "authentication", "policy_engine_mode": "all",
            "compatibility_mode": true, "layout": "stacked", "denied_action": "message_continue"
        }],
        "public_key": "string",
        "private_key": "string",
        "js_url": "string",
        "api_url": "string",
        "interactive": true,
        "score_min_threshold": 0.5,
        // A whole number goes out as authentik writes it: `1`, not `1.0`.
        "score_max_threshold": 1,
        "error_on_invalid_score": true
    });
    let request: CaptchaStageRequest = round_trip(&create);
    assert_eq!(request.score_max_threshold, Some(1.0));
    assert_eq!(request.private_key, "string");
    assert!(request.validate().is_ok());
    let _: PatchedCaptchaStageRequest = round_trip(&create);
}

#[test]
fn seed_error_bodies_round_trip() {
    let validation: ValidationError =
        round_trip(&json!({"non_field_errors": ["string"], "code": "string"}));
    assert_eq!(validation.non_field_errors, Some(vec!["string".to_owned()]));
    assert_eq!(validation.code.as_deref(), Some("string"));
    let generic: GenericError = round_trip(&json!({"detail": "string", "code": "string"}));
    assert_eq!(generic.detail, "string");
    let generic: GenericError =
        round_trip(&json!({"detail": "Authentication credentials were not provided."}));
    assert_eq!(generic.code, None);
}

#[test]
fn validation_error_keeps_per_field_messages() {
    let body = json!({
        "name": ["This field may not be blank."],
        "flow_set": [{}, {"slug": ["Ensure this field has no more than 50 characters."]}],
        "non_field_errors": ["Invalid data."]
    });
    let error: ValidationError = round_trip(&body);
    assert_eq!(
        error.additional_properties["name"],
        json!(["This field may not be blank."])
    );
    assert_eq!(
        error.additional_properties["flow_set"][1]["slug"][0],
        json!("Ensure this field has no more than 50 characters.")
    );
    assert_eq!(
        error.non_field_errors,
        Some(vec!["Invalid data.".to_owned()])
    );
    // The same body is what `validate()` errors serialize to, so client and server agree.
    let errors: ValidationErrors = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(errors.to_json(), body);
}

#[test]
fn patch_keeps_three_states_for_nullable_fields() {
    let stage = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
        .parse::<uuid::Uuid>()
        .unwrap();
    let cases = [
        (Maybe::Absent, json!({})),
        (Maybe::Null, json!({"password_stage": null})),
        (
            Maybe::Value(stage),
            json!({"password_stage": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}),
        ),
    ];
    for (state, body) in cases {
        let patch = PatchedIdentificationStageRequest {
            password_stage: state,
            ..Default::default()
        };
        assert_eq!(serde_json::to_value(&patch).unwrap(), body);
        let decoded: PatchedIdentificationStageRequest = serde_json::from_value(body).unwrap();
        assert_eq!(decoded, patch);
    }
}

#[test]
fn patch_sends_an_empty_list_only_when_set() {
    let unset = PatchedIdentificationStageRequest::default();
    assert_eq!(serde_json::to_value(&unset).unwrap(), json!({}));
    let cleared = PatchedIdentificationStageRequest {
        sources: Some(vec![]),
        user_fields: Some(vec![]),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&cleared).unwrap(),
        json!({"sources": [], "user_fields": []})
    );
    let decoded: PatchedIdentificationStageRequest =
        serde_json::from_value(json!({"sources": []})).unwrap();
    assert_eq!(decoded.sources, Some(vec![]));
}

#[test]
fn unknown_enum_values_decode_and_keep_their_text() {
    let mut item = seed_flow_set_item();
    item["designation"] = json!("time_travel");
    item["layout"] = json!("upside_down");
    let flow: FlowSet = round_trip(&item);
    assert_eq!(
        flow.designation,
        FlowDesignationEnum::Unknown("time_travel".to_owned())
    );
    assert_eq!(flow.designation.as_str(), "time_travel");
    assert_eq!(
        flow.layout.as_ref().and_then(|l| l.unknown()),
        Some("upside_down")
    );
    assert_eq!(
        "stacked".parse::<FlowLayoutEnum>().unwrap(),
        FlowLayoutEnum::Stacked
    );
    assert_eq!(FlowLayoutEnum::SidebarRight.to_string(), "sidebar_right");
    assert!(FlowDesignationEnum::VALUES.contains(&"stage_configuration"));
}

#[test]
fn unknown_fields_are_ignored() {
    let mut item = seed_flow_set_item();
    item["added_in_a_later_version"] = json!({"x": 1});
    let flow: FlowSet = serde_json::from_value(item).unwrap();
    assert_eq!(flow.name, "string");
}

fn flow_set_request(slug: &str) -> FlowSetRequest {
    FlowSetRequest {
        name: "Flow".into(),
        slug: slug.into(),
        title: "Title".into(),
        designation: FlowDesignationEnum::Authentication,
        policy_engine_mode: None,
        compatibility_mode: None,
        layout: None,
        denied_action: None,
    }
}

fn captcha_request() -> CaptchaStageRequest {
    CaptchaStageRequest {
        name: "captcha".into(),
        flow_set: None,
        public_key: "public".into(),
        private_key: "very-secret-private-key".into(),
        js_url: None,
        api_url: None,
        interactive: None,
        score_min_threshold: None,
        score_max_threshold: None,
        error_on_invalid_score: None,
    }
}

#[test]
fn validate_reports_every_failing_field_like_authentik() {
    let mut request = captcha_request();
    request.name = String::new();
    request.public_key = "   ".into();
    request.js_url = Some(String::new());
    let errors = request.validate().unwrap_err();
    assert_eq!(
        errors.to_json(),
        json!({
            "name": ["This field may not be blank."],
            "public_key": ["This field may not be blank."],
            "js_url": ["This field may not be blank."]
        })
    );
    assert_eq!(errors.messages("name"), ["This field may not be blank."]);
}

#[test]
fn validate_nests_errors_of_list_items_one_entry_per_item() {
    let mut request = captcha_request();
    let long = "a".repeat(51);
    let mut bad_designation = flow_set_request("ok");
    bad_designation.designation = FlowDesignationEnum::from("time_travel");
    request.flow_set = Some(vec![
        flow_set_request("valid-slug_1"),
        flow_set_request(&long),
        flow_set_request("not a slug!"),
        bad_designation,
    ]);
    let errors = request.validate().unwrap_err();
    assert_eq!(
        errors.to_json(),
        json!({"flow_set": [
            {},
            {"slug": ["Ensure this field has no more than 50 characters."]},
            {"slug": ["Enter a valid \"slug\" consisting of letters, numbers, underscores or hyphens."]},
            {"designation": ["\"time_travel\" is not a valid choice."]}
        ]})
    );
    match errors.get("flow_set") {
        Some(FieldError::Items(items)) => assert_eq!(items.len(), 4),
        other => panic!("expected per-item errors, got {other:?}"),
    }
    assert!(errors
        .to_string()
        .contains("flow_set[1].slug: Ensure this field has no more than 50 characters."));
}

#[test]
fn validate_accepts_valid_bodies_and_checks_patches_only_where_set() {
    let mut request = captcha_request();
    request.flow_set = Some(vec![flow_set_request("a-slug")]);
    assert_eq!(request.validate(), Ok(()));
    assert_eq!(PatchedCaptchaStageRequest::default().validate(), Ok(()));
    let patch = PatchedCaptchaStageRequest {
        name: Some(String::new()),
        ..Default::default()
    };
    assert_eq!(
        patch.validate().unwrap_err().to_json(),
        json!({"name": ["This field may not be blank."]})
    );
}

#[test]
fn write_only_secrets_are_redacted_in_debug_but_sent_in_requests() {
    let request = captcha_request();
    let debug = format!("{request:?}");
    assert!(!debug.contains("very-secret-private-key"), "{debug}");
    assert!(debug.contains("private_key: <redacted>"), "{debug}");
    assert!(debug.contains("public_key: \"public\""), "{debug}");
    let pretty = format!("{request:#?}");
    assert!(!pretty.contains("very-secret-private-key"));
    let sent = serde_json::to_value(&request).unwrap();
    assert_eq!(sent["private_key"], "very-secret-private-key");

    let patch = PatchedCaptchaStageRequest {
        private_key: Some("another-secret".into()),
        ..Default::default()
    };
    let debug = format!("{patch:?}");
    assert!(!debug.contains("another-secret"), "{debug}");
    assert!(debug.contains("private_key: Some(<redacted>)"), "{debug}");
}

#[test]
fn null_is_refused_where_the_schema_does_not_allow_it() {
    // Optional but not nullable: absent is fine, null is not.
    let ok: Result<PatchedCaptchaStageRequest, _> = serde_json::from_value(json!({}));
    assert!(ok.is_ok());
    let err = serde_json::from_value::<PatchedCaptchaStageRequest>(
        json!({"error_on_invalid_score": null}),
    )
    .unwrap_err();
    assert!(err.to_string().contains("invalid type: null"), "{err}");
    // Optional and nullable: null is a value of its own.
    let patch: PatchedIdentificationStageRequest =
        serde_json::from_value(json!({"password_stage": null})).unwrap();
    assert_eq!(patch.password_stage, Maybe::Null);
}
