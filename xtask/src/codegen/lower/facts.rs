//! Facts: what the emitters need to know about the lowered API, worked out once every model
//! exists: which parameters are which scalars, which fields are boxed, which models validate,
//! which lists are paginated, which enums parameters use, and the names of compiled patterns.

use super::operations::{unsupported_param, OperationDraft};
use crate::codegen::diag::Diagnostics;
use crate::codegen::ir::*;
use crate::codegen::naming;
use std::collections::{BTreeMap, BTreeSet};

/// Reports each parameter whose named type is not a string enum (the only model a path or a
/// query value can be).
pub(super) fn check_param_enums(
    operations: &[OperationDraft],
    models: &BTreeMap<String, Model>,
    diags: &mut Diagnostics,
) {
    for p in operations.iter().flat_map(|op| &op.params) {
        let ParamValue::Enum(name) = &p.value else {
            continue;
        };
        if !matches!(models.get(name).map(|m| &m.kind), Some(ModelKind::Enum(_))) {
            let array = matches!(p.ty, Type::Array(_));
            diags.error(&p.pointer, unsupported_param(p.location, array));
        }
    }
}

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
pub(super) fn mark_boxed(all: &mut BTreeMap<String, Model>) {
    let names: Vec<&String> = all.keys().collect();
    let index: BTreeMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
    let mut refs = Vec::new();
    for (i, m) in all.values().enumerate() {
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
    for (i, m) in all.values().enumerate() {
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
    let mut models: Vec<&mut Model> = all.values_mut().collect();
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

/// The models whose `validate()` can report anything: constraints of their own, an enum
/// (unknown values), or a nested model that validates. One pass over the reversed references.
pub(super) fn validating(models: &BTreeMap<String, Model>) -> BTreeSet<String> {
    let mut users: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut queue: Vec<String> = Vec::new();
    for (name, m) in models {
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
            let inherits = models
                .get(user)
                .is_some_and(|m| matches!(m.kind, ModelKind::Struct(_) | ModelKind::Union(_)));
            if inherits && !validating.contains(user) {
                queue.push(user.clone());
            }
        }
    }
    validating
}

/// The enums (by Rust name) that some parameter uses, alone or in a list.
pub(super) fn param_enums(operations: &[OperationDraft]) -> BTreeSet<String> {
    operations
        .iter()
        .flat_map(|o| &o.params)
        .filter_map(|p| match &p.value {
            ParamValue::Enum(n) => Some(n.clone()),
            _ => None,
        })
        .collect()
}

/// DRF's slug pattern (a `SlugField`'s) and its message; any other pattern gets
/// [`Pattern::GENERIC_MESSAGE`].
const SLUG_PATTERN: &str = "^[-a-zA-Z0-9_]+$";
const SLUG_MESSAGE: &str =
    "Enter a valid \"slug\" consisting of letters, numbers, underscores or hyphens.";

/// Every `pattern` a model checks, with DRF's message for it, named after the first field (in model, then field order)
/// that checks it: `FLOW_SET_SLUG`. A pattern keeps its name when others come and go; only
/// removing the field that names it renames it. Names are unique (`_2` on a clash).
pub(super) fn patterns(models: &BTreeMap<String, Model>) -> BTreeMap<String, Pattern> {
    fn collect(c: &Constraints, user: &str, out: &mut Vec<(String, String)>) {
        if let Some(p) = &c.pattern {
            out.push((p.clone(), user.to_owned()));
        }
        if let Some(items) = &c.items {
            collect(items, user, out);
        }
    }
    let mut uses = Vec::new();
    for m in models.values() {
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
        let message = if pattern == SLUG_PATTERN {
            SLUG_MESSAGE
        } else {
            Pattern::GENERIC_MESSAGE
        };
        patterns.entry(pattern).or_insert_with(|| Pattern {
            static_name: names.claim(naming::shouty(&user)),
            message,
        });
    }
    patterns
}

/// A `GET` whose 200 answer has `results` (a list) and `pagination.next`, and which takes an
/// optional integer `page` query parameter: authentik's paginated lists.
pub(super) fn paging(models: &BTreeMap<String, Model>, op: &OperationDraft) -> Option<Paging> {
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
    let ModelKind::Struct(list) = &models.get(list)?.kind else {
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
    let ModelKind::Struct(pagination) = &models.get(&pagination)?.kind else {
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
