//! Operations: path items → IR operations with their parameters, bodies and responses.

use super::refs;
use super::schemas::{nullable_wrap, RefOr};
use super::Lower;
use crate::codegen::diag::Pointer;
use crate::codegen::ir::*;
use crate::codegen::naming;
use openapiv3 as oa;

impl<'a> Lower<'a> {
    pub(super) fn lower_operation(
        &mut self,
        path: &str,
        method: Method,
        op: &'a oa::Operation,
        item: &'a oa::PathItem,
        at: &Pointer,
        resource: &str,
    ) -> Option<Operation> {
        let operation_id = op
            .operation_id
            .clone()
            .unwrap_or_else(|| naming::field_name(&format!("{} {path}", method.key()), "operation"));
        let rust_name = naming::field_name(&operation_id, "operation");
        let hint_base = naming::type_name(&operation_id, "Operation");

        // Path-level parameters apply unless the operation overrides them by name and place.
        let mut params: Vec<Param> = Vec::new();
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
            let Some((param, p_at)) = self.item_or_ref(&refs::PARAMETERS, p, &p_at) else {
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
                // Checked and set once every model is known (`facts`).
                value: ParamValue::String,
                many: false,
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
        // Path parameters are fields of the server's request (beside `query` and `body`) and
        // arguments and locals of generated functions; query parameters are fields of the query
        // struct. Each kind has its own namespace, which knows the generated code's own names.
        let mut path_names = naming::Namespace::path_params();
        let mut query_names = naming::Namespace::query_params();
        for p in &mut params {
            let names = match p.location {
                ParamLocation::Path => &mut path_names,
                ParamLocation::Query => &mut query_names,
            };
            p.rust_name = names.claim(naming::field_name(&p.name, "param"));
        }
        let path = self.path_template(path, &params, at);

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
            // Chosen with every other name (`names`).
            names: OperationNames::default(),
            method,
            path,
            pointer: at.clone(),
            doc,
            deprecated: op.deprecated,
            resource: resource.to_owned(),
            params,
            body,
            responses,
            security,
            paging: None,
            lookup: false,
        })
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
            success: matches!(status, Status::Code(200..=299)),
            status,
            doc,
            body,
            pointer: at,
        })
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
