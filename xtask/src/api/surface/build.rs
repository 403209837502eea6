//! IR → surface: each resource, operation, model and field of the IR, in Rust terms.

use super::*;
use crate::codegen::ir;

impl Surface {
    /// The surface of a lowered API; `schema_label` names the schema in the `@generated` marker.
    pub fn from_api(api: &ir::Api, schema_label: &str, paths: &str) -> Surface {
        let mut resources = BTreeMap::new();
        for r in &api.resources {
            let operations = r
                .operations
                .iter()
                .filter_map(|&i| api.operations.get(i))
                .map(|op| (op.rust_name.clone(), operation(op)))
                .collect();
            resources.insert(
                r.module.clone(),
                Resource {
                    trait_name: r.trait_name.clone(),
                    operations,
                },
            );
        }
        let types = api
            .models
            .values()
            .map(|m| (m.rust_name.clone(), type_def(m)))
            .collect();
        Surface {
            generated: format!("by cargo xtask codegen from {schema_label}; do not edit."),
            format: FORMAT,
            title: api.title.clone(),
            version: api.version.clone(),
            paths: paths.to_owned(),
            resources,
            types,
        }
    }
}

fn operation(op: &ir::Operation) -> Operation {
    let has_query = op
        .params
        .iter()
        .any(|p| p.location == ir::ParamLocation::Query);
    let successes = op.responses.iter().filter(|r| r.success.is_some()).count();
    Operation {
        operation_id: op.operation_id.clone(),
        method: op.method.as_str().to_owned(),
        path: op.path.text.clone(),
        pointer: op.pointer.to_string(),
        deprecated: op.deprecated,
        rust_types: OperationTypes {
            request: op.names.request.clone(),
            response: op.names.response.clone(),
            error: op.names.error.clone(),
            success: (successes > 1).then(|| op.names.success.clone()),
            query: has_query.then(|| op.names.query.clone()),
        },
        stream: op.names.all.clone(),
        params: op.params.iter().map(param).collect(),
        body: op.body.as_ref().map(|b| Body {
            content_type: b.content_type.clone(),
            ty: match b.kind {
                ir::BodyKind::Json => rust_type(&b.ty),
                ir::BodyKind::Multipart | ir::BodyKind::Form => "Vec<u8>".to_owned(),
            },
            required: b.required,
            pointer: b.pointer.to_string(),
        }),
        responses: op
            .responses
            .iter()
            .map(|r| Response {
                status: match r.status {
                    ir::Status::Code(n) => n.to_string(),
                    ir::Status::Default => "default".to_owned(),
                },
                variant: r.variant.clone(),
                success: r.success.is_some(),
                ty: match &r.body {
                    ir::ResponseBody::None => None,
                    ir::ResponseBody::Json(t) => Some(rust_type(t)),
                    ir::ResponseBody::Other(_) => Some("Vec<u8>".to_owned()),
                },
                pointer: r.pointer.to_string(),
            })
            .collect(),
    }
}

fn param(p: &ir::Param) -> Param {
    let value = match &p.value {
        ir::ParamValue::String => "String".to_owned(),
        other => rust_type(&other.ty()),
    };
    let value = if p.many {
        format!("Vec<{value}>")
    } else {
        value
    };
    let ty = if p.required || p.location == ir::ParamLocation::Path {
        value
    } else {
        format!("Option<{value}>")
    };
    Param {
        name: p.name.clone(),
        rust: p.rust_name.clone(),
        location: match p.location {
            ir::ParamLocation::Path => Location::Path,
            ir::ParamLocation::Query => Location::Query,
        },
        ty,
        required: p.required,
        constraints: constraints(&p.constraints),
        pointer: p.pointer.to_string(),
    }
}

fn type_def(m: &ir::Model) -> TypeDef {
    let shape = match &m.kind {
        ir::ModelKind::Struct(s) => Shape::Struct(StructDef {
            default: s.fields.iter().all(|f| {
                matches!(
                    f.presence,
                    ir::Presence::Optional | ir::Presence::OptionalNullable
                )
            }),
            fields: s.fields.iter().map(field).collect(),
            additional: s.additional.as_ref().map(|a| rust_type(&a.ty)),
        }),
        ir::ModelKind::Enum(e) => Shape::Enum(EnumDef {
            values: e
                .values
                .iter()
                .map(|v| EnumValue {
                    json: v.json.clone(),
                    rust: v.rust_name.clone(),
                })
                .collect(),
        }),
        ir::ModelKind::Union(u) => Shape::Union(UnionDef {
            property: u.property.clone(),
            variants: u
                .variants
                .iter()
                .map(|v| UnionVariant {
                    tag: v.tag.clone(),
                    rust: v.rust_name.clone(),
                    model: v.model.clone(),
                })
                .collect(),
        }),
        ir::ModelKind::Alias(ty, c) => Shape::Alias(AliasDef {
            ty: rust_type(ty),
            constraints: constraints(c),
        }),
    };
    TypeDef {
        schema: m.name.clone(),
        pointer: m.pointer.to_string(),
        shape,
    }
}

fn field(f: &ir::Field) -> Field {
    let mut ty = rust_type(&f.ty);
    if f.boxed {
        ty = format!("Box<{ty}>");
    }
    let (required, nullable) = match f.presence {
        ir::Presence::Required => (true, false),
        ir::Presence::RequiredNullable => (true, true),
        ir::Presence::Optional => (false, false),
        ir::Presence::OptionalNullable => (false, true),
    };
    let ty = match f.presence {
        ir::Presence::Required => ty,
        ir::Presence::RequiredNullable | ir::Presence::Optional => format!("Option<{ty}>"),
        ir::Presence::OptionalNullable => format!("Maybe<{ty}>"),
    };
    Field {
        json: f.json_name.clone(),
        rust: f.rust_name.clone(),
        ty,
        required,
        nullable,
        read_only: f.read_only,
        write_only: f.write_only,
        deprecated: f.deprecated,
        constraints: constraints(&f.constraints),
        pointer: f.pointer.to_string(),
    }
}

fn constraints(c: &ir::Constraints) -> Constraints {
    let limit = |b: &Option<(ir::Bound, bool)>| {
        b.map(|(bound, exclusive)| Limit {
            value: match bound {
                ir::Bound::Int(n) => n.into(),
                // `load` refuses non-finite numbers, so there is always a number here.
                ir::Bound::Float(x) => serde_json::Number::from_f64(x).unwrap_or_else(|| 0.into()),
            },
            exclusive,
        })
    };
    Constraints {
        min_length: c.min_length.map(|n| n as u64),
        max_length: c.max_length.map(|n| n as u64),
        pattern: c.pattern.clone(),
        minimum: limit(&c.minimum),
        maximum: limit(&c.maximum),
        min_items: c.min_items.map(|n| n as u64),
        max_items: c.max_items.map(|n| n as u64),
        email: c.email,
        items: c.items.as_deref().map(|i| Box::new(constraints(i))),
    }
}

/// A type as a person writes it in code that uses the models crate (`Vec<FlowSetRequest>`).
pub fn rust_type(ty: &ir::Type) -> String {
    match ty {
        ir::Type::String => "String".to_owned(),
        ir::Type::Uuid => "Uuid".to_owned(),
        ir::Type::DateTime => "DateTime<FixedOffset>".to_owned(),
        ir::Type::Date => "NaiveDate".to_owned(),
        ir::Type::Binary => "Binary".to_owned(),
        ir::Type::Integer { bits: 32 } => "i32".to_owned(),
        ir::Type::Integer { .. } => "i64".to_owned(),
        ir::Type::Number => "f64".to_owned(),
        ir::Type::Boolean => "bool".to_owned(),
        ir::Type::Any => "Value".to_owned(),
        ir::Type::Named(name) => name.clone(),
        ir::Type::Array(inner) => format!("Vec<{}>", rust_type(inner)),
        ir::Type::Map(inner) => format!("BTreeMap<String, {}>", rust_type(inner)),
        ir::Type::Nullable(inner) => format!("Option<{}>", rust_type(inner)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::lower;

    const SCHEMA: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /stages/a/{id}/:\n    patch:\n      operationId: stages_a_partial_update\n      parameters:\n      - {name: id, in: path, required: true, schema: {type: integer}}\n      - {name: tags, in: query, schema: {type: array, items: {type: string}}}\n      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}\n      responses:\n        '200': {description: '', content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}\n        '204': {description: ''}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        id: {type: integer, format: int32, readOnly: true, maximum: 10, exclusiveMaximum: true}\n        note: {type: string, nullable: true, maxLength: 5}\n        kind: {type: string, enum: [x, y]}\n        list: {type: array, items: {type: string, minLength: 1}, nullable: true}\n      required: [id, list]\n";

    fn surface() -> Surface {
        let api = lower::lower_text(SCHEMA, "/stages/");
        Surface::from_api(&api, "a.yaml", "/stages/")
    }

    #[test]
    fn fields_params_and_responses_are_in_rust_terms_with_pointers() {
        let s = surface();
        let Shape::Struct(a) = &s.types["A"].shape else {
            panic!("{:?}", s.types["A"]);
        };
        assert!(!a.default);
        let field = |name: &str| a.fields.iter().find(|f| f.json == name).unwrap();
        assert_eq!(field("id").ty, "i32");
        assert!(field("id").read_only);
        assert_eq!(field("note").ty, "Maybe<String>");
        assert_eq!(field("note").base(), "String");
        assert_eq!(field("list").ty, "Option<Vec<String>>");
        assert_eq!(field("list").base(), "Vec<String>");
        assert_eq!(
            field("note").pointer,
            "#/components/schemas/A/properties/note"
        );
        let Some(items) = &field("list").constraints.items else {
            panic!("no item constraints");
        };
        assert_eq!(items.min_length, Some(1));
        let op = &s.resources["a"].operations["stages_a_partial_update"];
        assert_eq!(op.pointer, "#/paths/~1stages~1a~1{id}~1/patch");
        assert_eq!(op.params[0].ty, "i64");
        assert_eq!(op.params[1].ty, "Option<Vec<String>>");
        assert_eq!(
            op.rust_types.success.as_deref(),
            Some("StagesAPartialUpdateSuccess")
        );
        assert!(op.body.as_ref().is_some_and(|b| !b.required && b.ty == "A"));
        assert_eq!(op.responses[1].ty, None);
    }

    #[test]
    fn a_manifest_reads_back_as_the_surface_it_was_written_from() {
        let s = surface();
        let text = s.to_json();
        assert!(text.starts_with("{\n  \"@generated\": \"by cargo xtask codegen from a.yaml; do not edit.\",\n  \"format\": 1,"), "{text}");
        assert_eq!(Surface::from_json(&text), Ok(s));
        assert!(Surface::from_json("{\"format\": 99}")
            .unwrap_err()
            .contains("format 99"));
        let broken = text.replace("\"required\": true", "\"required\": 1");
        assert!(Surface::from_json(&broken)
            .unwrap_err()
            .contains("required"));
    }
}
