//! References: fields that name other objects by pk, which must name an object the store holds
//! (its stages, and the flows, stages and sources seeded from a fixtures file), answered with
//! DRF's messages.

use crate::listing::{Filter, FilterValue};
use crate::store::{self, StoreError};
use authentik_models::support::{Maybe, ValidationErrors};
use rusqlite::Connection;
use uuid::Uuid;

/// What a reference field points at.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Target {
    /// A stage of this kind (authentik's `password_stage` is a foreign key to `PasswordStage`).
    Stage(&'static str),
    /// A flow from the fixtures.
    Flow,
    /// A source from the fixtures.
    Source,
}

/// A reference field of a kind of stage, and what it must name.
pub(crate) struct Reference {
    pub field: &'static str,
    pub target: Target,
}

/// The pks a request gives in one reference field.
pub(crate) struct Referenced {
    pub field: &'static str,
    pub pks: Vec<Uuid>,
}

impl Referenced {
    /// A nullable reference, when the request gives it a pk.
    pub(crate) fn one(field: &'static str, value: &Maybe<Uuid>) -> Option<Referenced> {
        match value {
            Maybe::Value(pk) => Some(Referenced {
                field,
                pks: vec![*pk],
            }),
            Maybe::Absent | Maybe::Null => None,
        }
    }

    /// A list of references, when the request gives it.
    pub(crate) fn many(field: &'static str, value: &Option<Vec<Uuid>>) -> Option<Referenced> {
        value.as_ref().map(|pks| Referenced {
            field,
            pks: pks.clone(),
        })
    }
}

/// The pks a request names in one reference field, and what they must be.
pub(crate) struct Named {
    field: &'static str,
    target: Target,
    pks: Vec<Uuid>,
}

/// What each of `referenced` must name, by its field among `references` (a kind's).
pub(crate) fn named(references: &[Reference], referenced: Vec<Referenced>) -> Vec<Named> {
    referenced
        .into_iter()
        .map(|Referenced { field, pks }| {
            let known = references.iter().find(|r| r.field == field);
            debug_assert!(known.is_some(), "{field} is not a reference field");
            // An unknown field (a bug) checks against sources: it then refuses rather than accepts.
            let target = known.map_or(Target::Source, |r| r.target);
            Named { field, target, pks }
        })
        .collect()
}

/// What the pk filters among `filters` on a column of `references` must name.
pub(crate) fn filtered(references: &[Reference], filters: &[Filter]) -> Vec<Named> {
    let referenced = filters
        .iter()
        .filter_map(|filter| match filter.value {
            Some(FilterValue::Pk(pk)) => Some(Referenced {
                field: filter.column,
                pks: vec![pk],
            }),
            _ => None,
        })
        .filter(|r| references.iter().any(|known| known.field == r.field))
        .collect();
    named(references, referenced)
}

impl Named {
    /// The first pk that names nothing the store holds.
    fn first_missing(&self, conn: &Connection) -> Result<Option<Uuid>, StoreError> {
        for pk in &self.pks {
            let exists = match self.target {
                Target::Stage(kind) => store::stage_exists(conn, kind, *pk)?,
                Target::Flow => store::referent_exists(conn, "flow", *pk)?,
                Target::Source => store::referent_exists(conn, "source", *pk)?,
            };
            if !exists {
                return Ok(Some(*pk));
            }
        }
        Ok(None)
    }
}

/// DRF's `PrimaryKeyRelatedField` (and `ManyRelatedField`, which stops at the first bad pk of
/// its list): `{"<field>": ["Invalid pk \"<pk>\" - object does not exist."]}` per field.
pub(crate) fn check_references(
    conn: &Connection,
    named: &[Named],
) -> Result<ValidationErrors, StoreError> {
    let mut errors = ValidationErrors::new();
    for n in named {
        if let Some(pk) = n.first_missing(conn)? {
            errors.add_message(
                n.field,
                format!("Invalid pk \"{pk}\" - object does not exist."),
            );
        }
    }
    Ok(errors)
}

/// django-filter's `ModelChoiceFilter` on an unknown pk.
pub(crate) fn check_filter_references(
    conn: &Connection,
    named: &[Named],
) -> Result<ValidationErrors, StoreError> {
    let mut errors = ValidationErrors::new();
    for n in named {
        if n.first_missing(conn)?.is_some() {
            errors.add_message(
                n.field,
                "Select a valid choice. That choice is not one of the available choices.",
            );
        }
    }
    Ok(errors)
}
