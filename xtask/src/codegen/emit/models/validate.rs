//! Models, validation: an IR struct's fields and constraints → the body of its `validate()`,
//! with Django REST Framework's messages.

use super::TypesEmitter;
use crate::codegen::emit::rust::*;
use crate::codegen::ir::*;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

impl TypesEmitter<'_> {
    /// The static holding a pattern compiled, and the message a value that does not match gets.
    fn pattern(&self, pattern: &str) -> (proc_macro2::Ident, &'static str) {
        match self.api.patterns.get(pattern) {
            Some(p) => (ident(&p.static_name), p.message),
            // lower collects every pattern a model checks; this is not reached.
            None => (ident("PATTERN_0"), Pattern::GENERIC_MESSAGE),
        }
    }

    pub(super) fn emit_struct_validate(&self, s: &Struct) -> TokenStream {
        let errors = format_ident!("checks");
        let checks: Vec<TokenStream> = s
            .fields
            .iter()
            .filter_map(|f| {
                self.field_checks(f)
                    .or_else(|| self.general_checks(f, &errors))
            })
            .filter(|checks| !checks.is_empty())
            .collect();
        if checks.is_empty() {
            return quote!(::std::result::Result::Ok(()));
        }
        quote! {
            let mut #errors = support::Checks::default();
            #(#checks)*
            #errors.into_result()
        }
    }

    /// A field's checks as one call per constraint (`support::Checks`), for the kinds of
    /// field that have one; `None` sends the field to [`Self::general_checks`].
    fn field_checks(&self, f: &Field) -> Option<TokenStream> {
        // A boxed value is checked through its box, written out.
        if f.boxed {
            return None;
        }
        let name = ident(&f.rust_name);
        let key = &f.json_name;
        let value = quote!(&self.#name);
        let call = |check: &str, rest: TokenStream| {
            let check = format_ident!("{}", check);
            if rest.is_empty() {
                quote!(checks.#check(#key, #value);)
            } else {
                quote!(checks.#check(#key, #value, #rest);)
            }
        };
        let c = &f.constraints;
        let calls = match &f.ty {
            Type::String => self.string_calls(c, &call),
            Type::Integer { bits } => int_calls(*bits, c, &call),
            Type::Number if c.minimum.is_some() || c.maximum.is_some() => {
                vec![call("number_range", float_range(c.minimum, c.maximum))]
            }
            Type::Number => Vec::new(),
            Type::Named(model) => self.model_call(model, "choice", "nested", &call),
            Type::Array(inner) => self.array_calls(inner, c, &call)?,
            _ => return None,
        };
        // Empty when there is nothing to check.
        Some(quote!(#(#calls)*))
    }

    /// `length`, `pattern` and `email` calls for a string field.
    fn string_calls(
        &self,
        c: &Constraints,
        call: &dyn Fn(&str, TokenStream) -> TokenStream,
    ) -> Vec<TokenStream> {
        let mut calls = Vec::new();
        if c.min_length.is_some() || c.max_length.is_some() {
            calls.push(call("length", usize_range(c.min_length, c.max_length)));
        }
        if let Some(p) = &c.pattern {
            let (regex, message) = self.pattern(p);
            calls.push(call("pattern", quote!(&crate::patterns::#regex, #message)));
        }
        if c.email {
            calls.push(call("email", quote!()));
        }
        calls
    }

    /// The call for a field holding a model: `enum_check` (an enum's unknown value) or
    /// `object_check` (a struct's or union's `validate()`, when it can fail); none otherwise.
    fn model_call(
        &self,
        model: &str,
        enum_check: &str,
        object_check: &str,
        call: &dyn Fn(&str, TokenStream) -> TokenStream,
    ) -> Vec<TokenStream> {
        let ty = ident(model);
        match self.api.models.get(model).map(|m| &m.kind) {
            Some(ModelKind::Enum(_)) => vec![call(enum_check, quote!(crate::#ty::unknown))],
            Some(ModelKind::Struct(_) | ModelKind::Union(_)) if self.validates(model) => {
                vec![call(object_check, quote!(crate::#ty::validate))]
            }
            _ => Vec::new(),
        }
    }

    /// An array field's calls: its item count, and each item's enum value or `validate()`.
    /// `None` when its items need checks written out (constraints of their own, nullable
    /// items, nested lists and maps).
    fn array_calls(
        &self,
        inner: &Type,
        c: &Constraints,
        call: &dyn Fn(&str, TokenStream) -> TokenStream,
    ) -> Option<Vec<TokenStream>> {
        let mut calls = Vec::new();
        if c.min_items.is_some() || c.max_items.is_some() {
            calls.push(call("items", usize_range(c.min_items, c.max_items)));
        }
        let item_checks = c.items.as_deref().is_some_and(|c| !c.is_empty());
        match (inner, item_checks) {
            (Type::Named(model), false) => {
                calls.extend(self.model_call(model, "choices", "each", call))
            }
            (Type::Nullable(_) | Type::Array(_) | Type::Map(_), _) | (_, true) => return None,
            // Scalars with nothing to check per item.
            _ => {}
        }
        Some(calls)
    }

    /// A field's checks written out: its value taken when present, then [`Self::checks`].
    fn general_checks(&self, f: &Field, errors: &proc_macro2::Ident) -> Option<TokenStream> {
        let fname = ident(&f.rust_name);
        let key = &f.json_name;
        let value = format_ident!("value");
        let body = self.checks(
            &quote!(#value),
            &f.ty,
            &f.constraints,
            errors,
            &quote!(#key),
        )?;
        let access = match f.presence {
            Presence::Required => return Some(quote!({ let #value = &self.#fname; #body })),
            Presence::RequiredNullable | Presence::Optional => quote!(self.#fname.as_ref()),
            Presence::OptionalNullable => quote!(self.#fname.as_value()),
        };
        Some(quote! {
            if let ::std::option::Option::Some(#value) = #access {
                #body
            }
        })
    }

    /// Code that checks `value` (a reference to a value of type `ty`) and records what fails in
    /// `sink` under `key`; `None` when there is nothing to check.
    fn checks(
        &self,
        value: &TokenStream,
        ty: &Type,
        c: &Constraints,
        sink: &proc_macro2::Ident,
        key: &TokenStream,
    ) -> Option<TokenStream> {
        let mut own = self.scalar_checks(value, ty, c);
        match ty {
            Type::Named(name) => match self.api.models.get(name).map(|m| &m.kind) {
                Some(ModelKind::Enum(_)) => {
                    own.push(
                        quote!(crate::support::check::choice(&mut messages, #value.unknown());),
                    );
                }
                Some(ModelKind::Struct(_) | ModelKind::Union(_)) if self.validates(name) => {
                    return Some(quote! {
                        if let ::std::result::Result::Err(nested) = #value.validate() {
                            #sink.add_nested(#key, nested);
                        }
                    });
                }
                _ => {}
            },
            Type::Nullable(inner) => {
                let v = format_ident!("inner");
                let body = self.checks(&quote!(#v), inner, c, sink, key)?;
                return Some(quote! {
                    if let ::std::option::Option::Some(#v) = #value.as_ref() {
                        #body
                    }
                });
            }
            Type::Array(inner) => {
                if c.min_items.is_some() || c.max_items.is_some() {
                    let min = opt_usize(c.min_items);
                    let max = opt_usize(c.max_items);
                    own.push(quote!(crate::support::check::items(&mut messages, #value.len(), #min, #max);));
                }
                let item_c = c.items.as_deref().cloned().unwrap_or_default();
                let items = self.item_checks(value, inner, &item_c, sink, key, true);
                return combine(own, items, sink, key);
            }
            Type::Map(inner) => {
                let item_c = c.items.as_deref().cloned().unwrap_or_default();
                let items = self.item_checks(value, inner, &item_c, sink, key, false);
                return combine(own, items, sink, key);
            }
            _ => {}
        }
        combine(own, None, sink, key)
    }

    /// The checks of a string's length, pattern and email form, and of a number's range:
    /// statements that push onto `messages`.
    fn scalar_checks(&self, value: &TokenStream, ty: &Type, c: &Constraints) -> Vec<TokenStream> {
        let mut own = Vec::new();
        match ty {
            Type::String => {
                if c.min_length.is_some() || c.max_length.is_some() {
                    let min = opt_usize(c.min_length);
                    let max = opt_usize(c.max_length);
                    own.push(
                        quote!(crate::support::check::length(&mut messages, #value, #min, #max);),
                    );
                }
                if let Some(p) = &c.pattern {
                    let (regex, message) = self.pattern(p);
                    own.push(quote!(crate::support::check::pattern(&mut messages, #value, &crate::patterns::#regex, #message);));
                }
                if c.email {
                    own.push(quote!(crate::support::check::email(&mut messages, #value);));
                }
            }
            Type::Integer { bits } if c.minimum.is_some() || c.maximum.is_some() => {
                let min = opt_int_bound(c.minimum);
                let max = opt_int_bound(c.maximum);
                let widened = if *bits == 64 {
                    quote!(*#value)
                } else {
                    quote!(i64::from(*#value))
                };
                own.push(
                    quote!(crate::support::check::int_range(&mut messages, #widened, #min, #max);),
                );
            }
            Type::Number if c.minimum.is_some() || c.maximum.is_some() => {
                let min = opt_float_bound(c.minimum);
                let max = opt_float_bound(c.maximum);
                own.push(quote!(crate::support::check::number_range(&mut messages, *#value, #min, #max);));
            }
            _ => {}
        }
        own
    }

    /// Checks on each item of an array (`indexed`) or each value of a map.
    fn item_checks(
        &self,
        value: &TokenStream,
        inner: &Type,
        c: &Constraints,
        sink: &proc_macro2::Ident,
        key: &TokenStream,
        indexed: bool,
    ) -> Option<TokenStream> {
        // Arrays of objects answer one entry per item, as DRF's list serializers do.
        let object = |ty: &Type| match ty {
            Type::Named(n) => matches!(
                self.api.models.get(n).map(|m| &m.kind),
                Some(ModelKind::Struct(_) | ModelKind::Union(_))
            ),
            _ => false,
        };
        if indexed && object(inner) {
            let Type::Named(n) = inner else { return None };
            if !self.validates(n) {
                return None;
            }
            return Some(quote! {
                #sink.add_items(#key, #value.iter().map(|item| item.validate().err().unwrap_or_default()).collect());
            });
        }
        if indexed {
            if let Type::Nullable(n) = inner {
                if let Type::Named(name) = n.as_ref() {
                    if object(n) && self.validates(name) {
                        return Some(quote! {
                            #sink.add_items(#key, #value.iter().map(|item| item.as_ref().and_then(|item| item.validate().err()).unwrap_or_default()).collect());
                        });
                    }
                }
            }
        }
        let inner_sink = format_ident!("{}_items", sink);
        let item = format_ident!("item");
        let item_key = format_ident!("item_key");
        // A list's key is the index made text; a map's is already a `&String`.
        let item_key_expr = if indexed {
            quote!(&#item_key)
        } else {
            quote!(#item_key)
        };
        let body = self.checks(&quote!(#item), inner, c, &inner_sink, &item_key_expr)?;
        let iter = if indexed {
            quote!(for (index, #item) in #value.iter().enumerate() { let #item_key = index.to_string(); #body })
        } else {
            quote!(for (#item_key, #item) in #value.iter() { #body })
        };
        Some(quote! {
            let mut #inner_sink = crate::support::ValidationErrors::new();
            #iter
            #sink.add_nested(#key, #inner_sink);
        })
    }
}

/// The range call for an integer field (`int_range`, or `int32_range` for 32 bits).
fn int_calls(
    bits: u8,
    c: &Constraints,
    call: &dyn Fn(&str, TokenStream) -> TokenStream,
) -> Vec<TokenStream> {
    if c.minimum.is_none() && c.maximum.is_none() {
        return Vec::new();
    }
    let check = if bits == 64 {
        "int_range"
    } else {
        "int32_range"
    };
    vec![call(check, int_range(c.minimum, c.maximum))]
}

fn combine(
    own: Vec<TokenStream>,
    items: Option<TokenStream>,
    sink: &proc_macro2::Ident,
    key: &TokenStream,
) -> Option<TokenStream> {
    if own.is_empty() && items.is_none() {
        return None;
    }
    let own = if own.is_empty() {
        quote!()
    } else {
        quote! {
            let mut messages = ::std::vec::Vec::new();
            #(#own)*
            #sink.add_messages(#key, messages);
        }
    };
    Some(quote! {
        #own
        #items
    })
}

fn opt_usize(v: Option<usize>) -> TokenStream {
    match v {
        Some(n) => {
            let n = Literal::usize_unsuffixed(n);
            quote!(::std::option::Option::Some(#n))
        }
        None => quote!(::std::option::Option::None),
    }
}

fn opt_int_bound(v: Option<(Bound, bool)>) -> TokenStream {
    match v {
        Some((b, exclusive)) => {
            let n = match b {
                Bound::Int(i) => Literal::i64_unsuffixed(i),
                Bound::Float(f) => Literal::i64_unsuffixed(f as i64),
            };
            quote!(::std::option::Option::Some((#n, #exclusive)))
        }
        None => quote!(::std::option::Option::None),
    }
}

fn opt_float_bound(v: Option<(Bound, bool)>) -> TokenStream {
    match v {
        Some((b, exclusive)) => {
            let f = match b {
                Bound::Int(i) => i as f64,
                Bound::Float(f) => f,
            };
            let n = Literal::f64_suffixed(f);
            quote!(::std::option::Option::Some((#n, #exclusive)))
        }
        None => quote!(::std::option::Option::None),
    }
}

/// `min..=max` (either end left open when absent) for lengths and item counts.
fn usize_range(min: Option<usize>, max: Option<usize>) -> TokenStream {
    let min = min.map(Literal::usize_unsuffixed);
    let max = max.map(Literal::usize_unsuffixed);
    match (min, max) {
        (Some(min), Some(max)) => quote!(#min..=#max),
        (Some(min), None) => quote!(#min..),
        (None, Some(max)) => quote!(..=#max),
        (None, None) => quote!(..),
    }
}

/// The bounds of a `minimum`/`maximum` pair as a range: `a..=b` when both are inclusive, a
/// pair of `std::ops::Bound`s when either is exclusive.
fn bounds_range(min: Option<(TokenStream, bool)>, max: Option<(TokenStream, bool)>) -> TokenStream {
    let exclusive = min.as_ref().is_some_and(|m| m.1) || max.as_ref().is_some_and(|m| m.1);
    if !exclusive {
        let min = min.map(|m| m.0);
        let max = max.map(|m| m.0);
        return match (min, max) {
            (Some(min), Some(max)) => quote!(#min..=#max),
            (Some(min), None) => quote!(#min..),
            (None, Some(max)) => quote!(..=#max),
            (None, None) => quote!(..),
        };
    }
    let end = |b: Option<(TokenStream, bool)>| match b {
        Some((v, true)) => quote!(::std::ops::Bound::Excluded(#v)),
        Some((v, false)) => quote!(::std::ops::Bound::Included(#v)),
        None => quote!(::std::ops::Bound::Unbounded),
    };
    let (min, max) = (end(min), end(max));
    quote!((#min, #max))
}

fn int_range(min: Option<(Bound, bool)>, max: Option<(Bound, bool)>) -> TokenStream {
    let lit = |(b, exclusive): (Bound, bool)| {
        let n = match b {
            Bound::Int(i) => i,
            Bound::Float(f) => f as i64,
        };
        (int_literal(n), exclusive)
    };
    bounds_range(min.map(lit), max.map(lit))
}

fn float_range(min: Option<(Bound, bool)>, max: Option<(Bound, bool)>) -> TokenStream {
    let lit = |(b, exclusive): (Bound, bool)| {
        let f = match b {
            Bound::Int(i) => i as f64,
            Bound::Float(f) => f,
        };
        (float_literal(f), exclusive)
    };
    bounds_range(min.map(lit), max.map(lit))
}

/// An integer literal; a negative one is a negation (`-50`), which a range's end and a
/// `Bound` take as it is: no parentheses, which rustc's `unused_parens` would refuse.
fn int_literal(n: i64) -> TokenStream {
    let abs = Literal::u64_unsuffixed(n.unsigned_abs());
    if n < 0 {
        quote!(-#abs)
    } else {
        quote!(#abs)
    }
}

/// A float literal, negative ones as a negation (`-0.5`), like [`int_literal`].
fn float_literal(f: f64) -> TokenStream {
    let abs = Literal::f64_unsuffixed(f.abs());
    if f.is_sign_negative() {
        quote!(-#abs)
    } else {
        quote!(#abs)
    }
}
