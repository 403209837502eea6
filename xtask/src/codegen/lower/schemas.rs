//! Schemas: `openapiv3` schemas → IR models and inline types.
//!
//! A schema that is a type of its own (an object with properties, a string enum, a discriminated
//! `oneOf`, an `allOf` of several objects) becomes a [`Model`]; anything else is used in place as
//! a [`Type`] (lowered in `in_place.rs`). Nesting is bounded, so no schema can exhaust the stack.

use super::refs::{self, Resolved};
use super::Lower;
use crate::codegen::diag::Pointer;
use crate::codegen::ir::*;
use crate::codegen::naming;
use openapiv3 as oa;

/// How deeply schemas may nest (objects in objects, items of items, ...) before the generator
/// refuses them: far beyond what real schemas do, and well within the stack.
const MAX_DEPTH: usize = 48;
/// How deeply lists and maps may nest in one Rust type: deeper, rustc's trait solver overflows
/// (E0275) on the client's futures.
const MAX_TYPE_DEPTH: usize = 16;

/// A schema as it stands at a use site, before it becomes a field or a parameter.
pub(super) struct Lowered {
    pub(super) ty: Type,
    pub(super) nullable: bool,
    pub(super) read_only: bool,
    pub(super) write_only: bool,
    pub(super) deprecated: bool,
    pub(super) doc: Option<String>,
    pub(super) constraints: Constraints,
}

impl Lowered {
    pub(super) fn plain(ty: Type) -> Self {
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

    /// A type with the constraints its schema gives it, nothing else set.
    pub(super) fn constrained(ty: Type, constraints: Constraints) -> Self {
        Lowered {
            constraints,
            ..Lowered::plain(ty)
        }
    }
}

impl<'a> Lower<'a> {
    /// Is this schema a type of its own (struct, enum, union) rather than a use of another?
    /// [`Self::lower_model`] makes a model of exactly these.
    pub(super) fn is_model(schema: &oa::Schema) -> bool {
        match &schema.schema_kind {
            oa::SchemaKind::Type(oa::Type::Object(o)) => !o.properties.is_empty(),
            oa::SchemaKind::Type(oa::Type::String(s)) => !s.enumeration.is_empty(),
            oa::SchemaKind::OneOf { .. } | oa::SchemaKind::AnyOf { .. } => true,
            oa::SchemaKind::AllOf { all_of } => all_of.len() > 1,
            oa::SchemaKind::Any(any) => {
                !any.properties.is_empty() && matches!(any.typ.as_deref(), None | Some("object"))
            }
            _ => false,
        }
    }

    /// Makes a model named `rust_name` from a schema that [`Self::is_model`] accepts, or an alias.
    pub(super) fn lower_model(
        &mut self,
        name: &str,
        rust_name: String,
        schema: &'a oa::Schema,
        pointer: &Pointer,
        depth: usize,
    ) {
        self.depth = depth;
        let data = &schema.schema_data;
        let doc = data.description.clone().or_else(|| data.title.clone());
        let Some(kind) = self.model_kind(name, &rust_name, schema, pointer) else {
            return;
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

    /// Which kind of model a schema is (struct, enum, union or alias); `None`, reported, for a
    /// composition the generator does not support.
    fn model_kind(
        &mut self,
        name: &str,
        rust_name: &str,
        schema: &'a oa::Schema,
        pointer: &Pointer,
    ) -> Option<ModelKind> {
        let kind = match &schema.schema_kind {
            oa::SchemaKind::Type(oa::Type::Object(o)) if !o.properties.is_empty() => {
                let props = properties_of(&o.properties, pointer);
                let additional = o.additional_properties.as_ref();
                let s = self.lower_struct(rust_name, props, &o.required, additional, pointer);
                ModelKind::Struct(s)
            }
            oa::SchemaKind::Any(any)
                if !any.properties.is_empty()
                    && matches!(any.typ.as_deref(), None | Some("object")) =>
            {
                let props = properties_of(&any.properties, pointer);
                let additional = any.additional_properties.as_ref();
                let s = self.lower_struct(rust_name, props, &any.required, additional, pointer);
                ModelKind::Struct(s)
            }
            oa::SchemaKind::Type(oa::Type::String(s)) if !s.enumeration.is_empty() => {
                ModelKind::Enum(self.lower_enum(rust_name, &s.enumeration, pointer))
            }
            oa::SchemaKind::AllOf { all_of } if all_of.len() > 1 => {
                ModelKind::Struct(self.lower_all_of(rust_name, all_of, pointer))
            }
            oa::SchemaKind::OneOf { one_of } => match &schema.schema_data.discriminator {
                Some(d) => ModelKind::Union(self.lower_union(rust_name, d, one_of, pointer)),
                None => {
                    self.diags
                        .error(pointer, "oneOf without discriminator is not supported");
                    return None;
                }
            },
            oa::SchemaKind::AnyOf { .. } => {
                self.diags.error(pointer, "anyOf is not supported");
                return None;
            }
            _ => self.lower_alias(name, rust_name, schema, pointer),
        };
        Some(kind)
    }

    /// A named schema that is no type of its own (a primitive, a list, a map): an alias of the
    /// type it stands for, nullable when the schema is.
    fn lower_alias(
        &mut self,
        name: &str,
        rust_name: &str,
        schema: &'a oa::Schema,
        pointer: &Pointer,
    ) -> ModelKind {
        self.inlining.push(name.to_owned());
        let lowered = self.lower_schema(schema, pointer, rust_name);
        self.inlining.pop();
        let ty = if lowered.nullable {
            Type::Nullable(Box::new(lowered.ty))
        } else {
            lowered.ty
        };
        ModelKind::Alias(ty, lowered.constraints)
    }

    /// Names and lowers an inline schema that needs a type of its own.
    fn lower_inline_model(
        &mut self,
        hint: &str,
        schema: &'a oa::Schema,
        pointer: &Pointer,
    ) -> Type {
        let rust_name = self.types.claim(naming::type_name(hint, "Inline"));
        let depth = self.depth;
        // A model of its own starts a new Rust type: lists inside it count from none.
        let lists = std::mem::take(&mut self.list_depth);
        self.lower_model(hint, rust_name.clone(), schema, pointer, depth);
        self.depth = depth;
        self.list_depth = lists;
        Type::Named(rust_name)
    }

    pub(super) fn lower_ref_or_schema(
        &mut self,
        schema: RefOr<'a>,
        at: &Pointer,
        hint: &str,
    ) -> Lowered {
        match schema {
            RefOr::Ref(reference) => {
                let Some(Resolved {
                    name, item: target, ..
                }) = self.resolve(&refs::SCHEMAS, reference, at)
                else {
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

    /// Enters a list or map at `at`; `false`, reported, when it would be nested too deep in one
    /// Rust type (the first such, counted from the outside; nothing inside it is lowered).
    pub(super) fn enter_list(&mut self, at: &Pointer) -> bool {
        if self.list_depth >= MAX_TYPE_DEPTH {
            self.diags.error(
                at,
                format!("lists and maps nested more than {MAX_TYPE_DEPTH} deep are not supported"),
            );
            return false;
        }
        self.list_depth += 1;
        true
    }

    pub(super) fn lower_schema(
        &mut self,
        schema: &'a oa::Schema,
        at: &Pointer,
        hint: &str,
    ) -> Lowered {
        if self.depth >= MAX_DEPTH {
            self.diags.error(
                at,
                format!("schemas nested more than {MAX_DEPTH} levels deep are not supported"),
            );
            return Lowered::plain(Type::Any);
        }
        self.depth += 1;
        let lowered = self.lower_schema_in(schema, at, hint);
        self.depth -= 1;
        lowered
    }

    fn lower_schema_in(&mut self, schema: &'a oa::Schema, at: &Pointer, hint: &str) -> Lowered {
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
}

/// `oneOf`/`anyOf` schemas are always models, so [`Lower::lower_schema`] never lowers them in place.
fn unreachable_model() -> Lowered {
    Lowered::plain(Type::Any)
}

pub(super) fn nullable_wrap(l: Lowered) -> Type {
    if l.nullable {
        Type::Nullable(Box::new(l.ty))
    } else {
        l.ty
    }
}

/// A schema position that is either a `$ref` or an inline schema, boxed or not.
#[derive(Clone, Copy)]
pub(super) enum RefOr<'a> {
    Ref(&'a str),
    Item(&'a oa::Schema),
}

impl<'a> RefOr<'a> {
    pub(super) fn from_unboxed(r: &'a oa::ReferenceOr<oa::Schema>) -> Self {
        match r {
            oa::ReferenceOr::Reference { reference } => RefOr::Ref(reference),
            oa::ReferenceOr::Item(s) => RefOr::Item(s),
        }
    }
}

/// One entry of `properties`, with the pointer it stands at.
pub(super) struct Property<'a> {
    pub(super) name: &'a str,
    pub(super) schema: RefOr<'a>,
    pub(super) pointer: Pointer,
}

pub(super) fn properties_of<'a>(
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

pub(super) trait ToRefOr<'a> {
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
