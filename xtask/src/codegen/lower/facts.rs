//! Facts: what the emitters need to know about the lowered API, worked out once every model
//! exists: which parameters are which scalars, which fields are boxed, which models validate,
//! which lists are paginated, which enums parameters use, and the names of compiled patterns.

use crate::codegen::diag::Diagnostics;
use crate::codegen::ir::*;
use std::collections::{BTreeMap, BTreeSet};

/// Settles every fact on `api`, reporting parameters whose type no generated code can carry.
pub(super) fn settle(api: &mut Api, diags: &mut Diagnostics) {
    check_params(api, diags);
    mark_boxed(api);
    mark_validating(api);
    api.param_enums = param_enums(api);
    api.patterns = patterns(api);
    let paging: Vec<Option<Paging>> = api.operations.iter().map(|op| paging(api, op)).collect();
    for (op, paging) in api.operations.iter_mut().zip(paging) {
        op.paging = paging;
    }
}

/// The scalar a parameter value has, if it is one: strings, numbers, booleans, uuids, date-times
/// and string enums (nullable or not).
fn param_value(models: &BTreeMap<String, Model>, ty: &Type) -> Option<ParamValue> {
    Some(match ty {
        Type::String | Type::Any => ParamValue::String,
        Type::Uuid => ParamValue::Uuid,
        Type::DateTime => ParamValue::DateTime,
        Type::Integer { bits } => ParamValue::Integer { bits: *bits },
        Type::Number => ParamValue::Number,
        Type::Boolean => ParamValue::Boolean,
        Type::Named(n) if matches!(models.get(n).map(|m| &m.kind), Some(ModelKind::Enum(_))) => {
            ParamValue::Enum(n.clone())
        }
        Type::Nullable(inner) => return param_value(models, inner),
        _ => return None,
    })
}

fn check_params(api: &mut Api, diags: &mut Diagnostics) {
    let models = &api.models;
    for p in api
        .operations
        .iter_mut()
        .flat_map(|op| op.params.iter_mut())
    {
        let (value, many) = match (&p.ty, p.location) {
            (Type::Array(inner), ParamLocation::Query) => (param_value(models, inner), true),
            (other, _) => (param_value(models, other), false),
        };
        match value {
            Some(value) => {
                p.value = value;
                p.many = many;
            }
            None => diags.error(
                &p.pointer,
                match (p.location, &p.ty) {
                    (ParamLocation::Path, _) => {
                        "a path parameter must be a string, number, boolean, uuid or enum"
                    }
                    (ParamLocation::Query, Type::Array(_)) => {
                        "a query parameter array of objects is not supported"
                    }
                    (ParamLocation::Query, _) => "an object query parameter is not supported",
                },
            ),
        }
    }
}

/// Named types a type refers to, and whether each is reached without an indirection (a `Vec`
/// or a map) in between.
fn named_refs(ty: &Type, direct: bool, out: &mut Vec<(String, bool)>) {
    match ty {
        Type::Named(n) => out.push((n.clone(), direct)),
        Type::Nullable(inner) => named_refs(inner, direct, out),
        Type::Array(inner) | Type::Map(inner) => named_refs(inner, false, out),
        _ => {}
    }
}

/// Boxes every field that holds a model which (directly, without a `Vec` or map) holds the
/// field's own model again: such a type would have infinite size.
fn mark_boxed(api: &mut Api) {
    // Direct containment edges, and the models each model reaches through them (one graph walk
    // per model, so the work grows with models × edges, not with fields).
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut refs = Vec::new();
    for (name, m) in &api.models {
        refs.clear();
        match &m.kind {
            ModelKind::Struct(s) => s
                .fields
                .iter()
                .for_each(|f| named_refs(&f.ty, true, &mut refs)),
            ModelKind::Union(u) => u
                .variants
                .iter()
                .for_each(|v| refs.push((v.model.clone(), true))),
            _ => {}
        }
        let direct: BTreeSet<&str> = refs
            .iter()
            .filter(|(_, d)| *d)
            .filter_map(|(n, _)| api.models.get_key_value(n).map(|(k, _)| k.as_str()))
            .collect();
        edges.insert(name, direct);
    }
    let reach = |from: &'_ str| -> BTreeSet<String> {
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(n) = stack.pop() {
            if seen.insert(n) {
                if let Some(next) = edges.get(n) {
                    stack.extend(next.iter().copied());
                }
            }
        }
        seen.into_iter().map(str::to_owned).collect()
    };
    let reaches: BTreeMap<String, BTreeSet<String>> =
        api.models.keys().map(|n| (n.clone(), reach(n))).collect();
    for (name, m) in api.models.iter_mut() {
        if let ModelKind::Struct(s) = &mut m.kind {
            for f in &mut s.fields {
                let mut refs = Vec::new();
                named_refs(&f.ty, true, &mut refs);
                f.boxed = refs
                    .iter()
                    .any(|(n, direct)| *direct && reaches.get(n).is_some_and(|r| r.contains(name)));
            }
        }
    }
}

/// Marks the models whose `validate()` can report anything: constraints of their own, an enum
/// (unknown values), or a nested model that validates.
fn mark_validating(api: &mut Api) {
    let mut set: BTreeSet<String> = api
        .models
        .iter()
        .filter(|(_, m)| matches!(m.kind, ModelKind::Enum(_)))
        .map(|(n, _)| n.clone())
        .collect();
    loop {
        let before = set.len();
        for (name, m) in &api.models {
            if set.contains(name) {
                continue;
            }
            let validates = match &m.kind {
                ModelKind::Struct(s) => s.fields.iter().any(|f| {
                    let mut refs = Vec::new();
                    named_refs(&f.ty, true, &mut refs);
                    !f.constraints.is_empty() || refs.iter().any(|(n, _)| set.contains(n))
                }),
                ModelKind::Union(u) => u.variants.iter().any(|v| set.contains(&v.model)),
                _ => false,
            };
            if validates {
                set.insert(name.clone());
            }
        }
        if set.len() == before {
            break;
        }
    }
    for (name, m) in api.models.iter_mut() {
        m.validates = set.contains(name);
    }
}

/// The enums (by Rust name) that some parameter uses, alone or in a list.
fn param_enums(api: &Api) -> BTreeSet<String> {
    api.operations
        .iter()
        .flat_map(|o| &o.params)
        .filter_map(|p| match &p.value {
            ParamValue::Enum(n) => Some(n.clone()),
            _ => None,
        })
        .collect()
}

/// Every `pattern` a model checks, numbered in sorted order.
fn patterns(api: &Api) -> BTreeMap<String, String> {
    fn collect(c: &Constraints, out: &mut BTreeSet<String>) {
        if let Some(p) = &c.pattern {
            out.insert(p.clone());
        }
        if let Some(items) = &c.items {
            collect(items, out);
        }
    }
    let mut found = BTreeSet::new();
    for m in api.models.values() {
        match &m.kind {
            ModelKind::Struct(s) => s
                .fields
                .iter()
                .for_each(|f| collect(&f.constraints, &mut found)),
            ModelKind::Alias(_, c) => collect(c, &mut found),
            _ => {}
        }
    }
    found
        .into_iter()
        .enumerate()
        .map(|(i, p)| (p, format!("PATTERN_{i}")))
        .collect()
}

/// A `GET` whose 200 answer has `results` (a list) and `pagination.next`, and which takes an
/// optional integer `page` query parameter: authentik's paginated lists.
fn paging(api: &Api, op: &Operation) -> Option<Paging> {
    if op.method != "GET" || op.body.is_some() {
        return None;
    }
    let page = op
        .params
        .iter()
        .find(|p| p.location == ParamLocation::Query && p.name == "page" && !p.required)?;
    let Type::Integer { bits } = page.ty else {
        return None;
    };
    let ok = op
        .responses
        .iter()
        .find(|r| r.status == Status::Code(200))?;
    let ResponseBody::Json(Type::Named(list)) = &ok.body else {
        return None;
    };
    let ModelKind::Struct(list) = &api.models.get(list)?.kind else {
        return None;
    };
    let field = |s: &'_ Struct, name: &str| {
        s.fields
            .iter()
            .find(|f| f.json_name == name && f.presence == Presence::Required)
            .map(|f| (f.ty.clone(), f.rust_name.clone()))
    };
    let (Type::Array(item), results_field) = field(list, "results")? else {
        return None;
    };
    let (Type::Named(pagination), pagination_field) = field(list, "pagination")? else {
        return None;
    };
    let ModelKind::Struct(pagination) = &api.models.get(&pagination)?.kind else {
        return None;
    };
    let (Type::Number, next_field) = field(pagination, "next")? else {
        return None;
    };
    Some(Paging {
        page_field: page.rust_name.clone(),
        page_bits: bits,
        item: *item,
        results_field,
        pagination_field,
        next_field,
    })
}
