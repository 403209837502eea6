//! Models and value types: structs, enums, unions, and the constraints `validate()` checks.

use crate::codegen::diag::Pointer;

/// A named Rust type: a component schema, or an inline schema that needs a name of its own.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// The schema's own name (`CaptchaStage`) or, for an inline schema, the name made for it.
    pub name: String,
    pub rust_name: String,
    pub pointer: Pointer,
    pub doc: Option<String>,
    pub deprecated: bool,
    pub kind: ModelKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ModelKind {
    Struct(Struct),
    Enum(StringEnum),
    Union(Union),
    /// A schema that is just another type (`type: array`, a primitive, `allOf` of one `$ref`).
    Alias(Type, Constraints),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Struct {
    pub fields: Vec<Field>,
    /// `additionalProperties` beside `properties`: the other keys of the object, by name.
    pub additional: Option<AdditionalField>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AdditionalField {
    pub rust_name: String,
    pub ty: Type,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub json_name: String,
    pub rust_name: String,
    pub pointer: Pointer,
    pub doc: Option<String>,
    pub ty: Type,
    pub presence: Presence,
    pub read_only: bool,
    pub write_only: bool,
    pub deprecated: bool,
    pub constraints: Constraints,
    /// The field holds a model that holds the field's own model again without a `Vec` or map in
    /// between: it is boxed, or the type would have infinite size.
    pub boxed: bool,
}

/// How a field may appear in the JSON object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// Always present, never null: `T`.
    Required,
    /// Always present, may be null: `Option<T>`, serialized as `null` when unset.
    RequiredNullable,
    /// May be absent, never null: `Option<T>`, left out when unset.
    Optional,
    /// May be absent or null: three states (absent, null, value).
    OptionalNullable,
}

impl Presence {
    pub fn new(required: bool, nullable: bool) -> Self {
        match (required, nullable) {
            (true, false) => Presence::Required,
            (true, true) => Presence::RequiredNullable,
            (false, false) => Presence::Optional,
            (false, true) => Presence::OptionalNullable,
        }
    }
}

/// A string enum. Values the schema does not list decode too, kept as text.
#[derive(Clone, Debug, PartialEq)]
pub struct StringEnum {
    pub values: Vec<EnumValue>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumValue {
    pub json: String,
    pub rust_name: String,
}

/// `oneOf` with a `discriminator`: the property's value picks the variant.
#[derive(Clone, Debug, PartialEq)]
pub struct Union {
    pub property: String,
    pub variants: Vec<UnionVariant>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct UnionVariant {
    pub tag: String,
    pub rust_name: String,
    /// The Rust name of the struct model this variant carries.
    pub model: String,
    /// The variant's schema does not list the discriminator property, so serializing adds it.
    pub add_tag: bool,
}

/// A value's type, as the emitters map it to Rust.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    String,
    Uuid,
    DateTime,
    Date,
    Binary,
    Integer {
        bits: u8,
    },
    Number,
    Boolean,
    /// Free-form JSON.
    Any,
    /// A model, by Rust name.
    Named(String),
    Array(Box<Type>),
    /// An object with free keys: `additionalProperties`.
    Map(Box<Type>),
    /// `nullable` inside an array or map.
    Nullable(Box<Type>),
}

impl Type {
    /// Whether a value of this type holds a `number` (an `f64`), alone or in lists and maps.
    pub fn holds_number(&self) -> bool {
        match self {
            Type::Number => true,
            Type::Array(inner) | Type::Map(inner) | Type::Nullable(inner) => inner.holds_number(),
            _ => false,
        }
    }
}

/// A numeric bound as the schema states it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    Int(i64),
    Float(f64),
}

/// The constraints `validate()` checks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Constraints {
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub pattern: Option<String>,
    pub minimum: Option<(Bound, bool)>,
    pub maximum: Option<(Bound, bool)>,
    pub min_items: Option<usize>,
    pub max_items: Option<usize>,
    pub email: bool,
    /// Constraints on each item of an array, or each value of a map.
    pub items: Option<Box<Constraints>>,
}

impl Constraints {
    pub fn is_empty(&self) -> bool {
        *self == Constraints::default()
    }
}
