//! Operations: path items → IR operations with their parameters, bodies and responses.

use super::refs;
use super::schemas::{nullable_wrap, RefOr};
use super::Lower;
use crate::codegen::diag::Pointer;
use crate::codegen::ir::*;
use crate::codegen::naming;
use openapiv3 as oa;

/// An operation as lowering leaves it: everything but what is settled over the whole API (its
/// method name and types' names, its resource's module, paging, the lookup), which
/// `names::settle` adds when it makes the [`Operation`].
pub(super) struct OperationDraft {
    pub(super) operation_id: String,
    pub(super) method: Method,
    pub(super) path: PathTemplate,
    pub(super) pointer: Pointer,
    pub(super) doc: Option<String>,
    pub(super) deprecated: bool,
    /// The resource as its paths name it (`captcha`), before modules are named.
    pub(super) resource_key: String,
    pub(super) params: Vec<Param>,
    pub(super) body: Option<Body>,
    pub(super) responses: Vec<Response>,
    pub(super) security: Vec<String>,
}

/// A parameter as the schema declares it, before path-level and operation-level parameters are
/// merged and names are claimed.
struct Declared {
    name: String,
    location: ParamLocation,
    pointer: Pointer,
    doc: Option<String>,
    ty: Type,
    required: bool,
    explode: bool,
    constraints: Constraints,
}

impl<'a> Lower<'a> {
    pub(super) fn lower_operation(
        &mut self,
        path: &str,
        method: Method,
        op: &'a oa::Operation,
        item: &'a oa::PathItem,
        at: &Pointer,
        resource_key: &str,
    ) -> OperationDraft {
        let operation_id = op.operation_id.clone().unwrap_or_else(|| {
            naming::field_name(&format!("{} {path}", method.key()), "operation")
        });
        let hint_base = naming::type_name(&operation_id, "Operation");
        let params = self.lower_params(path, op, item, at, &operation_id);
        let path = self.path_template(path, &params, at);
        let body = op.request_body.as_ref().and_then(|b| {
            self.lower_body(b, &at.push("requestBody"), &format!("{hint_base}_body"))
        });
        let responses = self.lower_responses(&op.responses, at, &hint_base);
        OperationDraft {
            operation_id,
            method,
            path,
            pointer: at.clone(),
            doc: operation_doc(op),
            deprecated: op.deprecated,
            resource_key: resource_key.to_owned(),
            params,
            body,
            responses,
            security: self.security(op),
        }
    }

    /// The parameters of the path item and of the operation: the operation's override the path
    /// item's of the same name and place. Path parameters are fields of the server's request
    /// (beside `query` and `body`) and arguments and locals of generated functions; query
    /// parameters are fields of the query struct. Each kind has its own namespace, which knows
    /// the generated code's own names.
    fn lower_params(
        &mut self,
        path: &str,
        op: &'a oa::Operation,
        item: &'a oa::PathItem,
        at: &Pointer,
        operation_id: &str,
    ) -> Vec<Param> {
        let hint_base = &naming::type_name(operation_id, "Operation");
        let item_at = Pointer::root().push("paths").push(path).push("parameters");
        let item_params = item
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (p, item_at.push(i.to_string())));
        let op_params = op
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (p, at.push("parameters").push(i.to_string())));
        let mut declared: Vec<Declared> = Vec::new();
        for (p, p_at) in item_params.chain(op_params) {
            let Some(param) = self.lower_param(p, &p_at, hint_base) else {
                continue;
            };
            match declared
                .iter_mut()
                .find(|q| q.name == param.name && q.location == param.location)
            {
                Some(existing) => *existing = param,
                None => declared.push(param),
            }
        }
        let rust_names = self.param_names(&declared, operation_id);
        declared
            .into_iter()
            .zip(rust_names)
            .filter_map(|(d, rust_name)| {
                let (value, many) = self.param_value(&d)?;
                Some(Param {
                    name: d.name,
                    rust_name,
                    location: d.location,
                    pointer: d.pointer,
                    doc: d.doc,
                    ty: d.ty,
                    required: d.required,
                    explode: d.explode,
                    constraints: d.constraints,
                    value,
                    many,
                })
            })
            .collect()
    }

    /// Each declared parameter's Rust name, in the namespace of its kind, keeping the names the
    /// operation's parameters had.
    fn param_names(&self, declared: &[Declared], operation_id: &str) -> Vec<String> {
        let prior = self.prior.operation(operation_id);
        let mut names = vec![String::new(); declared.len()];
        for (location, mut namespace) in [
            (ParamLocation::Path, naming::Namespace::path_params()),
            (ParamLocation::Query, naming::Namespace::query_params()),
        ] {
            let here: Vec<usize> = (0..declared.len())
                .filter(|&i| declared[i].location == location)
                .collect();
            let settled = namespace.settle(
                here.iter()
                    .map(|&i| {
                        let name = &declared[i].name;
                        let earlier = prior.and_then(|p| p.param(location, name));
                        (naming::field_name(name, "param"), earlier)
                    })
                    .collect(),
            );
            for (i, name) in here.into_iter().zip(settled) {
                names[i] = name;
            }
        }
        names
    }

    /// One parameter as declared, its schema lowered; `None` (with a diagnostic) for what is not
    /// supported.
    fn lower_param(
        &mut self,
        p: &'a oa::ReferenceOr<oa::Parameter>,
        at: &Pointer,
        hint_base: &str,
    ) -> Option<Declared> {
        let (param, p_at) = self.item_or_ref(&refs::PARAMETERS, p, at)?;
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
                let explode = parameter_data.explode.unwrap_or(true);
                (ParamLocation::Query, parameter_data, explode)
            }
            oa::Parameter::Header { .. } => {
                self.diags
                    .error(&p_at, "header parameters are not supported");
                return None;
            }
            oa::Parameter::Cookie { .. } => {
                self.diags
                    .error(&p_at, "cookie parameters are not supported");
                return None;
            }
        };
        let oa::ParameterSchemaOrContent::Schema(schema) = &data.format else {
            self.diags.error(
                &p_at,
                "a parameter with `content` instead of `schema` is not supported",
            );
            return None;
        };
        let mut lowered = self.lower_ref_or_schema(
            RefOr::from_unboxed(schema),
            &p_at.push("schema"),
            &format!("{hint_base}_{}", data.name),
        );
        Some(Declared {
            name: data.name.clone(),
            location,
            doc: data.description.clone().or(lowered.doc.take()),
            constraints: std::mem::take(&mut lowered.constraints),
            ty: nullable_wrap(lowered),
            required: data.required || location == ParamLocation::Path,
            explode,
            pointer: p_at,
        })
    }

    /// The scalar a path or query value carries, and whether the query takes a list of them;
    /// `None`, with a diagnostic, for a type neither can carry. A named type is taken to be a
    /// string enum here; `facts` checks that it is one once every model is lowered.
    fn param_value(&mut self, d: &Declared) -> Option<(ParamValue, bool)> {
        let (value, many) = match (&d.ty, d.location) {
            (Type::Array(inner), ParamLocation::Query) => (scalar(inner), true),
            (other, _) => (scalar(other), false),
        };
        match value {
            Some(value) => Some((value, many)),
            None => {
                let array = matches!(d.ty, Type::Array(_));
                self.diags
                    .error(&d.pointer, unsupported_param(d.location, array));
                None
            }
        }
    }

    /// Every documented status, and `default`; ranges (`4XX`) are refused.
    fn lower_responses(
        &mut self,
        responses: &'a oa::Responses,
        at: &Pointer,
        hint_base: &str,
    ) -> Vec<Response> {
        let mut lowered = Vec::new();
        for (code, r) in &responses.responses {
            let r_at = at.push("responses").push(code.to_string());
            let status = match code {
                oa::StatusCode::Code(c) => Status::Code(*c),
                oa::StatusCode::Range(_) => {
                    self.diags
                        .error(&r_at, "status code ranges (`4XX`) are not supported");
                    continue;
                }
            };
            let hint = format!("{hint_base}_{code}_response");
            lowered.extend(self.lower_response(status, r, &r_at, &hint));
        }
        if let Some(r) = &responses.default {
            let r_at = at.push("responses").push("default");
            let hint = format!("{hint_base}_default_response");
            lowered.extend(self.lower_response(Status::Default, r, &r_at, &hint));
        }
        if lowered.is_empty() {
            self.diags.error(
                &at.push("responses"),
                "an operation needs at least one response",
            );
        }
        lowered
    }

    /// The security schemes any one of which the operation accepts (its own requirements, else
    /// the document's); empty when it is open.
    fn security(&self, op: &oa::Operation) -> Vec<String> {
        let requirements = op.security.as_ref().or(self.doc.security.as_ref());
        match requirements {
            // An empty requirement (`{}`) means the operation may also be called without one.
            Some(reqs) if !reqs.iter().any(|r| r.is_empty()) => {
                let mut names: Vec<String> = reqs.iter().flat_map(|r| r.keys().cloned()).collect();
                names.sort();
                names.dedup();
                names
            }
            _ => Vec::new(),
        }
    }

    /// `path` parsed into its fixed text and parameters; each `{name}` segment must be a
    /// declared path parameter, and each path parameter must have its segment.
    fn path_template(&mut self, path: &str, params: &[Param], at: &Pointer) -> PathTemplate {
        let mut parts = Vec::new();
        let mut literal = String::new();
        for (i, segment) in path.split('/').enumerate() {
            if i > 0 {
                literal.push('/');
            }
            let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
                literal.push_str(segment);
                continue;
            };
            let index = params
                .iter()
                .position(|p| p.location == ParamLocation::Path && p.name == name);
            let Some(index) = index else {
                self.diags.error(
                    at,
                    format!("path parameter `{{{name}}}` is not declared in `parameters`"),
                );
                literal.push_str(segment);
                continue;
            };
            if !literal.is_empty() {
                parts.push(PathPart::Literal(std::mem::take(&mut literal)));
            }
            parts.push(PathPart::Param {
                name: name.to_owned(),
                index,
            });
        }
        if !literal.is_empty() {
            parts.push(PathPart::Literal(literal));
        }
        for (index, p) in params.iter().enumerate() {
            let in_path = parts
                .iter()
                .any(|part| matches!(part, PathPart::Param { index: i, .. } if *i == index));
            if p.location == ParamLocation::Path && !in_path {
                self.diags.error(
                    &p.pointer,
                    format!("path parameter `{}` does not appear in the path", p.name),
                );
            }
        }
        PathTemplate {
            text: path.to_owned(),
            parts,
        }
    }

    fn lower_body(
        &mut self,
        b: &'a oa::ReferenceOr<oa::RequestBody>,
        at: &Pointer,
        hint: &str,
    ) -> Option<Body> {
        let (body, at) = self.item_or_ref(&refs::REQUEST_BODIES, b, at)?;
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
        let (resp, at) = self.item_or_ref(&refs::RESPONSES, r, at)?;
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
            variant: status_variant(&status),
            success: match status {
                Status::Code(n @ 200..=299) => Some(n),
                _ => None,
            },
            status,
            doc,
            body,
            pointer: at,
        })
    }
}

/// The summary and the description, once each.
fn operation_doc(op: &oa::Operation) -> Option<String> {
    match (&op.summary, &op.description) {
        (Some(s), Some(d)) if s != d => Some(format!("{s}\n\n{d}")),
        (Some(s), _) => Some(s.clone()),
        (None, Some(d)) => Some(d.clone()),
        (None, None) => None,
    }
}

/// The scalar of one path or query value of type `ty`, if it is one.
fn scalar(ty: &Type) -> Option<ParamValue> {
    Some(match ty {
        Type::String | Type::Any => ParamValue::String,
        Type::Uuid => ParamValue::Uuid,
        Type::DateTime => ParamValue::DateTime,
        Type::Integer { bits } => ParamValue::Integer { bits: *bits },
        Type::Number => ParamValue::Number,
        Type::Boolean => ParamValue::Boolean,
        Type::Named(n) => ParamValue::Enum(n.clone()),
        Type::Nullable(inner) => return scalar(inner),
        _ => return None,
    })
}

/// Why a parameter's type cannot be carried in its place.
pub(super) fn unsupported_param(location: ParamLocation, array: bool) -> &'static str {
    match (location, array) {
        (ParamLocation::Path, _) => {
            "a path parameter must be a string, number, boolean, uuid or enum"
        }
        (ParamLocation::Query, true) => "a query parameter array of objects is not supported",
        (ParamLocation::Query, false) => "an object query parameter is not supported",
    }
}

/// A response variant's name, from its status.
fn status_variant(status: &Status) -> String {
    match status {
        Status::Code(200) => "Ok".into(),
        Status::Code(201) => "Created".into(),
        Status::Code(202) => "Accepted".into(),
        Status::Code(204) => "NoContent".into(),
        Status::Code(400) => "BadRequest".into(),
        Status::Code(401) => "Unauthorized".into(),
        Status::Code(403) => "Forbidden".into(),
        Status::Code(404) => "NotFound".into(),
        Status::Code(409) => "Conflict".into(),
        Status::Code(500) => "InternalServerError".into(),
        Status::Code(n) => format!("Status{n}"),
        Status::Default => "Default".into(),
    }
}
