//! Facts: what the emitters need to know about the lowered API, worked out once every model
//! exists: which parameters are which scalars, which fields are boxed, which models validate,
//! which lists are paginated, which enums parameters use, and the names of compiled patterns.

use crate::codegen::diag::Diagnostics;
use crate::codegen::ir::*;
use crate::codegen::naming;
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
/// field's own model again: such a type would have infinite size. A field from model A to model
/// B closes such a loop exactly when A and B are in the same strongly connected component of the
/// direct-containment graph, which one linear pass (Tarjan's) finds.
fn mark_boxed(api: &mut Api) {
    let names: Vec<&String> = api.models.keys().collect();
    let index: BTreeMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
    let mut refs = Vec::new();
    for (i, m) in api.models.values().enumerate() {
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
        edges[i] = refs
            .iter()
            .filter(|(_, direct)| *direct)
            .filter_map(|(n, _)| index.get(n.as_str()).copied())
            .collect();
    }
    let component = strongly_connected(&edges);
    let component_of = |name: &str| index.get(name).map(|&i| component[i]);
    let mut boxed: Vec<(usize, usize)> = Vec::new();
    for (i, m) in api.models.values().enumerate() {
        if let ModelKind::Struct(s) = &m.kind {
            for (j, f) in s.fields.iter().enumerate() {
                let mut refs = Vec::new();
                named_refs(&f.ty, true, &mut refs);
                if refs
                    .iter()
                    .any(|(n, direct)| *direct && component_of(n) == Some(component[i]))
                {
                    boxed.push((i, j));
                }
            }
        }
    }
    let mut models: Vec<&mut Model> = api.models.values_mut().collect();
    for (i, j) in boxed {
        if let ModelKind::Struct(s) = &mut models[i].kind {
            s.fields[j].boxed = true;
        }
    }
}

/// The strongly connected component of every node (Tarjan's algorithm, without recursion).
fn strongly_connected(edges: &[Vec<usize>]) -> Vec<usize> {
    const NONE: usize = usize::MAX;
    let n = edges.len();
    let mut order = vec![NONE; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut component = vec![NONE; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut components = 0;
    for root in 0..n {
        if order[root] != NONE {
            continue;
        }
        // (node, index of the next edge to follow)
        let mut work = vec![(root, 0)];
        while let Some(&mut (v, ref mut e)) = work.last_mut() {
            if *e == 0 && order[v] == NONE {
                order[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = edges[v].get(*e) {
                *e += 1;
                if order[w] == NONE {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(order[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == order[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component[w] = components;
                    if w == v {
                        break;
                    }
                }
                components += 1;
            }
        }
    }
    component
}

/// Marks the models whose `validate()` can report anything: constraints of their own, an enum
/// (unknown values), or a nested model that validates. One pass over the reversed references.
fn mark_validating(api: &mut Api) {
    let mut users: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut queue: Vec<String> = Vec::new();
    for (name, m) in &api.models {
        let mut refs = Vec::new();
        let own = match &m.kind {
            ModelKind::Enum(_) => true,
            ModelKind::Struct(s) => {
                for f in &s.fields {
                    named_refs(&f.ty, true, &mut refs);
                }
                s.fields.iter().any(|f| !f.constraints.is_empty())
            }
            ModelKind::Union(u) => {
                refs.extend(u.variants.iter().map(|v| (v.model.clone(), true)));
                false
            }
            ModelKind::Alias(..) => false,
        };
        for (target, _) in refs {
            users.entry(target).or_default().push(name.clone());
        }
        if own {
            queue.push(name.clone());
        }
    }
    let mut validating: BTreeSet<String> = BTreeSet::new();
    while let Some(name) = queue.pop() {
        if !validating.insert(name.clone()) {
            continue;
        }
        // Aliases do not validate themselves; only structs and unions inherit.
        for user in users.get(&name).into_iter().flatten() {
            let inherits = api
                .models
                .get(user)
                .is_some_and(|m| matches!(m.kind, ModelKind::Struct(_) | ModelKind::Union(_)));
            if inherits && !validating.contains(user) {
                queue.push(user.clone());
            }
        }
    }
    for (name, m) in api.models.iter_mut() {
        m.validates = validating.contains(name);
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

/// Every `pattern` a model checks, named after the first field (in model, then field order)
/// that checks it: `FLOW_SET_SLUG`. A pattern keeps its name when others come and go; only
/// removing the field that names it renames it. Names are unique (`_2` on a clash).
fn patterns(api: &Api) -> BTreeMap<String, String> {
    fn collect(c: &Constraints, user: &str, out: &mut Vec<(String, String)>) {
        if let Some(p) = &c.pattern {
            out.push((p.clone(), user.to_owned()));
        }
        if let Some(items) = &c.items {
            collect(items, user, out);
        }
    }
    let mut uses = Vec::new();
    for m in api.models.values() {
        match &m.kind {
            ModelKind::Struct(s) => {
                for f in &s.fields {
                    let field = f.rust_name.trim_start_matches("r#");
                    collect(
                        &f.constraints,
                        &format!("{}_{field}", m.rust_name),
                        &mut uses,
                    );
                }
            }
            ModelKind::Alias(_, c) => collect(c, &m.rust_name, &mut uses),
            _ => {}
        }
    }
    let mut names = naming::Namespace::default();
    let mut patterns = BTreeMap::new();
    for (pattern, user) in uses {
        patterns
            .entry(pattern)
            .or_insert_with(|| names.claim(naming::shouty(&user)));
    }
    patterns
}

/// A `GET` whose 200 answer has `results` (a list) and `pagination.next`, and which takes an
/// optional integer `page` query parameter: authentik's paginated lists.
fn paging(api: &Api, op: &Operation) -> Option<Paging> {
    if op.method != Method::Get || op.body.is_some() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_join_nodes_on_a_cycle_and_only_those() {
        // 0 <-> 1 -> 2 (a loop on itself) -> 3
        let edges = vec![vec![1], vec![0, 2], vec![2, 3], vec![]];
        let c = strongly_connected(&edges);
        assert_eq!(c[0], c[1]);
        assert_ne!(c[1], c[2]);
        assert_ne!(c[2], c[3]);
        // A long chain does not recurse.
        let chain: Vec<Vec<usize>> = (0..100_000).map(|i| vec![i + 1]).chain([vec![0]]).collect();
        let c = strongly_connected(&chain);
        assert!(c.iter().all(|&x| x == c[0]));
    }
}
