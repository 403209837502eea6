//! Types: added and removed types, and what changed inside structs (fields, `Default`),
//! enums (values), unions (variants) and aliases.

use super::{Change, Document, Flow, Flows, Impact, Kind};
use crate::api::surface::{
    enum_value_pointer, AliasDef, EnumDef, Field, StructDef, Surface, TypeDef, UnionDef,
};
use std::collections::BTreeSet;

const BOTH: (Impact, Impact) = (Impact::Breaking, Impact::Breaking);
const NEITHER: (Impact, Impact) = (Impact::Compatible, Impact::Compatible);

/// Changes of one type, with what they share.
struct TypeChanges<'a> {
    name: &'a str,
    /// The type's pointer in the new document.
    pointer: &'a str,
    flow: Flow,
    out: &'a mut Vec<Change>,
}

impl TypeChanges<'_> {
    fn push(
        &mut self,
        kind: Kind,
        (pointer, document): (&str, Document),
        (client, server): (Impact, Impact),
        rust: String,
        message: String,
    ) {
        self.out.push(Change {
            kind,
            pointer: pointer.to_owned(),
            document,
            client,
            server,
            resource: None,
            type_name: Some(self.name.to_owned()),
            rust,
            message,
        });
    }
}

pub(super) fn diff_types(old: &Surface, new: &Surface, flows: &Flows, out: &mut Vec<Change>) {
    let names: BTreeSet<&String> = old.types.keys().chain(new.types.keys()).collect();
    for name in names {
        let pointer = new.types.get(name).map_or("", |t| t.pointer.as_str());
        let mut cx = TypeChanges {
            name,
            pointer,
            flow: flows.of(name),
            out: &mut *out,
        };
        match (old.types.get(name), new.types.get(name)) {
            (None, Some(def)) => cx.push(
                Kind::TypeAdded,
                (&def.pointer, Document::New),
                NEITHER,
                name.clone(),
                format!("`{name}` ({}) added", def.shape.name()),
            ),
            (Some(def), None) => cx.push(
                Kind::TypeRemoved,
                (&def.pointer, Document::Old),
                BOTH,
                name.clone(),
                format!(
                    "`{name}` ({}) removed: code that names it no longer compiles",
                    def.shape.name()
                ),
            ),
            (Some(a), Some(b)) => diff_type(&mut cx, a, b),
            (None, None) => {}
        }
    }
}

fn diff_type(cx: &mut TypeChanges<'_>, old: &TypeDef, new: &TypeDef) {
    use crate::api::surface::Shape;
    let name = cx.name;
    match (&old.shape, &new.shape) {
        (Shape::Struct(a), Shape::Struct(b)) => diff_struct(cx, a, b),
        (Shape::Enum(a), Shape::Enum(b)) => diff_enum(cx, &old.pointer, &new.pointer, a, b),
        (Shape::Union(a), Shape::Union(b)) => diff_union(cx, &new.pointer, a, b),
        (Shape::Alias(a), Shape::Alias(b)) => diff_alias(cx, &new.pointer, a, b),
        (a, b) => cx.push(
            Kind::TypeKindChanged,
            (&new.pointer, Document::New),
            BOTH,
            name.to_owned(),
            format!(
                "`{name}` was a {}, now a {}: code that uses it no longer compiles",
                a.name(),
                b.name()
            ),
        ),
    }
}

/// What changed in a struct kept from `old` to `new`: its `Default`, its fields, its map of
/// additional properties, in that order.
fn diff_struct(cx: &mut TypeChanges<'_>, old: &StructDef, new: &StructDef) {
    default_changed(cx, old, new);
    diff_fields(cx, old, new);
    additional_changed(cx, old, new);
}

/// Whether the struct gained `Default` (breaks nobody) or lost it (breaks its builders).
fn default_changed(cx: &mut TypeChanges<'_>, old: &StructDef, new: &StructDef) {
    if old.default == new.default {
        return;
    }
    let name = cx.name;
    let (impacts, message) = if new.default {
        (
            NEITHER,
            format!("`{name}` now derives `Default` (nothing in it is required)"),
        )
    } else {
        (
            cx.flow.impacts(true, false),
            format!("`{name}` no longer derives `Default` (a field is required now): `..Default::default()` on it no longer compiles"),
        )
    };
    cx.push(
        Kind::TypeDefaultChanged,
        (cx.pointer, Document::New),
        impacts,
        name.to_owned(),
        message,
    );
}

/// Each field added, kept (and what changed in it) or removed, matched by JSON name.
fn diff_fields(cx: &mut TypeChanges<'_>, old: &StructDef, new: &StructDef) {
    let name = cx.name;
    for f in &new.fields {
        match old.fields.iter().find(|o| o.json == f.json) {
            None => field_added(cx, old, new, f),
            Some(o) => diff_field(cx, o, f),
        }
    }
    for o in &old.fields {
        if !new.fields.iter().any(|f| f.json == o.json) {
            cx.push(
                Kind::FieldRemoved,
                (&o.pointer, Document::Old),
                BOTH,
                format!("{name}::{}", o.rust),
                format!(
                    "`{name}::{}` removed: code that sets or reads it no longer compiles",
                    o.rust
                ),
            );
        }
    }
}

/// Whether `additional_properties` appeared (breaks the builders unless `Default` stays),
/// disappeared or changed its value type (both break both sides).
fn additional_changed(cx: &mut TypeChanges<'_>, old: &StructDef, new: &StructDef) {
    let name = cx.name;
    let additional = format!("{}/additionalProperties", cx.pointer);
    match (&old.additional, &new.additional) {
        (None, Some(t)) => {
            let producer = !(old.default && new.default);
            cx.push(
                Kind::AdditionalPropertiesChanged,
                (&additional, Document::New),
                cx.flow.impacts(producer, false),
                format!("{name}::additional_properties"),
                format!("`{name}` gains `additional_properties: BTreeMap<String, {t}>` (`additionalProperties`): {}", literal_note(old, new, "additional_properties", "BTreeMap::new()")),
            );
        }
        (Some(_), None) => cx.push(
            Kind::AdditionalPropertiesChanged,
            (&additional, Document::Old),
            BOTH,
            format!("{name}::additional_properties"),
            format!("`{name}::additional_properties` removed: code that sets or reads it no longer compiles"),
        ),
        (Some(a), Some(b)) if a != b => cx.push(
            Kind::AdditionalPropertiesChanged,
            (&additional, Document::New),
            BOTH,
            format!("{name}::additional_properties"),
            format!("`{name}::additional_properties` now holds `{b}` (was `{a}`): code that sets or reads it no longer compiles"),
        ),
        _ => {}
    }
}

/// What an added field does to struct literals of its struct.
fn literal_note(old: &StructDef, new: &StructDef, field: &str, empty: &str) -> String {
    if old.default && new.default {
        format!("literals ending in `..Default::default()` compile as they are; one that names every field must add `{field}: {empty}`")
    } else {
        format!("the struct has required fields, so no `Default`: every struct literal of it must add `{field}: {empty}`")
    }
}

fn field_added(cx: &mut TypeChanges<'_>, old: &StructDef, new: &StructDef, f: &Field) {
    let name = cx.name;
    let rust = format!("{name}::{}", f.rust);
    let (producer, message) = if f.required {
        (
            true,
            format!(
                "`{rust}: {}` added, required: struct literals of `{name}` lack it and no longer compile",
                f.ty
            ),
        )
    } else {
        let empty = if f.nullable { "Maybe::Absent" } else { "None" };
        (
            !(old.default && new.default),
            format!(
                "`{rust}: {}` added, optional: {}",
                f.ty,
                literal_note(old, new, &f.rust, empty)
            ),
        )
    };
    cx.push(
        Kind::FieldAdded,
        (&f.pointer, Document::New),
        cx.flow.impacts(producer, false),
        rust,
        message,
    );
}

/// What changed in a field kept from `old` to `new`: its Rust name and type, its presence
/// (nullability, required-ness), its flags and its constraints, in that order.
fn diff_field(cx: &mut TypeChanges<'_>, old: &Field, new: &Field) {
    let rust = format!("{}::{}", cx.name, new.rust);
    field_renamed_or_retyped(cx, &rust, old, new);
    field_presence(cx, &rust, old, new);
    field_flags(cx, &rust, old, new);
    field_constraints(cx, &rust, old, new);
}

/// Whether the field's Rust name or its value type changed: either breaks both sides.
fn field_renamed_or_retyped(cx: &mut TypeChanges<'_>, rust: &str, old: &Field, new: &Field) {
    let name = cx.name;
    let at = (new.pointer.as_str(), Document::New);
    if old.rust != new.rust {
        cx.push(
            Kind::FieldRenamed,
            at,
            BOTH,
            rust.to_owned(),
            format!(
                "`{name}::{}` is now `{rust}` (JSON `{}`): code that names the old field no longer compiles",
                old.rust, new.json
            ),
        );
    }
    if old.base() != new.base() {
        cx.push(
            Kind::FieldTypeChanged,
            at,
            BOTH,
            rust.to_owned(),
            format!(
                "`{rust}` changes type from `{}` to `{}`: code that sets or reads it no longer compiles",
                old.ty, new.ty
            ),
        );
    }
}

/// Whether a change of nullability or required-ness changed the field's Rust type.
fn field_presence(cx: &mut TypeChanges<'_>, rust: &str, old: &Field, new: &Field) {
    let at = (new.pointer.as_str(), Document::New);
    if old.nullable != new.nullable {
        let what = if new.nullable {
            "is now nullable"
        } else {
            "is no longer nullable"
        };
        let (impacts, message) = presence_change(rust, old, new, what);
        cx.push(
            Kind::FieldNullabilityChanged,
            at,
            impacts,
            rust.to_owned(),
            message,
        );
    }
    if old.required != new.required {
        let (kind, what) = if new.required {
            (Kind::FieldRequired, "is now required")
        } else {
            (Kind::FieldOptional, "is now optional")
        };
        let (impacts, message) = presence_change(rust, old, new, what);
        cx.push(kind, at, impacts, rust.to_owned(), message);
    }
}

/// Whom a change of presence (`what`) breaks: both sides when the Rust type changes, nobody
/// when it stays (`Option<T>` serves required-nullable and optional alike).
fn presence_change(rust: &str, old: &Field, new: &Field, what: &str) -> ((Impact, Impact), String) {
    if old.ty == new.ty {
        (
            NEITHER,
            format!("`{rust}` {what}: still `{}`, so code compiles as it is; only whether it is sent as `null` or left out changes", new.ty),
        )
    } else {
        (
            BOTH,
            format!(
                "`{rust}` {what}: its type goes from `{}` to `{}`: code that sets or reads it no longer compiles",
                old.ty, new.ty
            ),
        )
    }
}

/// Which of the field's flags (`readOnly`, `writeOnly`, deprecation) changed: none breaks.
fn field_flags(cx: &mut TypeChanges<'_>, rust: &str, old: &Field, new: &Field) {
    // (kind, before, after, what when set, what when unset, the message's end)
    let flags = [
        (
            Kind::FieldReadOnlyChanged,
            old.read_only,
            new.read_only,
            "is now read-only (set by the server)",
            "is no longer read-only",
            ": the generated code only documents it",
        ),
        (
            Kind::FieldWriteOnlyChanged,
            old.write_only,
            new.write_only,
            "is now write-only: `Debug` prints it as `<redacted>`",
            "is no longer write-only: `Debug` prints it",
            "; no code changes",
        ),
        (
            Kind::FieldDeprecatedChanged,
            old.deprecated,
            new.deprecated,
            "is now deprecated: code that uses it gets a warning (an error under `-D warnings`)",
            "is no longer deprecated",
            "",
        ),
    ];
    for (kind, before, after, set, unset, end) in flags {
        if before != after {
            let what = if after { set } else { unset };
            cx.push(
                kind,
                (new.pointer.as_str(), Document::New),
                NEITHER,
                rust.to_owned(),
                format!("`{rust}` {what}{end}"),
            );
        }
    }
}

/// Each constraint keyword of the field that changed, placed in OLD when it was removed.
fn field_constraints(cx: &mut TypeChanges<'_>, rust: &str, old: &Field, new: &Field) {
    let flow = cx.flow;
    for c in super::constraints::constraint_changes(&old.constraints, &new.constraints) {
        let (message, impacts) = c.describe(rust, flow);
        let (pointer, document) = match c.new {
            Some(_) => (format!("{}/{}", new.pointer, c.keyword), Document::New),
            None => (format!("{}/{}", old.pointer, c.keyword), Document::Old),
        };
        cx.push(
            Kind::FieldConstraintChanged,
            (&pointer, document),
            impacts,
            rust.to_owned(),
            message,
        );
    }
}

fn diff_enum(
    cx: &mut TypeChanges<'_>,
    old_pointer: &str,
    new_pointer: &str,
    old: &EnumDef,
    new: &EnumDef,
) {
    let name = cx.name;
    for (i, v) in new.values.iter().enumerate() {
        let rust = format!("{name}::{}", v.rust);
        let pointer = enum_value_pointer(new_pointer, i);
        match old.values.iter().find(|o| o.json == v.json) {
            None => cx.push(
                Kind::EnumValueAdded,
                (&pointer, Document::New),
                NEITHER,
                rust.clone(),
                format!(
                    "`{rust}` ({:?}) added: `{name}` is `#[non_exhaustive]`, so every `match` on it has a `_` arm and compiles; the value, which decoded as `{name}::Unknown`, is now `{rust}`",
                    v.json
                ),
            ),
            Some(o) if o.rust != v.rust => cx.push(
                Kind::EnumValueRenamed,
                (&pointer, Document::New),
                BOTH,
                rust.clone(),
                format!(
                    "`{name}::{}` is now `{rust}` ({:?}): code that names the old variant no longer compiles",
                    o.rust, v.json
                ),
            ),
            Some(_) => {}
        }
    }
    for (i, o) in old.values.iter().enumerate() {
        if !new.values.iter().any(|v| v.json == o.json) {
            let rust = format!("{name}::{}", o.rust);
            cx.push(
                Kind::EnumValueRemoved,
                (&enum_value_pointer(old_pointer, i), Document::Old),
                BOTH,
                rust.clone(),
                format!(
                    "`{rust}` ({:?}) removed: code that names it no longer compiles; the value decodes as `{name}::Unknown` and `validate()` refuses it",
                    o.json
                ),
            );
        }
    }
}

fn diff_union(cx: &mut TypeChanges<'_>, pointer: &str, old: &UnionDef, new: &UnionDef) {
    let name = cx.name;
    let one_of = format!("{pointer}/oneOf");
    if old.property != new.property {
        cx.push(
            Kind::UnionPropertyChanged,
            (&format!("{pointer}/discriminator"), Document::New),
            NEITHER,
            name.to_owned(),
            format!(
                "`{name}` is told apart by `{}` now (was `{}`): serde follows; no code changes",
                new.property, old.property
            ),
        );
    }
    for v in &new.variants {
        let rust = format!("{name}::{}", v.rust);
        match old.variants.iter().find(|o| o.tag == v.tag) {
            None => cx.push(
                Kind::UnionVariantAdded,
                (&one_of, Document::New),
                NEITHER,
                rust.clone(),
                format!(
                    "`{rust}({})` added (tag {:?}): `{name}` is `#[non_exhaustive]`, so every `match` on it has a `_` arm and compiles; the object, which decoded as `{name}::Unknown`, is now `{rust}`",
                    v.model, v.tag
                ),
            ),
            Some(o) if o.rust != v.rust || o.model != v.model => cx.push(
                Kind::UnionVariantChanged,
                (&one_of, Document::New),
                BOTH,
                rust.clone(),
                format!(
                    "tag {:?} of `{name}` is now `{rust}({})` (was `{name}::{}({})`): code that builds or matches it no longer compiles",
                    v.tag, v.model, o.rust, o.model
                ),
            ),
            Some(_) => {}
        }
    }
    for o in &old.variants {
        if !new.variants.iter().any(|v| v.tag == o.tag) {
            let rust = format!("{name}::{}", o.rust);
            cx.push(
                Kind::UnionVariantRemoved,
                (&one_of, Document::Old),
                BOTH,
                rust.clone(),
                format!(
                    "`{rust}` (tag {:?}) removed: code that builds or matches it no longer compiles",
                    o.tag
                ),
            );
        }
    }
}

fn diff_alias(cx: &mut TypeChanges<'_>, pointer: &str, old: &AliasDef, new: &AliasDef) {
    let name = cx.name;
    let flow = cx.flow;
    if old.ty != new.ty {
        cx.push(
            Kind::AliasChanged,
            (pointer, Document::New),
            BOTH,
            name.to_owned(),
            format!(
                "`type {name}` is now `{}` (was `{}`): code that uses it no longer compiles",
                new.ty, old.ty
            ),
        );
    }
    for c in super::constraints::constraint_changes(&old.constraints, &new.constraints) {
        let (message, impacts) = c.describe(name, flow);
        cx.push(
            Kind::TypeConstraintChanged,
            (&format!("{pointer}/{}", c.keyword), Document::New),
            impacts,
            name.to_owned(),
            message,
        );
    }
}
