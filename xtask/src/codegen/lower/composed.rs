//! Composite schemas: objects (their properties), `allOf` merged into one struct, string enums,
//! and discriminated `oneOf` unions.

use super::refs::{self, Resolved};
use super::schemas::{nullable_wrap, properties_of, Property, RefOr};
use super::Lower;
use crate::codegen::diag::Pointer;
use crate::codegen::ir::*;
use crate::codegen::naming;
use openapiv3 as oa;

impl<'a> Lower<'a> {
    /// The struct `owner` (its Rust name) of `properties`, and of `additionalProperties`.
    pub(super) fn lower_struct(
        &mut self,
        owner: &str,
        properties: Vec<Property<'a>>,
        required: &[String],
        additional: Option<&'a oa::AdditionalProperties>,
        pointer: &Pointer,
    ) -> Struct {
        for (i, name) in required.iter().enumerate() {
            if !properties.iter().any(|p| p.name == name) {
                self.diags.error(
                    &pointer.push("required").push(i.to_string()),
                    format!("required property `{name}` is not among the properties"),
                );
            }
        }
        let mut names = naming::Namespace::default();
        let rust_names = names.settle(
            properties
                .iter()
                .map(|p| {
                    let base = naming::field_name(p.name, "field");
                    (base, self.prior.field(owner, p.name))
                })
                .collect(),
        );
        let fields = properties
            .into_iter()
            .zip(rust_names)
            .map(|(p, rust_name)| self.lower_field(owner, p, rust_name, required))
            .collect();
        let additional =
            self.additional_type(owner, additional, pointer)
                .map(|ty| AdditionalField {
                    rust_name: names.claim("additional_properties".to_owned()),
                    ty,
                });
        Struct { fields, additional }
    }

    /// One property of the struct `owner` as its field `rust_name`.
    fn lower_field(
        &mut self,
        owner: &str,
        property: Property<'a>,
        rust_name: String,
        required: &[String],
    ) -> Field {
        let Property {
            name: json_name,
            schema,
            pointer: at,
        } = property;
        let lowered = self.lower_ref_or_schema(schema, &at, &format!("{owner}_{json_name}"));
        Field {
            json_name: json_name.to_owned(),
            rust_name,
            pointer: at,
            doc: lowered.doc,
            presence: Presence::new(required.iter().any(|r| r == json_name), lowered.nullable),
            ty: lowered.ty,
            read_only: lowered.read_only,
            write_only: lowered.write_only,
            deprecated: lowered.deprecated,
            constraints: lowered.constraints,
            boxed: false,
        }
    }

    /// The type of the values `additionalProperties` allows beside the properties, if any.
    fn additional_type(
        &mut self,
        owner: &str,
        additional: Option<&'a oa::AdditionalProperties>,
        pointer: &Pointer,
    ) -> Option<Type> {
        match additional {
            None | Some(oa::AdditionalProperties::Any(false)) => None,
            Some(oa::AdditionalProperties::Any(true)) => Some(Type::Any),
            Some(oa::AdditionalProperties::Schema(s)) => {
                let at = pointer.push("additionalProperties");
                let lowered = self.lower_ref_or_schema(
                    RefOr::from_unboxed(s),
                    &at,
                    &format!("{owner}_value"),
                );
                Some(nullable_wrap(lowered))
            }
        }
    }

    pub(super) fn lower_all_of(
        &mut self,
        owner: &str,
        parts: &'a [oa::ReferenceOr<oa::Schema>],
        pointer: &Pointer,
    ) -> Struct {
        let mut properties: Vec<Property<'a>> = Vec::new();
        let mut required = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            let at = pointer.push("allOf").push(i.to_string());
            let (schema, schema_at) = match part {
                oa::ReferenceOr::Item(s) => (s, at.clone()),
                oa::ReferenceOr::Reference { reference } => {
                    match self.resolve(&refs::SCHEMAS, reference, &at) {
                        Some(Resolved { item, pointer, .. }) => (item, pointer),
                        None => continue,
                    }
                }
            };
            match &schema.schema_kind {
                oa::SchemaKind::Type(oa::Type::Object(o)) => {
                    for p in properties_of(&o.properties, &schema_at) {
                        // A later part redefines a property an earlier one had.
                        properties.retain(|q| q.name != p.name);
                        properties.push(p);
                    }
                    required.extend(o.required.iter().cloned());
                }
                _ => self.diags.error(
                    &at,
                    "allOf of more than one schema is supported only when each is an object",
                ),
            }
        }
        required.sort();
        required.dedup();
        self.lower_struct(owner, properties, &required, None, pointer)
    }

    /// The string enum `owner` (its Rust name) of `values`.
    pub(super) fn lower_enum(
        &mut self,
        owner: &str,
        values: &[Option<String>],
        pointer: &Pointer,
    ) -> StringEnum {
        let mut distinct: Vec<&String> = Vec::new();
        for value in values.iter().flatten() {
            // A value listed twice is one value.
            if !distinct.contains(&value) {
                distinct.push(value);
            }
        }
        let rust_names = naming::Namespace::variants().settle(
            distinct
                .iter()
                .map(|value| {
                    let fallback = if value.is_empty() { "Empty" } else { "Value" };
                    let base = naming::type_name(value, fallback);
                    (base, self.prior.value(owner, value))
                })
                .collect(),
        );
        let out: Vec<EnumValue> = distinct
            .into_iter()
            .zip(rust_names)
            .map(|(json, rust_name)| EnumValue {
                json: json.clone(),
                rust_name,
            })
            .collect();
        if out.is_empty() {
            self.diags.error(
                &pointer.push("enum"),
                "an enum with no string value is not supported",
            );
        }
        StringEnum { values: out }
    }

    /// The discriminated union `owner` (its Rust name): each tag's variant holds the model its
    /// schema reference names.
    pub(super) fn lower_union(
        &mut self,
        owner: &str,
        d: &'a oa::Discriminator,
        one_of: &'a [oa::ReferenceOr<oa::Schema>],
        pointer: &Pointer,
    ) -> Union {
        let resolved: Vec<(String, String, bool)> = self
            .union_tags(d, one_of, pointer)
            .into_iter()
            .filter_map(|(tag, reference, at)| {
                let (model, add_tag) = self.union_variant(d, &reference, &at)?;
                Some((tag, model, add_tag))
            })
            .collect();
        let rust_names = naming::Namespace::variants().settle(
            resolved
                .iter()
                .map(|(tag, model, _)| (model.clone(), self.prior.variant(owner, tag)))
                .collect(),
        );
        let variants = resolved
            .into_iter()
            .zip(rust_names)
            .map(|((tag, model, add_tag), rust_name)| UnionVariant {
                tag,
                rust_name,
                model,
                add_tag,
            })
            .collect();
        Union {
            property: d.property_name.clone(),
            variants,
        }
    }

    /// Tag → schema reference, with where each is said: the mapping when given, else each
    /// variant's own name.
    fn union_tags(
        &mut self,
        d: &'a oa::Discriminator,
        one_of: &'a [oa::ReferenceOr<oa::Schema>],
        pointer: &Pointer,
    ) -> Vec<(String, String, Pointer)> {
        let mut tags = Vec::new();
        if d.mapping.is_empty() {
            for (i, v) in one_of.iter().enumerate() {
                let at = pointer.push("oneOf").push(i.to_string());
                match v {
                    oa::ReferenceOr::Reference { reference } => {
                        let tag = reference.rsplit('/').next().unwrap_or(reference).to_owned();
                        tags.push((tag, reference.clone(), at));
                    }
                    oa::ReferenceOr::Item(_) => self
                        .diags
                        .error(&at, "a oneOf variant must be a `$ref` to an object schema"),
                }
            }
        } else {
            for (tag, target) in &d.mapping {
                let reference = if target.starts_with('#') {
                    target.clone()
                } else {
                    format!("#/components/schemas/{target}")
                };
                tags.push((
                    tag.clone(),
                    reference,
                    pointer.push("discriminator").push("mapping").push(tag),
                ));
            }
        }
        tags
    }

    /// The model a variant's reference names, and whether the variant gets the tag added when
    /// it is serialized; `None`, reported, when it is not an object schema.
    fn union_variant(
        &mut self,
        d: &'a oa::Discriminator,
        reference: &str,
        at: &Pointer,
    ) -> Option<(String, bool)> {
        let Resolved {
            name, item: schema, ..
        } = self.resolve(&refs::SCHEMAS, reference, at)?;
        // drf-spectacular's polymorphic request bodies leave the discriminator out of the
        // variant's own properties: such a variant gets the tag added when it is serialized.
        let has_property = match &schema.schema_kind {
            oa::SchemaKind::Type(oa::Type::Object(o)) if !o.properties.is_empty() => {
                o.properties.contains_key(&d.property_name)
            }
            _ => {
                self.diags.error(
                    at,
                    format!(
                        "discriminator variant `{name}` must be an object schema with properties"
                    ),
                );
                return None;
            }
        };
        Some((self.enqueue(&name), !has_property))
    }
}
