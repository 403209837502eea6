//! Surface → prior names: the names a manifest (or OLD's surface) records, by the keys lowering
//! knows items by, for the next generation to keep ([`PriorNames`]).

use super::*;
use crate::codegen::lower::{PriorNames, PriorOperation};
use std::collections::btree_map::Entry;

impl Surface {
    /// The names this surface's items have, for a generation that keeps them. A key that names
    /// two items here (a union tag given twice) gives neither a prior name.
    pub fn prior_names(&self) -> PriorNames {
        let mut prior = PriorNames::default();
        for (rust, def) in &self.types {
            if is_component(def) {
                prior.types.insert(def.schema.clone(), rust.clone());
            }
            let (parts, named) = match &def.shape {
                Shape::Struct(s) => (
                    &mut prior.fields,
                    unambiguous(s.fields.iter().map(|f| (&f.json, &f.rust))),
                ),
                Shape::Enum(e) => (
                    &mut prior.values,
                    unambiguous(e.values.iter().map(|v| (&v.json, &v.rust))),
                ),
                Shape::Union(u) => (
                    &mut prior.variants,
                    unambiguous(u.variants.iter().map(|v| (&v.tag, &v.rust))),
                ),
                Shape::Alias(_) => continue,
            };
            parts.insert(rust.clone(), named);
        }
        for op in self.resources.values().flat_map(|r| &r.operations) {
            let (method, op) = op;
            prior
                .operations
                .insert(op.operation_id.clone(), operation(method, op));
        }
        prior
    }
}

/// Whether a type is a component schema's own (its pointer is the schema's), not a type made
/// for an inline schema.
fn is_component(def: &TypeDef) -> bool {
    let own = Pointer::root()
        .push("components")
        .push("schemas")
        .push(&def.schema);
    def.pointer == own.as_str()
}

fn operation(method: &str, op: &Operation) -> PriorOperation {
    let by_place = |location: Location| {
        unambiguous(
            op.params
                .iter()
                .filter(|p| p.location == location)
                .map(|p| (&p.name, &p.rust)),
        )
    };
    PriorOperation {
        method: method.to_owned(),
        stream: op.stream.clone(),
        types: op
            .rust_types
            .request
            .strip_suffix("Request")
            .map(str::to_owned),
        path: by_place(Location::Path),
        query: by_place(Location::Query),
    }
}

/// Key → name, leaving out every key given twice.
fn unambiguous<'a>(
    pairs: impl Iterator<Item = (&'a String, &'a String)>,
) -> BTreeMap<String, String> {
    let mut named: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (key, name) in pairs {
        match named.entry(key.clone()) {
            Entry::Vacant(e) => {
                e.insert(Some(name.clone()));
            }
            Entry::Occupied(mut e) => {
                e.insert(None);
            }
        }
    }
    named
        .into_iter()
        .filter_map(|(key, name)| Some((key, name?)))
        .collect()
}
