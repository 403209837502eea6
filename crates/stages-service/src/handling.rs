//! The operations every kind of stage has, written once over its [`StageKind`] description:
//! list, create, retrieve, update, partial update, destroy, `used_by`, and the router's
//! `object_exists`. Each answers with the generated response types, which are the same
//! generic enums for every kind ([`authentik_server::responses`]); [`serve_stage_kind!`]
//! implements a kind's generated trait with them.

use crate::failure::Failure;
use crate::kind::StageKind;
use crate::references::{self, check_filter_references, check_references, Named};
use crate::store::{self, Columns, Row};
use crate::{listing, StagesService, NAME, PK};
use authentik_models::{GenericError, UsedBy, UsedByActionEnum, ValidationError};
use authentik_server::responses::{
    CreatedOrBadRequestOrForbidden, NoContentOrBadRequestOrForbidden, OkOrBadRequestOrForbidden,
};
use authentik_server::ApiError;
use rusqlite::Connection;
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

/// A 200 answer with `T`, or its 400.
pub(crate) type OkAnswer<T> = OkOrBadRequestOrForbidden<T, ValidationError, GenericError>;
/// A 201 answer with `T`, or its 400.
pub(crate) type CreatedAnswer<T> = CreatedOrBadRequestOrForbidden<T, ValidationError, GenericError>;
/// A 204 answer, or its 400.
pub(crate) type NoContentAnswer = NoContentOrBadRequestOrForbidden<ValidationError, GenericError>;

/// The operations as the generated traits' methods answer them.
impl StagesService {
    pub(crate) async fn list<K: StageKind>(
        &self,
        query: K::Query,
    ) -> Result<OkAnswer<K::Page>, ApiError> {
        answer(self.read_page::<K>(query).await, OkAnswer::Ok)
    }

    pub(crate) async fn create<K: StageKind>(
        &self,
        body: K::Request,
    ) -> Result<CreatedAnswer<K::Model>, ApiError> {
        answer(self.insert_stage::<K>(body).await, CreatedAnswer::Created)
    }

    pub(crate) async fn retrieve<K: StageKind>(
        &self,
        uuid: Uuid,
    ) -> Result<OkAnswer<K::Model>, ApiError> {
        answer(self.read_stage::<K>(uuid).await, OkAnswer::Ok)
    }

    /// A full update is a patch that names every field the body gives.
    pub(crate) async fn update<K: StageKind>(
        &self,
        uuid: Uuid,
        body: K::Request,
    ) -> Result<OkAnswer<K::Model>, ApiError> {
        self.partial_update::<K>(uuid, K::full_patch(body)).await
    }

    pub(crate) async fn partial_update<K: StageKind>(
        &self,
        uuid: Uuid,
        patch: K::Patch,
    ) -> Result<OkAnswer<K::Model>, ApiError> {
        answer(self.patch_stage::<K>(uuid, patch).await, OkAnswer::Ok)
    }

    pub(crate) async fn destroy<K: StageKind>(
        &self,
        uuid: Uuid,
    ) -> Result<NoContentAnswer, ApiError> {
        answer(self.delete_stage::<K>(uuid).await, |()| {
            NoContentAnswer::NoContent
        })
    }

    /// authentik looks the stage up before it reads a request to it: an unknown stage answers
    /// 404 even when the body is wrong too.
    pub(crate) async fn exists<K: StageKind>(&self, uuid: Uuid) -> Result<bool, ApiError> {
        let exists = self
            .store
            .read(move |conn| store::stage_exists(conn, K::KIND, uuid))
            .await;
        exists.map_err(|e| api_error(e.into()))
    }

    /// What uses the stage `uuid`: the stages that reference it.
    pub(crate) async fn used_by<K: StageKind>(
        &self,
        uuid: Uuid,
    ) -> Result<OkAnswer<Vec<UsedBy>>, ApiError> {
        answer(self.read_used_by::<K>(uuid).await, OkAnswer::Ok)
    }
}

/// `result` as an operation's answer: `success` with its value, or the 400 or other error.
fn answer<T, R>(result: Result<T, Failure>, success: impl FnOnce(T) -> R) -> Result<R, ApiError>
where
    R: From<BadRequest>,
{
    match result {
        Ok(value) => Ok(success(value)),
        Err(Failure::BadRequest(errors)) => Ok(BadRequest(errors).into()),
        Err(Failure::Api(e)) => Err(e),
    }
}

/// A 400 body, for [`answer`] to put in whichever response enum the operation has.
struct BadRequest(ValidationError);

impl<T> From<BadRequest> for OkAnswer<T> {
    fn from(BadRequest(errors): BadRequest) -> Self {
        OkAnswer::BadRequest(errors)
    }
}

impl<T> From<BadRequest> for CreatedAnswer<T> {
    fn from(BadRequest(errors): BadRequest) -> Self {
        CreatedAnswer::BadRequest(errors)
    }
}

impl From<BadRequest> for NoContentAnswer {
    fn from(BadRequest(errors): BadRequest) -> Self {
        NoContentAnswer::BadRequest(errors)
    }
}

/// An error of an operation that has no 400 of its own to give.
fn api_error(failure: Failure) -> ApiError {
    match failure {
        Failure::Api(e) => e,
        Failure::BadRequest(errors) => ApiError::internal(format!("unexpected 400: {errors:?}")),
    }
}

/// The operations on the store, each one read or one write transaction.
impl StagesService {
    /// One page of a kind's stages, or the 400 for a filter that names an unknown object.
    async fn read_page<K: StageKind>(&self, query: K::Query) -> Result<K::Page, Failure> {
        let list = K::list_query(query);
        let filtered = references::filtered(K::REFERENCES, &list.filters);
        let sql = list.sql(K::ORDERING_FIELDS);
        let page = list.page;
        let (rows, plan) = self
            .store
            .read(move |conn| {
                Failure::unless_any(check_filter_references(conn, &filtered)?)?;
                let selection = store::Selection {
                    kind: K::KIND,
                    clause: &sql.clause,
                    params: &sql.params,
                    order: &sql.order,
                };
                let count = store::count(conn, &selection)?;
                let plan = listing::plan(page, count).map_err(|_| ApiError::InvalidPage)?;
                let rows = store::page(conn, &selection, plan.limit, plan.offset)?;
                Ok::<_, Failure>((rows, plan))
            })
            .await?;
        let pagination = plan.pagination(rows.len());
        let results = rows.iter().map(|r| decode(r)).collect::<Result<_, _>>()?;
        Ok(K::page(pagination, results))
    }

    /// Stores a new stage, unless its references name unknown objects or its name is taken.
    async fn insert_stage<K: StageKind>(&self, body: K::Request) -> Result<K::Model, Failure> {
        let pk = Uuid::new_v4();
        let mut stage = K::new_stage(pk);
        let patch = K::full_patch(body);
        let named = references::named(K::REFERENCES, K::referenced(&patch));
        let mut secret = None;
        K::apply(&mut stage, &mut secret, patch);
        let row = Row {
            data: encode(&stage)?,
            secret,
            columns: columns::<K>(&stage),
        };
        let name = K::name(&stage).to_owned();
        self.store
            .write(move |conn| {
                refuse_references(conn, &named, &name, None)?;
                store::insert(conn, K::KIND, pk, &name, &row)?;
                Ok::<_, Failure>(())
            })
            .await?;
        Ok(stage)
    }

    async fn read_stage<K: StageKind>(&self, uuid: Uuid) -> Result<K::Model, Failure> {
        let row = self
            .store
            .read(move |conn| store::get(conn, K::KIND, uuid))
            .await?;
        Ok(decode(&row.data)?)
    }

    /// Applies `patch` to a stored stage in one transaction, unless its references name unknown
    /// objects or the new name is taken.
    async fn patch_stage<K: StageKind>(
        &self,
        uuid: Uuid,
        patch: K::Patch,
    ) -> Result<K::Model, Failure> {
        let named = references::named(K::REFERENCES, K::referenced(&patch));
        self.store
            .write(move |conn| {
                let mut row = store::get(conn, K::KIND, uuid)?;
                let mut stage: K::Model = decode(&row.data)?;
                let old_name = K::name(&stage).to_owned();
                K::apply(&mut stage, &mut row.secret, patch);
                let name = K::name(&stage).to_owned();
                refuse_references(conn, &named, &name, Some(uuid))?;
                row.data = encode(&stage)?;
                row.columns = columns::<K>(&stage);
                let renamed = (name != old_name).then_some(name.as_str());
                store::replace(conn, uuid, renamed, &row)?;
                Ok(stage)
            })
            .await
    }

    /// Deletes a stage and clears the references to it (authentik's `SET_NULL`).
    async fn delete_stage<K: StageKind>(&self, uuid: Uuid) -> Result<(), Failure> {
        let referencing = self.store.columns_referencing(K::KIND);
        self.store
            .write(move |conn| store::delete(conn, K::KIND, uuid, &referencing))
            .await?;
        Ok(())
    }

    async fn read_used_by<K: StageKind>(&self, uuid: Uuid) -> Result<Vec<UsedBy>, Failure> {
        let referencing = self.store.columns_referencing(K::KIND);
        let rows = self
            .store
            .read(move |conn| {
                store::get(conn, K::KIND, uuid)?;
                let mut rows = Vec::new();
                for column in referencing {
                    rows.extend(store::referencing(conn, column, uuid)?);
                }
                Ok::<_, Failure>(rows)
            })
            .await?;
        rows.into_iter()
            .map(|(kind, data)| used_by(&kind, &decode(&data)?))
            .collect()
    }
}

/// The `used_by` entry of a stage of `kind` whose document is `data`.
fn used_by(kind: &str, data: &Value) -> Result<UsedBy, Failure> {
    let text = |field: &str| {
        data.get(field)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    Ok(UsedBy {
        app: format!("authentik_stages_{kind}"),
        model_name: format!("{kind}stage"),
        pk: text(PK),
        name: text(NAME),
        action: UsedByActionEnum::SetNull,
    })
}

/// The 400 for references that name unknown objects, with the taken name among them when it is
/// (DRF reports every failing field at once). A taken name alone is the store's to find.
fn refuse_references(
    conn: &Connection,
    named: &[Named],
    name: &str,
    except: Option<Uuid>,
) -> Result<(), Failure> {
    let mut errors = check_references(conn, named)?;
    if !errors.is_empty() && store::name_taken(conn, name, except)? {
        errors.add_message(NAME, crate::failure::NAME_TAKEN);
    }
    Failure::unless_any(errors)
}

/// The columns the store keeps beside `stage`'s document.
fn columns<K: StageKind>(stage: &K::Model) -> Columns {
    Columns(
        K::COLUMNS
            .iter()
            .map(|column| (column.name, (column.value)(stage)))
            .collect(),
    )
}

fn decode<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(ApiError::internal)
}

fn encode<T: serde::Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(ApiError::internal)
}

/// Implements a kind's generated resource trait (`CaptchaApi`) for [`StagesService`] with the
/// operations above. The trait's methods and their request and response types are named after
/// the resource, so the kind names them; everything they do is the kind's [`StageKind`].
macro_rules! serve_stage_kind {
    (
        $kind:ty => $api:path {
            list: $list:ident($list_req:ty) -> $list_res:ty,
            create: $create:ident($create_req:ty) -> $create_res:ty,
            retrieve: $retrieve:ident($retrieve_req:ty) -> $retrieve_res:ty,
            update: $update:ident($update_req:ty) -> $update_res:ty,
            partial_update: $patch:ident($patch_req:ty) -> $patch_res:ty,
            destroy: $destroy:ident($destroy_req:ty) -> $destroy_res:ty,
            used_by: $used_by:ident($used_by_req:ty) -> $used_by_res:ty $(,)?
        }
    ) => {
        impl $api for $crate::StagesService {
            async fn $list(
                &self,
                _: &(),
                request: $list_req,
            ) -> Result<$list_res, ::authentik_server::ApiError> {
                self.list::<$kind>(request.query).await
            }

            async fn $create(
                &self,
                _: &(),
                request: $create_req,
            ) -> Result<$create_res, ::authentik_server::ApiError> {
                self.create::<$kind>(request.body).await
            }

            async fn $retrieve(
                &self,
                _: &(),
                request: $retrieve_req,
            ) -> Result<$retrieve_res, ::authentik_server::ApiError> {
                self.retrieve::<$kind>(request.stage_uuid).await
            }

            async fn $update(
                &self,
                _: &(),
                request: $update_req,
            ) -> Result<$update_res, ::authentik_server::ApiError> {
                self.update::<$kind>(request.stage_uuid, request.body).await
            }

            async fn $patch(
                &self,
                _: &(),
                request: $patch_req,
            ) -> Result<$patch_res, ::authentik_server::ApiError> {
                let patch = request.body.unwrap_or_default();
                self.partial_update::<$kind>(request.stage_uuid, patch)
                    .await
            }

            async fn $destroy(
                &self,
                _: &(),
                request: $destroy_req,
            ) -> Result<$destroy_res, ::authentik_server::ApiError> {
                self.destroy::<$kind>(request.stage_uuid).await
            }

            async fn object_exists(
                &self,
                _: Option<&()>,
                _: &'static str,
                key: &::uuid::Uuid,
            ) -> Result<bool, ::authentik_server::ApiError> {
                self.exists::<$kind>(*key).await
            }

            async fn $used_by(
                &self,
                _: &(),
                request: $used_by_req,
            ) -> Result<$used_by_res, ::authentik_server::ApiError> {
                self.used_by::<$kind>(request.stage_uuid).await
            }
        }
    };
}
pub(crate) use serve_stage_kind;
