//! Pass 2, lower: `openapiv3::OpenAPI` → [`ir::Api`](super::ir::Api).
//!
//! Selects the operations under a path prefix, resolves every `$ref` once, and turns each schema
//! those operations reach into a [`Model`] or an inline [`Type`]. Problems go to a
//! [`Diagnostics`] sink with the JSON pointer they were found at; lowering goes on, so one run
//! reports every problem, and the caller emits nothing when any was found.

use super::diag::{Diagnostic, Diagnostics, Pointer};
use super::ir::*;
use super::naming;
use openapiv3 as oa;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// What to select from the document.
#[derive(Clone, Debug)]
pub struct Selection {
    /// Only paths that start with this prefix (`/stages/`; `/` for all).
    pub path_prefix: String,
}

/// Lowers the operations `selection` picks, and everything they reach, into the IR.
pub fn lower(doc: &oa::OpenAPI, selection: &Selection) -> Result<Api, Vec<Diagnostic>> {
    let mut cx = Lower::new(doc);
    let mut operations = Vec::new();
    let mut operation_ids = BTreeMap::new();
    let mut method_names = BTreeSet::new();
    let paths: Vec<&str> = doc
        .paths
        .paths
        .keys()
        .map(String::as_str)
        .filter(|p| p.starts_with(&selection.path_prefix))
        .collect();
    for (path, item) in &doc.paths.paths {
        if !path.starts_with(&selection.path_prefix) {
            continue;
        }
        let pointer = Pointer::root().push("paths").push(path);
        let item = match item {
            oa::ReferenceOr::Item(item) => item,
            oa::ReferenceOr::Reference { .. } => {
                cx.diags
                    .error(&pointer, "a `$ref` path item is not supported");
                continue;
            }
        };
        let resource = resource_of(path, &selection.path_prefix, &paths);
        for (method, op) in item.iter() {
            let op_pointer = pointer.push(method);
            if let Some(op) = cx.lower_operation(path, method, op, item, &op_pointer, &resource) {
                if let Some(first) =
                    operation_ids.insert(op.operation_id.clone(), op_pointer.clone())
                {
                    cx.diags.error(
                        &op_pointer.push("operationId"),
                        format!(
                            "operationId `{}` is already used at {first}",
                            op.operation_id
                        ),
                    );
                }
                let mut op = op;
                op.rust_name = naming::unique(op.rust_name, &mut method_names);
                operations.push(op);
            }
        }
    }
    cx.drain_components();
    cx.diags.finish()?;
    let base_path = doc
        .servers
        .first()
        .map(|s| base_path_of(&s.url))
        .unwrap_or_default();
    let component_models = cx.component_count;
    Ok(Api {
        title: doc.info.title.clone(),
        version: doc.info.version.clone(),
        base_path,
        models: cx.models,
        operations,
        component_models,
    })
}

/// `/api/v3/` or `https://host/api/v3` → `/api/v3`.
fn base_path_of(url: &str) -> String {
    let without_scheme = match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            rest.find('/').map(|j| &rest[j..]).unwrap_or("")
        }
        None => url,
    };
    without_scheme.trim_end_matches('/').to_owned()
}

/// The resource a path belongs to: the fixed segments after the prefix, up to the first
/// template segment (`/stages/captcha/{stage_uuid}/used_by/` → `captcha`). A trailing action on a
/// collection (`/stages/all/types/` next to `/stages/all/{stage_uuid}/`) joins the collection.
pub fn resource_of(path: &str, prefix: &str, all_paths: &[&str]) -> String {
    let rest = path.strip_prefix(prefix).unwrap_or(path);
    let fixed: Vec<&str> = rest
        .split('/')
        .filter(|s| !s.is_empty())
        .take_while(|s| !s.starts_with('{'))
        .collect();
    let is_collection = |segments: &[&str]| {
        let base = format!("{}{}/{{", prefix, segments.join("/"));
        all_paths.iter().any(|p| p.starts_with(&base))
    };
    let chosen: &[&str] =
        if fixed.len() > 1 && !is_collection(&fixed) && is_collection(&fixed[..fixed.len() - 1]) {
            &fixed[..fixed.len() - 1]
        } else {
            &fixed
        };
    let name = naming::field_name(&chosen.join("_"), "root");
    if name.is_empty() {
        "root".to_owned()
    } else {
        name
    }
}

/// A schema as it stands at a use site, before it becomes a field or a parameter.
struct Lowered {
    ty: Type,
    nullable: bool,
    read_only: bool,
    write_only: bool,
    deprecated: bool,
    doc: Option<String>,
    constraints: Constraints,
}

impl Lowered {
    fn plain(ty: Type) -> Self {
        Lowered {
            ty,
            nullable: false,
            read_only: false,
            write_only: false,
            deprecated: false,
            doc: None,
            constraints: Constraints::default(),
        }
    }
}

struct Lower<'a> {
    doc: &'a oa::OpenAPI,
    diags: Diagnostics,
    models: BTreeMap<String, Model>,
    /// Component schema name → Rust name, fixed up front so names do not depend on visit order.
    component_names: BTreeMap<String, String>,
    taken: BTreeSet<String>,
    queued: BTreeSet<String>,
    queue: VecDeque<String>,
    component_count: usize,
    /// Component aliases being inlined, to refuse an alias that contains itself.
    inlining: Vec<String>,
}

impl<'a> Lower<'a> {
    fn new(doc: &'a oa::OpenAPI) -> Self {
        let mut taken = BTreeSet::new();
        let mut component_names = BTreeMap::new();
        if let Some(components) = &doc.components {
            for name in components.schemas.keys() {
                let rust = naming::unique(naming::type_name(name, "Schema"), &mut taken);
                component_names.insert(name.clone(), rust);
            }
        }
        Lower {
            doc,
            diags: Diagnostics::default(),
            models: BTreeMap::new(),
            component_names,
            taken,
            queued: BTreeSet::new(),
            queue: VecDeque::new(),
            component_count: 0,
            inlining: Vec::new(),
        }
    }

    fn component_schema(&self, name: &str) -> Option<&'a oa::ReferenceOr<oa::Schema>> {
        self.doc.components.as_ref()?.schemas.get(name)
    }

    /// Resolves a schema `$ref` to the component's name and schema, following `$ref` chains.
    fn resolve_schema_ref(
        &mut self,
        reference: &str,
        at: &Pointer,
    ) -> Option<(String, &'a oa::Schema)> {
        let mut reference = reference.to_owned();
        for _ in 0..32 {
            let name = match reference.strip_prefix("#/components/schemas/") {
                Some(name) if !name.contains('/') => unescape(name),
                _ => {
                    self.diags.error(
                        at,
                        format!("`$ref: {reference}` is not supported: only references to `#/components/schemas/<name>` are"),
                    );
                    return None;
                }
            };
            match self.component_schema(&name) {
                Some(oa::ReferenceOr::Item(schema)) => return Some((name, schema)),
                Some(oa::ReferenceOr::Reference { reference: next }) => reference = next.clone(),
                None => {
                    self.diags
                        .error(at, format!("`$ref: {reference}` points at no schema"));
                    return None;
                }
            }
        }
        self.diags
            .error(at, format!("`$ref: {reference}` is a reference cycle"));
        None
    }

    fn enqueue(&mut self, name: &str) -> String {
        if self.queued.insert(name.to_owned()) {
            self.queue.push_back(name.to_owned());
        }
        self.component_names
            .get(name)
            .cloned()
            .unwrap_or_else(|| naming::type_name(name, "Schema"))
    }

    /// Lowers every component the operations reached, and every component those reach.
    fn drain_components(&mut self) {
        while let Some(name) = self.queue.pop_front() {
            let Some(oa::ReferenceOr::Item(schema)) = self.component_schema(&name) else {
                continue;
            };
            let pointer = Pointer::root()
                .push("components")
                .push("schemas")
                .push(&name);
            let rust_name = self.component_names[&name].clone();
            self.component_count += 1;
            self.lower_model(&name, rust_name, schema, &pointer);
        }
    }

    /// Is this schema a type of its own (struct, enum, union) rather than a use of another?
    fn is_model(schema: &oa::Schema) -> bool {
        match &schema.schema_kind {
            oa::SchemaKind::Type(oa::Type::Object(o)) => !o.properties.is_empty(),
            oa::SchemaKind::Type(oa::Type::String(s)) => !s.enumeration.is_empty(),
            oa::SchemaKind::OneOf { .. } | oa::SchemaKind::AnyOf { .. } => true,
            oa::SchemaKind::AllOf { all_of } => all_of.len() > 1,
            oa::SchemaKind::Any(any) => !any.properties.is_empty(),
            _ => false,
        }
    }

    /// Makes a model named `rust_name` from a schema that [`Self::is_model`] accepts, or an alias.
    fn lower_model(
        &mut self,
        name: &str,
        rust_name: String,
        schema: &'a oa::Schema,
        pointer: &Pointer,
    ) {
        let data = &schema.schema_data;
        let doc = data.description.clone().or_else(|| data.title.clone());
        let kind = match &schema.schema_kind {
            oa::SchemaKind::Type(oa::Type::Object(o)) if !o.properties.is_empty() => {
                let props = properties_of(&o.properties, pointer);
                let s = self.lower_struct(
                    &rust_name,
                    props,
                    &o.required,
                    o.additional_properties.as_ref(),
                    pointer,
                );
                ModelKind::Struct(s)
            }
            oa::SchemaKind::Any(any)
                if !any.properties.is_empty()
                    && matches!(any.typ.as_deref(), None | Some("object")) =>
            {
                let props = properties_of(&any.properties, pointer);
                let s = self.lower_struct(
                    &rust_name,
                    props,
                    &any.required,
                    any.additional_properties.as_ref(),
                    pointer,
                );
                ModelKind::Struct(s)
            }
            oa::SchemaKind::Type(oa::Type::String(s)) if !s.enumeration.is_empty() => {
                ModelKind::Enum(self.lower_enum(&s.enumeration, pointer))
            }
            oa::SchemaKind::AllOf { all_of } if all_of.len() > 1 => {
                ModelKind::Struct(self.lower_all_of(&rust_name, all_of, pointer))
            }
            oa::SchemaKind::OneOf { one_of } => match &data.discriminator {
                Some(d) => ModelKind::Union(self.lower_union(d, one_of, pointer)),
                None => {
                    self.diags
                        .error(pointer, "oneOf without discriminator is not supported");
                    return;
                }
            },
            oa::SchemaKind::AnyOf { .. } => {
                self.diags.error(pointer, "anyOf is not supported");
                return;
            }
            _ => {
                self.inlining.push(name.to_owned());
                let lowered = self.lower_schema(schema, pointer, &rust_name);
                self.inlining.pop();
                let ty = if lowered.nullable {
                    Type::Nullable(Box::new(lowered.ty))
                } else {
                    lowered.ty
                };
                ModelKind::Alias(ty, lowered.constraints)
            }
        };
        self.models.insert(
            rust_name.clone(),
            Model {
                name: name.to_owned(),
                rust_name,
                pointer: pointer.clone(),
                doc,
                deprecated: data.deprecated,
                kind,
            },
        );
    }

    /// Names and lowers an inline schema that needs a type of its own.
    fn lower_inline_model(
        &mut self,
        hint: &str,
        schema: &'a oa::Schema,
        pointer: &Pointer,
    ) -> Type {
        let rust_name = naming::unique(naming::type_name(hint, "Inline"), &mut self.taken);
        self.lower_model(hint, rust_name.clone(), schema, pointer);
        Type::Named(rust_name)
    }

    fn lower_struct(
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
        let mut taken = BTreeSet::new();
        let mut fields = Vec::new();
        for Property {
            name: json_name,
            schema,
            pointer: at,
        } in properties
        {
            let hint = format!("{owner}_{json_name}");
            let lowered = self.lower_ref_or_schema(schema, &at, &hint);
            let rust_name = naming::unique(naming::field_name(json_name, "field"), &mut taken);
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
            rust_name: naming::unique("additional_properties".to_owned(), &mut taken),
            ty,
        });
        Struct { fields, additional }
    }

    fn lower_all_of(
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
                    match self.resolve_schema_ref(reference, &at) {
                        Some((name, s)) => (
                            s,
                            Pointer::root()
                                .push("components")
                                .push("schemas")
                                .push(name),
                        ),
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

    fn lower_enum(&mut self, values: &[Option<String>], pointer: &Pointer) -> StringEnum {
        let mut taken = BTreeSet::from(["Unknown".to_owned()]);
        let mut out = Vec::new();
        for value in values.iter().flatten() {
            let fallback = if value.is_empty() { "Empty" } else { "Value" };
            let rust_name = naming::unique(naming::type_name(value, fallback), &mut taken);
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

    fn lower_union(
        &mut self,
        d: &'a oa::Discriminator,
        one_of: &'a [oa::ReferenceOr<oa::Schema>],
        pointer: &Pointer,
    ) -> Union {
        let mut variants = Vec::new();
        let mut taken = BTreeSet::from(["Unknown".to_owned()]);
        // Tag → schema reference: the mapping when given, else each variant's own name.
        let mut tags: Vec<(String, String, Pointer)> = Vec::new();
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
        for (tag, reference, at) in tags {
            let Some((name, schema)) = self.resolve_schema_ref(&reference, &at) else {
                continue;
            };
            // drf-spectacular's polymorphic request bodies leave the discriminator out of the
            // variant's own properties: such a variant gets the tag added when it is serialized.
            let has_property = match &schema.schema_kind {
                oa::SchemaKind::Type(oa::Type::Object(o)) if !o.properties.is_empty() => {
                    o.properties.contains_key(&d.property_name)
                }
                _ => {
                    self.diags.error(&at, format!("discriminator variant `{name}` must be an object schema with properties"));
                    continue;
                }
            };
            let model = self.enqueue(&name);
            let rust_name = naming::unique(model.clone(), &mut taken);
            variants.push(UnionVariant {
                tag,
                rust_name,
                model,
                add_tag: !has_property,
            });
        }
        Union {
            property: d.property_name.clone(),
            variants,
        }
    }

    fn lower_ref_or_schema(&mut self, schema: RefOr<'a>, at: &Pointer, hint: &str) -> Lowered {
        match schema {
            RefOr::Ref(reference) => {
                let Some((name, target)) = self.resolve_schema_ref(reference, at) else {
                    return Lowered::plain(Type::Any);
                };
                if Self::is_model(target) {
                    let rust = self.enqueue(&name);
                    let mut l = Lowered::plain(Type::Named(rust));
                    l.nullable = target.schema_data.nullable;
                    l
                } else if self.inlining.contains(&name) {
                    self.diags.error(
                        at,
                        format!("schema `{name}` contains itself without an object in between"),
                    );
                    Lowered::plain(Type::Any)
                } else {
                    // A primitive, array or map component: its type is used in place, and the
                    // component itself still becomes an alias for downstream code.
                    self.enqueue(&name);
                    let pointer = Pointer::root()
                        .push("components")
                        .push("schemas")
                        .push(&name);
                    self.inlining.push(name.clone());
                    let mut l = self.lower_schema(target, &pointer, hint);
                    self.inlining.pop();
                    l.doc = None;
                    l.read_only = false;
                    l.write_only = false;
                    l
                }
            }
            RefOr::Item(schema) => self.lower_schema(schema, at, hint),
        }
    }

    fn lower_schema(&mut self, schema: &'a oa::Schema, at: &Pointer, hint: &str) -> Lowered {
        let data = &schema.schema_data;
        let mut lowered = match &schema.schema_kind {
            oa::SchemaKind::AllOf { all_of } if all_of.len() == 1 => {
                let mut inner = self.lower_ref_or_schema(
                    RefOr::from_unboxed(&all_of[0]),
                    &at.push("allOf").push("0"),
                    hint,
                );
                inner.doc = None;
                inner
            }
            _ if Self::is_model(schema) => {
                let ty = self.lower_inline_model(hint, schema, at);
                Lowered::plain(ty)
            }
            oa::SchemaKind::AllOf { .. } => {
                self.diags.error(at, "an empty allOf is not supported");
                Lowered::plain(Type::Any)
            }
            oa::SchemaKind::Not { .. } => {
                self.diags.error(at, "`not` is not supported");
                Lowered::plain(Type::Any)
            }
            oa::SchemaKind::Type(t) => self.lower_type(t, at, hint),
            oa::SchemaKind::Any(any) => self.lower_any(any, at, hint),
            oa::SchemaKind::OneOf { .. } | oa::SchemaKind::AnyOf { .. } => unreachable_model(),
        };
        lowered.nullable |= data.nullable;
        lowered.read_only |= data.read_only;
        lowered.write_only |= data.write_only;
        lowered.deprecated |= data.deprecated;
        if data.read_only && data.write_only {
            self.diags
                .error(at, "a schema cannot be both readOnly and writeOnly");
        }
        lowered.doc = data.description.clone().or(lowered.doc);
        lowered
    }

    fn lower_type(&mut self, t: &'a oa::Type, at: &Pointer, hint: &str) -> Lowered {
        use oa::VariantOrUnknownOrEmpty as F;
        let mut c = Constraints::default();
        let ty = match t {
            oa::Type::String(s) => {
                c.min_length = s.min_length;
                c.max_length = s.max_length;
                if let Some(p) = &s.pattern {
                    if let Err(e) = regex::Regex::new(p) {
                        self.diags.error(
                            &at.push("pattern"),
                            format!(
                                "pattern {p:?} is not a supported regular expression: {}",
                                last_line(&e.to_string())
                            ),
                        );
                    }
                    c.pattern = Some(p.clone());
                }
                match &s.format {
                    F::Item(oa::StringFormat::DateTime) => Type::DateTime,
                    F::Item(oa::StringFormat::Date) => Type::Date,
                    F::Item(oa::StringFormat::Binary) => Type::Binary,
                    F::Unknown(f) if f == "uuid" => Type::Uuid,
                    F::Unknown(f) if f == "email" => {
                        c.email = true;
                        Type::String
                    }
                    _ => Type::String,
                }
            }
            oa::Type::Integer(i) => {
                if !i.enumeration.is_empty() {
                    self.diags
                        .error(&at.push("enum"), "an integer enum is not supported");
                }
                c.minimum = i.minimum.map(|v| (Bound::Int(v), i.exclusive_minimum));
                c.maximum = i.maximum.map(|v| (Bound::Int(v), i.exclusive_maximum));
                let bits = match &i.format {
                    F::Item(oa::IntegerFormat::Int32) => 32,
                    _ => 64,
                };
                Type::Integer { bits }
            }
            oa::Type::Number(n) => {
                if !n.enumeration.is_empty() {
                    self.diags
                        .error(&at.push("enum"), "a number enum is not supported");
                }
                c.minimum = n.minimum.map(|v| (Bound::Float(v), n.exclusive_minimum));
                c.maximum = n.maximum.map(|v| (Bound::Float(v), n.exclusive_maximum));
                Type::Number
            }
            oa::Type::Boolean(_) => Type::Boolean,
            oa::Type::Object(o) => {
                // Objects with properties are models (handled by the caller); this is a map.
                self.lower_map(o.additional_properties.as_ref(), at, hint)
            }
            oa::Type::Array(a) => {
                c.min_items = a.min_items;
                c.max_items = a.max_items;
                match &a.items {
                    None => Type::Array(Box::new(Type::Any)),
                    Some(items) => {
                        let item = self.lower_ref_or_schema(
                            items.to_ref_or(),
                            &at.push("items"),
                            &format!("{hint}_item"),
                        );
                        if !item.constraints.is_empty() {
                            c.items = Some(Box::new(item.constraints.clone()));
                        }
                        Type::Array(Box::new(nullable_wrap(item)))
                    }
                }
            }
        };
        let mut l = Lowered::plain(ty);
        l.constraints = c;
        l
    }

    fn lower_map(
        &mut self,
        additional: Option<&'a oa::AdditionalProperties>,
        at: &Pointer,
        hint: &str,
    ) -> Type {
        match additional {
            None | Some(oa::AdditionalProperties::Any(_)) => Type::Map(Box::new(Type::Any)),
            Some(oa::AdditionalProperties::Schema(s)) => {
                let value = self.lower_ref_or_schema(
                    RefOr::from_unboxed(s),
                    &at.push("additionalProperties"),
                    &format!("{hint}_value"),
                );
                Type::Map(Box::new(nullable_wrap(value)))
            }
        }
    }

    fn lower_any(&mut self, any: &'a oa::AnySchema, at: &Pointer, hint: &str) -> Lowered {
        let is_empty = *any == oa::AnySchema::default();
        if is_empty {
            return Lowered::plain(Type::Any);
        }
        // `allOf: [$ref]` beside string constraints (drf-spectacular writes this for enum
        // parameters): the referenced type, with the constraints.
        let only_all_of_one = any.all_of.len() == 1
            && any.typ.is_none()
            && any.one_of.is_empty()
            && any.any_of.is_empty()
            && any.not.is_none()
            && any.properties.is_empty()
            && any.additional_properties.is_none()
            && any.items.is_none()
            && any.enumeration.is_empty();
        if only_all_of_one {
            let mut inner = self.lower_ref_or_schema(
                RefOr::from_unboxed(&any.all_of[0]),
                &at.push("allOf").push("0"),
                hint,
            );
            inner.doc = None;
            if inner.ty == Type::String {
                inner.constraints.min_length = inner.constraints.min_length.or(any.min_length);
                inner.constraints.max_length = inner.constraints.max_length.or(any.max_length);
            }
            return inner;
        }
        let objectish = matches!(any.typ.as_deref(), None | Some("object"))
            && any.one_of.is_empty()
            && any.any_of.is_empty()
            && any.all_of.is_empty()
            && any.not.is_none()
            && any.items.is_none()
            && any.enumeration.is_empty();
        if objectish && any.properties.is_empty() {
            return Lowered::plain(self.lower_map(any.additional_properties.as_ref(), at, hint));
        }
        let what = match (
            &any.typ,
            any.one_of.is_empty(),
            any.any_of.is_empty(),
            any.all_of.is_empty(),
        ) {
            (_, false, _, _) => "oneOf mixed with other keywords".to_owned(),
            (_, _, false, _) => "anyOf mixed with other keywords".to_owned(),
            (_, _, _, false) => "allOf mixed with other keywords".to_owned(),
            (Some(t), ..) => {
                format!("a schema of type {t:?} with keywords that do not belong to that type")
            }
            (None, ..) if !any.enumeration.is_empty() => {
                "an enum without `type: string`".to_owned()
            }
            (None, ..) => "a schema without `type`".to_owned(),
        };
        self.diags.error(at, format!("{what} is not supported"));
        Lowered::plain(Type::Any)
    }

    fn lower_operation(
        &mut self,
        path: &str,
        method: &str,
        op: &'a oa::Operation,
        item: &'a oa::PathItem,
        at: &Pointer,
        resource: &str,
    ) -> Option<Operation> {
        let operation_id = op
            .operation_id
            .clone()
            .unwrap_or_else(|| naming::field_name(&format!("{method} {path}"), "operation"));
        let rust_name = naming::field_name(&operation_id, "operation");
        let hint_base = naming::type_name(&operation_id, "Operation");

        // Path-level parameters apply unless the operation overrides them by name and place.
        let mut params: Vec<Param> = Vec::new();
        let mut taken = BTreeSet::new();
        let item_params = item.parameters.iter().enumerate().map(|(i, p)| {
            (
                p,
                Pointer::root()
                    .push("paths")
                    .push(path)
                    .push("parameters")
                    .push(i.to_string()),
            )
        });
        let op_params = op
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (p, at.push("parameters").push(i.to_string())));
        for (p, p_at) in item_params.chain(op_params) {
            let Some((param, p_at)) = self.resolve_parameter(p, &p_at) else {
                continue;
            };
            let (location, data, explode) = match param {
                oa::Parameter::Path { parameter_data, .. } => {
                    (ParamLocation::Path, parameter_data, false)
                }
                oa::Parameter::Query {
                    parameter_data,
                    style,
                    ..
                } => {
                    if !matches!(style, oa::QueryStyle::Form) {
                        self.diags.error(
                            &p_at.push("style"),
                            "only `style: form` query parameters are supported",
                        );
                    }
                    (
                        ParamLocation::Query,
                        parameter_data,
                        parameter_data.explode.unwrap_or(true),
                    )
                }
                oa::Parameter::Header { .. } => {
                    self.diags
                        .error(&p_at, "header parameters are not supported");
                    continue;
                }
                oa::Parameter::Cookie { .. } => {
                    self.diags
                        .error(&p_at, "cookie parameters are not supported");
                    continue;
                }
            };
            let schema = match &data.format {
                oa::ParameterSchemaOrContent::Schema(s) => s,
                oa::ParameterSchemaOrContent::Content(_) => {
                    self.diags.error(
                        &p_at,
                        "a parameter with `content` instead of `schema` is not supported",
                    );
                    continue;
                }
            };
            let lowered = self.lower_ref_or_schema(
                RefOr::from_unboxed(schema),
                &p_at.push("schema"),
                &format!("{hint_base}_{}", data.name),
            );
            let ty = if lowered.nullable {
                Type::Nullable(Box::new(lowered.ty))
            } else {
                lowered.ty
            };
            let param = Param {
                name: data.name.clone(),
                rust_name: String::new(),
                location,
                pointer: p_at,
                doc: data.description.clone().or(lowered.doc),
                ty,
                required: data.required || location == ParamLocation::Path,
                explode,
                constraints: lowered.constraints,
            };
            if let Some(existing) = params
                .iter_mut()
                .find(|q| q.name == param.name && q.location == param.location)
            {
                *existing = param;
            } else {
                params.push(param);
            }
        }
        for p in &mut params {
            p.rust_name = naming::unique(naming::field_name(&p.name, "param"), &mut taken);
        }
        // Path templates and path parameters must agree.
        let template: Vec<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        for name in &template {
            if !params
                .iter()
                .any(|p| p.location == ParamLocation::Path && p.name == *name)
            {
                self.diags.error(
                    at,
                    format!("path parameter `{{{name}}}` is not declared in `parameters`"),
                );
            }
        }
        for p in params.iter().filter(|p| p.location == ParamLocation::Path) {
            if !template.contains(&p.name.as_str()) {
                self.diags.error(
                    &p.pointer,
                    format!("path parameter `{}` does not appear in the path", p.name),
                );
            }
        }

        let body = op.request_body.as_ref().and_then(|b| {
            self.lower_body(b, &at.push("requestBody"), &format!("{hint_base}_body"))
        });

        let mut responses = Vec::new();
        let statuses = op
            .responses
            .responses
            .iter()
            .map(|(code, r)| (code.clone(), r))
            .collect::<Vec<_>>();
        for (code, r) in statuses {
            let r_at = at.push("responses").push(code.to_string());
            let status = match code {
                oa::StatusCode::Code(c) => Status::Code(c),
                oa::StatusCode::Range(_) => {
                    self.diags
                        .error(&r_at, "status code ranges (`4XX`) are not supported");
                    continue;
                }
            };
            if let Some(r) =
                self.lower_response(status, r, &r_at, &format!("{hint_base}_{code}_response"))
            {
                responses.push(r);
            }
        }
        if let Some(r) = &op.responses.default {
            let r_at = at.push("responses").push("default");
            if let Some(r) = self.lower_response(
                Status::Default,
                r,
                &r_at,
                &format!("{hint_base}_default_response"),
            ) {
                responses.push(r);
            }
        }
        if responses.is_empty() {
            self.diags.error(
                &at.push("responses"),
                "an operation needs at least one response",
            );
        }

        let requirements = op.security.as_ref().or(self.doc.security.as_ref());
        let security = match requirements {
            // An empty requirement (`{}`) means the operation may also be called without one.
            Some(reqs) if !reqs.iter().any(|r| r.is_empty()) => {
                let mut names: Vec<String> = reqs.iter().flat_map(|r| r.keys().cloned()).collect();
                names.sort();
                names.dedup();
                names
            }
            _ => Vec::new(),
        };

        let doc = match (&op.summary, &op.description) {
            (Some(s), Some(d)) if s != d => Some(format!("{s}\n\n{d}")),
            (Some(s), _) => Some(s.clone()),
            (None, Some(d)) => Some(d.clone()),
            (None, None) => None,
        };
        Some(Operation {
            operation_id,
            rust_name,
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            pointer: at.clone(),
            doc,
            deprecated: op.deprecated,
            resource: resource.to_owned(),
            params,
            body,
            responses,
            security,
        })
    }

    fn resolve_parameter(
        &mut self,
        p: &'a oa::ReferenceOr<oa::Parameter>,
        at: &Pointer,
    ) -> Option<(&'a oa::Parameter, Pointer)> {
        let mut current = p;
        let mut pointer = at.clone();
        for _ in 0..32 {
            match current {
                oa::ReferenceOr::Item(param) => return Some((param, pointer)),
                oa::ReferenceOr::Reference { reference } => {
                    let name = reference
                        .strip_prefix("#/components/parameters/")
                        .map(unescape);
                    let target = name
                        .as_ref()
                        .and_then(|n| self.doc.components.as_ref()?.parameters.get(n));
                    match (name, target) {
                        (Some(name), Some(t)) => {
                            pointer = Pointer::root()
                                .push("components")
                                .push("parameters")
                                .push(name);
                            current = t;
                        }
                        _ => {
                            self.diags.error(at, format!("`$ref: {reference}` does not point at a parameter in `#/components/parameters`"));
                            return None;
                        }
                    }
                }
            }
        }
        self.diags.error(at, "parameter `$ref` cycle");
        None
    }

    fn lower_body(
        &mut self,
        b: &'a oa::ReferenceOr<oa::RequestBody>,
        at: &Pointer,
        hint: &str,
    ) -> Option<Body> {
        let (body, at) = match b {
            oa::ReferenceOr::Item(body) => (body, at.clone()),
            oa::ReferenceOr::Reference { reference } => {
                let name = reference
                    .strip_prefix("#/components/requestBodies/")
                    .map(unescape);
                let target = name
                    .as_ref()
                    .and_then(|n| self.doc.components.as_ref()?.request_bodies.get(n));
                match (name, target) {
                    (Some(name), Some(oa::ReferenceOr::Item(t))) => (
                        t,
                        Pointer::root()
                            .push("components")
                            .push("requestBodies")
                            .push(name),
                    ),
                    _ => {
                        self.diags.error(at, format!("`$ref: {reference}` does not point at a request body in `#/components/requestBodies`"));
                        return None;
                    }
                }
            }
        };
        let pick = [
            ("application/json", BodyKind::Json),
            ("multipart/form-data", BodyKind::Multipart),
            ("application/x-www-form-urlencoded", BodyKind::Form),
        ]
        .into_iter()
        .find_map(|(ct, kind)| body.content.get(ct).map(|m| (ct, kind, m)));
        let Some((content_type, kind, media)) = pick else {
            let types: Vec<&str> = body.content.keys().map(String::as_str).collect();
            self.diags.error(&at.push("content"), format!("request body media type(s) {types:?} are not supported (application/json, multipart/form-data and application/x-www-form-urlencoded are)"));
            return None;
        };
        let m_at = at.push("content").push(content_type).push("schema");
        let ty = match &media.schema {
            Some(s) => nullable_wrap(self.lower_ref_or_schema(RefOr::from_unboxed(s), &m_at, hint)),
            None => Type::Any,
        };
        Some(Body {
            kind,
            content_type: content_type.to_owned(),
            ty,
            required: body.required,
            pointer: m_at,
        })
    }

    fn lower_response(
        &mut self,
        status: Status,
        r: &'a oa::ReferenceOr<oa::Response>,
        at: &Pointer,
        hint: &str,
    ) -> Option<Response> {
        let (resp, at) = match r {
            oa::ReferenceOr::Item(resp) => (resp, at.clone()),
            oa::ReferenceOr::Reference { reference } => {
                let name = reference
                    .strip_prefix("#/components/responses/")
                    .map(unescape);
                let target = name
                    .as_ref()
                    .and_then(|n| self.doc.components.as_ref()?.responses.get(n));
                match (name, target) {
                    (Some(name), Some(oa::ReferenceOr::Item(t))) => (
                        t,
                        Pointer::root()
                            .push("components")
                            .push("responses")
                            .push(name),
                    ),
                    _ => {
                        self.diags.error(at, format!("`$ref: {reference}` does not point at a response in `#/components/responses`"));
                        return None;
                    }
                }
            }
        };
        let body = if let Some(media) = resp.content.get("application/json") {
            let m_at = at.push("content").push("application/json").push("schema");
            match &media.schema {
                Some(s) => ResponseBody::Json(nullable_wrap(self.lower_ref_or_schema(
                    RefOr::from_unboxed(s),
                    &m_at,
                    hint,
                ))),
                None => ResponseBody::Json(Type::Any),
            }
        } else if let Some((ct, _)) = resp.content.first() {
            ResponseBody::Other(ct.clone())
        } else {
            ResponseBody::None
        };
        let doc = Some(resp.description.clone()).filter(|d| !d.trim().is_empty());
        Some(Response {
            status,
            doc,
            body,
            pointer: at,
        })
    }
}

/// `oneOf`/`anyOf` schemas are always models, so [`Lower::lower_schema`] never lowers them in place.
fn unreachable_model() -> Lowered {
    Lowered::plain(Type::Any)
}

fn nullable_wrap(l: Lowered) -> Type {
    if l.nullable {
        Type::Nullable(Box::new(l.ty))
    } else {
        l.ty
    }
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn last_line(s: &str) -> String {
    s.lines().last().unwrap_or(s).trim().to_owned()
}

/// A schema position that is either a `$ref` or an inline schema, boxed or not.
#[derive(Clone, Copy)]
enum RefOr<'a> {
    Ref(&'a str),
    Item(&'a oa::Schema),
}

impl<'a> RefOr<'a> {
    fn from_unboxed(r: &'a oa::ReferenceOr<oa::Schema>) -> Self {
        match r {
            oa::ReferenceOr::Reference { reference } => RefOr::Ref(reference),
            oa::ReferenceOr::Item(s) => RefOr::Item(s),
        }
    }
}

/// One entry of `properties`, with the pointer it stands at.
struct Property<'a> {
    name: &'a str,
    schema: RefOr<'a>,
    pointer: Pointer,
}

fn properties_of<'a>(
    properties: &'a indexmap::IndexMap<String, oa::ReferenceOr<Box<oa::Schema>>>,
    pointer: &Pointer,
) -> Vec<Property<'a>> {
    properties
        .iter()
        .map(|(name, schema)| Property {
            name,
            schema: schema.to_ref_or(),
            pointer: pointer.push("properties").push(name),
        })
        .collect()
}

trait ToRefOr<'a> {
    fn to_ref_or(self) -> RefOr<'a>;
}

impl<'a> ToRefOr<'a> for &'a oa::ReferenceOr<Box<oa::Schema>> {
    fn to_ref_or(self) -> RefOr<'a> {
        match self {
            oa::ReferenceOr::Reference { reference } => RefOr::Ref(reference),
            oa::ReferenceOr::Item(s) => RefOr::Item(s),
        }
    }
}

/// A schema given as YAML text, lowered for `path_prefix`; for the generator's unit tests.
#[cfg(test)]
pub(crate) fn lower_text(yaml: &str, path_prefix: &str) -> Api {
    let doc = crate::codegen::load::parse(yaml, "t.yaml").unwrap();
    lower(
        &doc,
        &Selection {
            path_prefix: path_prefix.into(),
        },
    )
    .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(components: &str) -> Api {
        let yaml = format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\nservers: [{{url: /api/v3/}}]\npaths:\n  /stages/a/{{id}}/:\n    patch:\n      operationId: a_patch\n      parameters:\n      - {{in: path, name: id, required: true, schema: {{type: string, format: uuid}}}}\n      - {{in: query, name: tags, schema: {{type: array, items: {{type: string}}}}, explode: false}}\n      requestBody:\n        content:\n          application/json:\n            schema: {{$ref: '#/components/schemas/A'}}\n      responses:\n        '200':\n          description: ''\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/A'}}\n        '204': {{description: No response body}}\ncomponents:\n  schemas:\n{components}"
        );
        lower_text(&yaml, "/stages/")
    }

    fn fields(api: &Api, model: &str) -> Vec<Field> {
        match &api.models[model].kind {
            ModelKind::Struct(s) => s.fields.clone(),
            other => panic!("{model} is {other:?}"),
        }
    }

    #[test]
    fn formats_presence_and_nullability_map_exactly() {
        let api = api("    A:\n      type: object\n      required: [id, when, maybe_null]\n      properties:\n        id: {type: string, format: uuid, readOnly: true}\n        when: {type: string, format: date-time}\n        maybe_null: {type: integer, nullable: true}\n        ratio: {type: number, format: double}\n        ref: {type: string, format: uuid, nullable: true}\n        any: {}\n        map: {type: object, additionalProperties: {type: string}}\n        free: {type: object, additionalProperties: {}}\n        mode: {allOf: [{$ref: '#/components/schemas/Mode'}], nullable: true, description: Picked.}\n        secret: {type: string, writeOnly: true, minLength: 1}\n    Mode: {type: string, enum: [a, b, '']}\n");
        let f = fields(&api, "A");
        let get = |n: &str| f.iter().find(|x| x.json_name == n).unwrap().clone();
        assert_eq!(
            (get("id").ty, get("id").presence, get("id").read_only),
            (Type::Uuid, Presence::Required, true)
        );
        assert_eq!(get("when").ty, Type::DateTime);
        assert_eq!(get("maybe_null").presence, Presence::RequiredNullable);
        assert_eq!(
            (get("ratio").ty, get("ratio").presence),
            (Type::Number, Presence::Optional)
        );
        assert_eq!(get("ref").presence, Presence::OptionalNullable);
        assert_eq!(get("any").ty, Type::Any);
        assert_eq!(get("map").ty, Type::Map(Box::new(Type::String)));
        assert_eq!(get("free").ty, Type::Map(Box::new(Type::Any)));
        let mode = get("mode");
        assert_eq!(
            (mode.ty, mode.presence, mode.doc.as_deref()),
            (
                Type::Named("Mode".into()),
                Presence::OptionalNullable,
                Some("Picked.")
            )
        );
        let secret = get("secret");
        assert!(secret.write_only);
        assert_eq!(secret.constraints.min_length, Some(1));
        match &api.models["Mode"].kind {
            ModelKind::Enum(e) => {
                let names: Vec<&str> = e.values.iter().map(|v| v.rust_name.as_str()).collect();
                assert_eq!(names, ["A", "B", "Empty"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn operations_keep_params_bodies_responses_and_pointers() {
        let api = api("    A:\n      type: object\n      properties:\n        x: {type: string}\n");
        assert_eq!(api.base_path, "/api/v3");
        let op = &api.operations[0];
        assert_eq!(
            (
                op.method.as_str(),
                op.rust_name.as_str(),
                op.resource.as_str()
            ),
            ("PATCH", "a_patch", "a")
        );
        assert_eq!(op.params[0].location, ParamLocation::Path);
        assert_eq!(op.params[0].ty, Type::Uuid);
        assert_eq!(
            op.params[1].pointer.as_str(),
            "#/paths/~1stages~1a~1{id}~1/patch/parameters/1"
        );
        assert!(!op.params[1].explode);
        let body = op.body.as_ref().unwrap();
        assert_eq!(
            (body.kind, body.required, &body.ty),
            (BodyKind::Json, false, &Type::Named("A".into()))
        );
        assert_eq!(op.responses[1].body, ResponseBody::None);
    }

    #[test]
    fn inline_objects_and_enums_get_names_of_their_own() {
        let api = api("    A:\n      type: object\n      properties:\n        user_agent:\n          type: object\n          properties:\n            os: {type: string}\n        kinds:\n          type: array\n          items: {type: string, enum: [x, y]}\n");
        assert!(matches!(
            api.models["AUserAgent"].kind,
            ModelKind::Struct(_)
        ));
        assert!(matches!(api.models["AKindsItem"].kind, ModelKind::Enum(_)));
        assert_eq!(
            api.models["AUserAgent"].pointer.as_str(),
            "#/components/schemas/A/properties/user_agent"
        );
        assert_eq!(api.component_models, 1);
    }

    #[test]
    fn discriminated_unions_know_which_variants_lack_the_tag() {
        let api = api("    A:\n      type: object\n      properties:\n        u: {$ref: '#/components/schemas/U'}\n    U:\n      oneOf: [{$ref: '#/components/schemas/V'}, {$ref: '#/components/schemas/W'}]\n      discriminator:\n        propertyName: kind\n        mapping: {v: '#/components/schemas/V', w: '#/components/schemas/W'}\n    V:\n      type: object\n      properties:\n        kind: {type: string}\n    W:\n      type: object\n      properties:\n        other: {type: string}\n");
        match &api.models["U"].kind {
            ModelKind::Union(u) => {
                assert_eq!(u.property, "kind");
                let v: Vec<(&str, bool)> = u
                    .variants
                    .iter()
                    .map(|v| (v.tag.as_str(), v.add_tag))
                    .collect();
                assert_eq!(v, [("v", false), ("w", true)]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn resources_group_paths_by_their_collection() {
        let all = [
            "/stages/all/",
            "/stages/all/{stage_uuid}/",
            "/stages/all/types/",
            "/stages/authenticator/duo/",
            "/stages/authenticator/duo/{stage_uuid}/enrollment_status/",
        ];
        assert_eq!(resource_of("/stages/all/types/", "/stages/", &all), "all");
        assert_eq!(
            resource_of("/stages/all/{stage_uuid}/", "/stages/", &all),
            "all"
        );
        assert_eq!(
            resource_of(
                "/stages/authenticator/duo/{stage_uuid}/enrollment_status/",
                "/stages/",
                &all
            ),
            "authenticator_duo"
        );
    }
}
