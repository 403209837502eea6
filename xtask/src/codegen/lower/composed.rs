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
        let mut fields = Vec::new();
        for Property {
            name: json_name,
            schema,
            pointer: at,
        } in properties
        {
            let hint = format!("{owner}_{json_name}");
            let lowered = self.lower_ref_or_schema(schema, &at, &hint);
            let rust_name = names.claim(naming::field_name(json_name, "field"));
            fields.push(Field {
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
            });
        }
        let additional = match additional {
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
        };
        let additional = additional.map(|ty| AdditionalField {
            rust_name: names.claim("additional_properties".to_owned()),
            ty,
        });
        Struct { fields, additional }
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

    pub(super) fn lower_enum(
        &mut self,
        values: &[Option<String>],
        pointer: &Pointer,
    ) -> StringEnum {
        let mut names = naming::Namespace::variants();
        let mut out = Vec::new();
        for value in values.iter().flatten() {
            // A value listed twice is one value.
            if out.iter().any(|v: &EnumValue| v.json == *value) {
                continue;
            }
            let fallback = if value.is_empty() { "Empty" } else { "Value" };
            let rust_name = names.claim(naming::type_name(value, fallback));
            out.push(EnumValue {
                json: value.clone(),
                rust_name,
            });
        }
        if out.is_empty() {
            self.diags.error(
                &pointer.push("enum"),
                "an enum with no string value is not supported",
            );
        }
        StringEnum { values: out }
    }

    /// A discriminated `oneOf`: a variant per tag whose schema is an object with properties.
    pub(super) fn lower_union(
        &mut self,
        d: &'a oa::Discriminator,
        one_of: &'a [oa::ReferenceOr<oa::Schema>],
        pointer: &Pointer,
    ) -> Union {
        let tags = if d.mapping.is_empty() {
            self.tags_of_variants(one_of, pointer)
        } else {
            tags_of_mapping(d, pointer)
        };
        let mut names = naming::Namespace::variants();
        let variants = tags
            .into_iter()
            .filter_map(|tag| self.lower_variant(d, tag, &mut names))
            .collect();
        Union {
            property: d.property_name.clone(),
            variants,
        }
    }

    /// Without a mapping, each variant's tag is the name its `$ref` ends in; an inline variant
    /// is reported.
    fn tags_of_variants(
        &mut self,
        one_of: &[oa::ReferenceOr<oa::Schema>],
        pointer: &Pointer,
    ) -> Vec<Tag> {
        let mut tags = Vec::new();
        for (i, v) in one_of.iter().enumerate() {
            let at = pointer.push("oneOf").push(i.to_string());
            match v {
                oa::ReferenceOr::Reference { reference } => {
                    let tag = reference.rsplit('/').next().unwrap_or(reference).to_owned();
                    tags.push(Tag {
                        tag,
                        reference: reference.clone(),
                        at,
                    });
                }
                oa::ReferenceOr::Item(_) => self
                    .diags
                    .error(&at, "a oneOf variant must be a `$ref` to an object schema"),
            }
        }
        tags
    }

    /// The variant a tag names, its model enqueued; `None` when its reference does not resolve
    /// or (reported) its schema is not an object with properties.
    fn lower_variant(
        &mut self,
        d: &oa::Discriminator,
        Tag { tag, reference, at }: Tag,
        names: &mut naming::Namespace,
    ) -> Option<UnionVariant> {
        let Resolved {
            name, item: schema, ..
        } = self.resolve(&refs::SCHEMAS, &reference, &at)?;
        // drf-spectacular's polymorphic request bodies leave the discriminator out of the
        // variant's own properties: such a variant gets the tag added when it is serialized.
        let has_property = match &schema.schema_kind {
            oa::SchemaKind::Type(oa::Type::Object(o)) if !o.properties.is_empty() => {
                o.properties.contains_key(&d.property_name)
            }
            _ => {
                self.diags.error(
                    &at,
                    format!(
                        "discriminator variant `{name}` must be an object schema with properties"
                    ),
                );
                return None;
            }
        };
        let model = self.enqueue(&name);
        let rust_name = names.claim(model.clone());
        Some(UnionVariant {
            tag,
            rust_name,
            model,
            add_tag: !has_property,
        })
    }
}

/// A union's tag, the schema reference it selects, and where it was given.
struct Tag {
    tag: String,
    reference: String,
    at: Pointer,
}

/// With a mapping, its entries in order; a bare schema name stands for a component.
fn tags_of_mapping(d: &oa::Discriminator, pointer: &Pointer) -> Vec<Tag> {
    d.mapping
        .iter()
        .map(|(tag, target)| Tag {
            tag: tag.clone(),
            reference: if target.starts_with('#') {
                target.clone()
            } else {
                format!("#/components/schemas/{target}")
            },
            at: pointer.push("discriminator").push("mapping").push(tag),
        })
        .collect()
}
