//! Small helpers shared by the queries.

use crate::error::{StoreError, StoreResult};
use chrono::{NaiveDateTime, Timelike, Utc};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow, Queryable};
use diesel::sql_types::{Nullable, Text};

/// Now, in UTC, truncated to microseconds (PostgreSQL's precision) so a value reads back
/// equal on both backends.
pub fn now() -> NaiveDateTime {
    let t = Utc::now().naive_utc();
    t.with_nanosecond(t.nanosecond() / 1_000 * 1_000).unwrap_or(t)
}

/// A new identifier: UUID v7, time-ordered, stored as text.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A required free text: trimmed, not empty, at most `max` characters.
pub fn required_text(field: &'static str, value: &str, max: usize) -> StoreResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(StoreError::invalid(field, "must not be empty"));
    }
    if v.chars().count() > max {
        return Err(StoreError::invalid(field, format!("longer than {max} characters")));
    }
    Ok(v.to_owned())
}

/// An optional free text: trimmed, empty becomes `None`.
pub fn optional_text(field: &'static str, value: Option<&str>, max: usize) -> StoreResult<Option<String>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => required_text(field, v, max).map(Some),
    }
}

/// Reads a nullable text column into `Option<T>` through `T: TryFrom<String>`, so row types
/// hold parsed core values (`Option<ThreatType>`) rather than strings.
#[derive(Debug)]
pub struct Parsed<T>(pub Option<T>);

impl<T, DB> Queryable<Nullable<Text>, DB> for Parsed<T>
where
    DB: Backend,
    Option<String>: FromSql<Nullable<Text>, DB> + FromSqlRow<Nullable<Text>, DB>,
    T: TryFrom<String>,
    T::Error: std::error::Error + Send + Sync + 'static,
{
    type Row = Option<String>;

    fn build(row: Option<String>) -> deserialize::Result<Self> {
        Ok(Parsed(row.map(T::try_from).transpose()?))
    }
}

impl<T> From<Parsed<T>> for Option<T> {
    fn from(value: Parsed<T>) -> Self {
        value.0
    }
}

/// Reads a nullable text column into `Option<T>` when it holds a value in clear, and into
/// `None` when it does not parse (a sealed value, opened into the field afterwards from a
/// field of its own).
#[derive(Debug)]
pub struct ClearOnly<T>(pub Option<T>);

impl<T, DB> Queryable<Nullable<Text>, DB> for ClearOnly<T>
where
    DB: Backend,
    Option<String>: FromSql<Nullable<Text>, DB> + FromSqlRow<Nullable<Text>, DB>,
    T: TryFrom<String>,
{
    type Row = Option<String>;

    fn build(row: Option<String>) -> deserialize::Result<Self> {
        Ok(ClearOnly(row.and_then(|s| T::try_from(s).ok())))
    }
}

impl<T> From<ClearOnly<T>> for Option<T> {
    fn from(value: ClearOnly<T>) -> Self {
        value.0
    }
}

/// The items `load` reads when `any` says there are some, else none (without a query).
pub(crate) fn if_any<T>(
    any: bool,
    load: impl FnOnce() -> crate::error::StoreResult<Vec<T>>,
) -> crate::error::StoreResult<Vec<T>> {
    if any { load() } else { Ok(Vec::new()) }
}

/// `for_case`: the items of one case, oldest first (by `$time`, then id).
macro_rules! items_of_case {
    ($ty:ident, $table:ident, $time:ident) => {
        impl $ty {
            pub fn for_case(conn: &mut $crate::db::DbConn, case_id: &str) -> $crate::error::StoreResult<Vec<$ty>> {
                let rows = Self::stored_for_case(conn, case_id)?;
                $crate::sealing::open_case_rows(conn, case_id, rows)
            }

            /// [`Self::for_case`] with the case's key already read (a case's page reads it once).
            pub(crate) fn for_case_with(
                conn: &mut $crate::db::DbConn,
                case_id: &str,
                key: Option<&$crate::sealing::Sealer>,
            ) -> $crate::error::StoreResult<Vec<$ty>> {
                use $crate::sealing::Protected;
                Self::stored_for_case(conn, case_id)?.into_iter().map(|r| r.open_with(key)).collect()
            }

            fn stored_for_case(conn: &mut $crate::db::DbConn, case_id: &str) -> $crate::error::StoreResult<Vec<$ty>> {
                use diesel::prelude::*;
                Ok($crate::schema::$table::table
                    .filter($crate::schema::$table::case_id.eq(case_id))
                    .order(($crate::schema::$table::$time.asc(), $crate::schema::$table::id.asc()))
                    .select($ty::as_select())
                    .load(conn)?)
            }
        }
    };
}
pub(crate) use items_of_case;
