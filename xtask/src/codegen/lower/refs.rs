//! `$ref`s: the one resolver for every kind of component the generator follows.

use super::{unescape, Lower};
use crate::codegen::diag::Pointer;
use indexmap::IndexMap;
use openapiv3 as oa;

/// How deep a chain of references may go before it is called a cycle.
const MAX_CHAIN: usize = 32;

/// The pointer of `#/components/<section>/<name>`.
pub(super) fn component_pointer(section: &str, name: &str) -> Pointer {
    Pointer::root().push("components").push(section).push(name)
}

/// A kind of component a `$ref` may point at.
pub(super) struct Section<T: 'static> {
    /// The key under `#/components` (`schemas`).
    pub name: &'static str,
    /// What its entries are called in messages (`schema`).
    pub what: &'static str,
    pub entries: fn(&oa::Components) -> &IndexMap<String, oa::ReferenceOr<T>>,
}

pub(super) const SCHEMAS: Section<oa::Schema> = Section {
    name: "schemas",
    what: "schema",
    entries: |c| &c.schemas,
};
pub(super) const PARAMETERS: Section<oa::Parameter> = Section {
    name: "parameters",
    what: "parameter",
    entries: |c| &c.parameters,
};
pub(super) const REQUEST_BODIES: Section<oa::RequestBody> = Section {
    name: "requestBodies",
    what: "request body",
    entries: |c| &c.request_bodies,
};
pub(super) const RESPONSES: Section<oa::Response> = Section {
    name: "responses",
    what: "response",
    entries: |c| &c.responses,
};

/// What a reference resolved to.
pub(super) struct Resolved<'a, T> {
    /// The component's name (`CaptchaStage`).
    pub name: String,
    pub item: &'a T,
    /// Where the component stands (`#/components/schemas/CaptchaStage`).
    pub pointer: Pointer,
}

impl<'a> Lower<'a> {
    /// Follows `reference` (found at `at`) into `section`, through chains of references; reports
    /// a reference elsewhere, to nothing, or in a cycle, and answers `None` for it.
    pub(super) fn resolve<T>(
        &mut self,
        section: &Section<T>,
        reference: &str,
        at: &Pointer,
    ) -> Option<Resolved<'a, T>> {
        let prefix = format!("#/components/{}/", section.name);
        let mut current = reference.to_owned();
        for _ in 0..MAX_CHAIN {
            let name = match current.strip_prefix(&prefix) {
                Some(name) if !name.contains('/') => unescape(name),
                _ => {
                    self.diags.error(
                        at,
                        format!(
                            "`$ref: {current}` is not supported: only references to `#/components/{}/<name>` are",
                            section.name
                        ),
                    );
                    return None;
                }
            };
            let doc: &'a oa::OpenAPI = self.doc;
            match doc
                .components
                .as_ref()
                .and_then(|c| (section.entries)(c).get(&name))
            {
                Some(oa::ReferenceOr::Item(item)) => {
                    return Some(Resolved {
                        pointer: component_pointer(section.name, &name),
                        name,
                        item,
                    })
                }
                Some(oa::ReferenceOr::Reference { reference: next }) => current = next.clone(),
                None => {
                    self.diags.error(
                        at,
                        format!(
                            "`$ref: {current}` points at no {} (it does not point at a {} in `#/components/{}`)",
                            section.what, section.what, section.name
                        ),
                    );
                    return None;
                }
            }
        }
        self.diags
            .error(at, format!("`$ref: {reference}` is a reference cycle"));
        None
    }

    /// An inline item, or the component its reference resolves to, with the pointer it stands at.
    pub(super) fn item_or_ref<T>(
        &mut self,
        section: &Section<T>,
        value: &'a oa::ReferenceOr<T>,
        at: &Pointer,
    ) -> Option<(&'a T, Pointer)> {
        match value {
            oa::ReferenceOr::Item(item) => Some((item, at.clone())),
            oa::ReferenceOr::Reference { reference } => self
                .resolve(section, reference, at)
                .map(|r| (r.item, r.pointer)),
        }
    }
}
