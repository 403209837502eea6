//! Schemas used in place: strings, numbers, lists, maps and typeless schemas → IR [`Type`]s with
//! the constraints their schema gives them.

use super::schemas::{nullable_wrap, Lowered, RefOr, ToRefOr};
use super::Lower;
use crate::codegen::diag::Pointer;
use crate::codegen::ir::*;
use openapiv3 as oa;

impl<'a> Lower<'a> {
    /// A schema of one `type`: its Rust type and the constraints that type keeps.
    pub(super) fn lower_type(&mut self, t: &'a oa::Type, at: &Pointer, hint: &str) -> Lowered {
        match t {
            oa::Type::String(s) => self.lower_string(s, at),
            oa::Type::Integer(i) => self.lower_integer(i, at),
            oa::Type::Number(n) => self.lower_number(n, at),
            oa::Type::Boolean(_) => Lowered::plain(Type::Boolean),
            // Objects with properties are models (handled by the caller); this is a map.
            oa::Type::Object(o) => {
                Lowered::plain(self.lower_map(o.additional_properties.as_ref(), at, hint))
            }
            oa::Type::Array(a) => self.lower_array(a, at, hint),
        }
    }

    /// A string: its format's type; lengths, pattern and `email` only for plain text.
    fn lower_string(&mut self, s: &oa::StringType, at: &Pointer) -> Lowered {
        use oa::VariantOrUnknownOrEmpty as F;
        let mut c = Constraints {
            min_length: s.min_length,
            max_length: s.max_length,
            ..Constraints::default()
        };
        if let Some(p) = &s.pattern {
            self.check_pattern(p, at);
            c.pattern = Some(p.clone());
        }
        let ty = match &s.format {
            F::Item(oa::StringFormat::DateTime) => Type::DateTime,
            F::Item(oa::StringFormat::Date) => Type::Date,
            F::Item(oa::StringFormat::Binary) => Type::Binary,
            F::Unknown(f) if f == "uuid" => Type::Uuid,
            F::Unknown(f) if f == "email" => {
                c.email = true;
                Type::String
            }
            _ => Type::String,
        };
        // Lengths and patterns are text rules: a uuid, a date or bytes have their own
        // form (DRF's UUIDField and DateTimeField do not check them either).
        if ty != Type::String {
            c = Constraints::default();
        }
        Lowered::constrained(ty, c)
    }

    /// Reports a `pattern` the generated code could not compile as a regular expression.
    fn check_pattern(&mut self, pattern: &str, at: &Pointer) {
        if let Err(e) = regex::Regex::new(pattern) {
            self.diags.error(
                &at.push("pattern"),
                format!(
                    "pattern {pattern:?} is not a supported regular expression: {}",
                    last_line(&e.to_string())
                ),
            );
        }
    }

    /// An integer: 32 bits when its format says so, else 64, with its bounds; enums refused.
    fn lower_integer(&mut self, i: &oa::IntegerType, at: &Pointer) -> Lowered {
        use oa::VariantOrUnknownOrEmpty as F;
        if !i.enumeration.is_empty() {
            self.diags
                .error(&at.push("enum"), "an integer enum is not supported");
        }
        let c = Constraints {
            minimum: i.minimum.map(|v| (Bound::Int(v), i.exclusive_minimum)),
            maximum: i.maximum.map(|v| (Bound::Int(v), i.exclusive_maximum)),
            ..Constraints::default()
        };
        let bits = match &i.format {
            F::Item(oa::IntegerFormat::Int32) => 32,
            _ => 64,
        };
        Lowered::constrained(Type::Integer { bits }, c)
    }

    /// A number, with its bounds; enums refused.
    fn lower_number(&mut self, n: &oa::NumberType, at: &Pointer) -> Lowered {
        if !n.enumeration.is_empty() {
            self.diags
                .error(&at.push("enum"), "a number enum is not supported");
        }
        let c = Constraints {
            minimum: n.minimum.map(|v| (Bound::Float(v), n.exclusive_minimum)),
            maximum: n.maximum.map(|v| (Bound::Float(v), n.exclusive_maximum)),
            ..Constraints::default()
        };
        Lowered::constrained(Type::Number, c)
    }

    /// An array: a list of its items (of anything when `items` is missing), with its length
    /// bounds and the items' own constraints; `Any` when nested too deep.
    fn lower_array(&mut self, a: &'a oa::ArrayType, at: &Pointer, hint: &str) -> Lowered {
        let mut c = Constraints {
            min_items: a.min_items,
            max_items: a.max_items,
            ..Constraints::default()
        };
        let ty = match &a.items {
            None => Type::Array(Box::new(Type::Any)),
            Some(_) if !self.enter_list(at) => Type::Any,
            Some(items) => {
                let item = self.lower_ref_or_schema(
                    items.to_ref_or(),
                    &at.push("items"),
                    &format!("{hint}_item"),
                );
                self.list_depth -= 1;
                if !item.constraints.is_empty() {
                    c.items = Some(Box::new(item.constraints.clone()));
                }
                Type::Array(Box::new(nullable_wrap(item)))
            }
        };
        Lowered::constrained(ty, c)
    }

    /// An object without properties: a map of its `additionalProperties` (of anything when
    /// they are not a schema); `Any` when nested too deep.
    fn lower_map(
        &mut self,
        additional: Option<&'a oa::AdditionalProperties>,
        at: &Pointer,
        hint: &str,
    ) -> Type {
        match additional {
            None | Some(oa::AdditionalProperties::Any(_)) => Type::Map(Box::new(Type::Any)),
            Some(_) if !self.enter_list(at) => Type::Any,
            Some(oa::AdditionalProperties::Schema(s)) => {
                let value = self.lower_ref_or_schema(
                    RefOr::from_unboxed(s),
                    &at.push("additionalProperties"),
                    &format!("{hint}_value"),
                );
                self.list_depth -= 1;
                Type::Map(Box::new(nullable_wrap(value)))
            }
        }
    }

    /// A schema openapiv3 files under no one type (`SchemaKind::Any`): empty (anything), one
    /// `allOf` beside string lengths, or a map; anything else is reported as not supported.
    pub(super) fn lower_any(
        &mut self,
        any: &'a oa::AnySchema,
        at: &Pointer,
        hint: &str,
    ) -> Lowered {
        if *any == oa::AnySchema::default() {
            return Lowered::plain(Type::Any);
        }
        if only_all_of_one(any) {
            return self.lower_all_of_one(any, at, hint);
        }
        if is_objectish(any) && any.properties.is_empty() {
            return Lowered::plain(self.lower_map(any.additional_properties.as_ref(), at, hint));
        }
        if let Some(t) = any.typ.as_deref().filter(|t| *t != "object") {
            if !any.properties.is_empty() {
                self.diags.error(
                    &at.push("properties"),
                    format!("properties beside type {t} are not supported"),
                );
                return Lowered::plain(Type::Any);
            }
        }
        self.diags
            .error(at, format!("{} is not supported", unsupported_any(any)));
        Lowered::plain(Type::Any)
    }

    /// `allOf: [$ref]` beside string constraints (drf-spectacular writes this for enum
    /// parameters): the referenced type, with the lengths when it is a string.
    fn lower_all_of_one(&mut self, any: &'a oa::AnySchema, at: &Pointer, hint: &str) -> Lowered {
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
        inner
    }
}

/// Whether a typeless schema is one `allOf` entry and nothing else that shapes a type.
fn only_all_of_one(any: &oa::AnySchema) -> bool {
    any.all_of.len() == 1
        && any.typ.is_none()
        && any.one_of.is_empty()
        && any.any_of.is_empty()
        && any.not.is_none()
        && any.properties.is_empty()
        && any.additional_properties.is_none()
        && any.items.is_none()
        && any.enumeration.is_empty()
}

/// Whether a schema could only be an object: no other type, composition, items or enum.
fn is_objectish(any: &oa::AnySchema) -> bool {
    matches!(any.typ.as_deref(), None | Some("object"))
        && any.one_of.is_empty()
        && any.any_of.is_empty()
        && any.all_of.is_empty()
        && any.not.is_none()
        && any.items.is_none()
        && any.enumeration.is_empty()
}

/// What is wrong with a schema [`Lower::lower_any`] cannot lower, as its message words it.
fn unsupported_any(any: &oa::AnySchema) -> String {
    match (
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
        (None, ..) if !any.enumeration.is_empty() => "an enum without `type: string`".to_owned(),
        (None, ..) => "a schema without `type`".to_owned(),
    }
}

fn last_line(s: &str) -> String {
    s.lines().last().unwrap_or(s).trim().to_owned()
}
