//! Protection at rest in the store: the data keys (wrapped by the process's master key,
//! see `rempart_vault`), the sealing of identifying and narrative values before they reach
//! the database and their opening after, and the blind-index tokens of the lookups.
//!
//! Owners of data keys: a case (what it accumulates: summary, thread, notes), a beneficiary,
//! a quarantined mail, a member of staff (their check-in notes), the blind indexes, and the
//! service's other data.
//! The empty string stays empty (an erased value): it says only that there is nothing.

use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::data_keys;
use crate::util::now;
use diesel::prelude::*;
use rempart_vault::{DataKey, IndexKey, MasterKey, Place};
use std::collections::HashMap;
use std::sync::Arc;

/// Whose data a key seals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner<'a> {
    Case(&'a str),
    Beneficiary(&'a str),
    Quarantine(&'a str),
    /// A member of staff's own notes (check-ins): only they read them.
    Staff(&'a str),
    /// A stored file (evidence, raw received mail), by its digest.
    Blob(&'a str),
    /// The key of the blind indexes.
    Index,
    /// The service's data that belongs to no one in particular.
    Service,
}

impl Owner<'_> {
    pub fn name(&self) -> String {
        match self {
            Owner::Case(id) => format!("case:{id}"),
            Owner::Beneficiary(id) => format!("beneficiary:{id}"),
            Owner::Quarantine(id) => format!("quarantine:{id}"),
            Owner::Staff(id) => format!("staff:{id}"),
            Owner::Blob(sha256) => format!("blob:{sha256}"),
            Owner::Index => "index".into(),
            Owner::Service => "service".into(),
        }
    }
}

fn master() -> StoreResult<Arc<MasterKey>> {
    rempart_vault::current().map_err(StoreError::from)
}

/// Data keys already unwrapped, by owner, with the wrapped text each was unwrapped from:
/// one wrapped text is one key (a fresh random nonce each time a key is wrapped), so an
/// entry whose text equals the row's is right whatever the database, and a page of cases
/// does not unwrap the same keys again. The owner is part of the entry as it is of the
/// wrapping's associated data: a wrapped key copied onto another owner's row meets that
/// owner's entry (or none), never the first owner's, and is refused. Looked up without
/// copying either text. Bounded; emptied when full.
type Unwrapped = HashMap<String, (String, Arc<DataKey>)>;
static UNWRAPPED: std::sync::Mutex<Option<Unwrapped>> = std::sync::Mutex::new(None);
/// Keys each map here holds at most: about 1.2 KiB a key (with its AES key schedule, see
/// `DataKey`), so at most about 24 MiB each.
const UNWRAPPED_MAX: usize = 20_000;

/// The key that `wrapped` holds for `owner` (its name, e.g. `case:<id>`).
fn unwrap_cached(master: &MasterKey, owner: &str, wrapped: &str) -> StoreResult<Sealer> {
    let cached = UNWRAPPED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
        .and_then(|m| m.get(owner))
        .filter(|(text, _)| text == wrapped)
        .map(|(_, key)| Arc::clone(key));
    if let Some(key) = cached {
        return Ok(Sealer { key });
    }
    let key = Arc::new(master.unwrap(owner, wrapped)?);
    let mut cache = UNWRAPPED.lock().unwrap_or_else(|p| p.into_inner());
    let map = cache.get_or_insert_with(HashMap::new);
    if map.len() >= UNWRAPPED_MAX {
        map.clear();
    }
    map.insert(owner.to_owned(), (wrapped.to_owned(), key.clone()));
    Ok(Sealer { key })
}

/// Forgets unwrapped keys (shredded: they go from this process's memory too).
fn forget_unwrapped(wrapped: &[String]) {
    if let Some(map) = UNWRAPPED.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
        map.retain(|_, (w, _)| !wrapped.contains(w));
    }
}

/// The cases' data keys this process has unwrapped, by case id, with the database's shred
/// epoch they were read at ([`shred_epoch()`]): while the epoch is the same, no key was
/// destroyed anywhere since, so each is still its case's key and a page of cases needs no
/// key from the database. An erasure by any instance bumps the epoch, and this map is
/// emptied at the next read. Each key was unwrapped bound to its case (associated data);
/// a case id names one case in every database, so one map serves them all.
type CaseKeys = (i64, HashMap<String, Arc<DataKey>>);
static CASE_KEYS: std::sync::Mutex<Option<CaseKeys>> = std::sync::Mutex::new(None);

/// The database's shred epoch, read in the same query as the rows it opens (a subquery
/// both engines evaluate once per query).
///
/// The subqueries here are written with diesel's query builder, not as SQL text: a query
/// holding SQL text is never kept prepared, so PostgreSQL would parse and plan it at every
/// call (a third of its time per page of cases).
#[diesel::dsl::auto_type]
pub fn shred_epoch() -> _ {
    crate::schema::protection::table
        .filter(crate::schema::protection::id.eq(1_i32))
        .select(crate::schema::protection::shred_epoch)
        .single_value()
}

/// The data keys of `case_ids` (`None`: erased), in their order, read when the rows were
/// read at `epoch`: from memory while no key was destroyed since, else from the database
/// in one query. Without an epoch (a database without its protection row), every key is
/// read from the database.
pub fn case_keys_at(conn: &mut DbConn, epoch: Option<i64>, case_ids: &[&str]) -> StoreResult<Vec<Option<Sealer>>> {
    let mut keys: Vec<Option<Sealer>> = Vec::with_capacity(case_ids.len());
    let mut missing = Vec::new();
    {
        let mut cache = CASE_KEYS.lock().unwrap_or_else(|p| p.into_inner());
        let remembered = match epoch {
            Some(epoch) => {
                let (at, map) = cache.get_or_insert_with(|| (epoch, HashMap::new()));
                if *at != epoch {
                    *at = epoch;
                    map.clear();
                }
                Some(&*map)
            }
            None => None,
        };
        for id in case_ids {
            let known = remembered.and_then(|map| map.get(*id)).map(|key| Sealer { key: Arc::clone(key) });
            if known.is_none() {
                missing.push(Owner::Case(id).name());
            }
            keys.push(known);
        }
    }
    if missing.is_empty() {
        return Ok(keys);
    }
    missing.sort_unstable();
    missing.dedup();
    let master = master()?;
    let rows: Vec<(String, String)> = data_keys::table
        .filter(data_keys::owner.eq_any(&missing))
        .select((data_keys::owner, data_keys::wrapped))
        .load(conn)?;
    let mut read = HashMap::with_capacity(rows.len());
    for (owner, wrapped) in rows {
        let key = unwrap_cached(&master, &owner, &wrapped)?;
        read.insert(owner.strip_prefix("case:").unwrap_or(&owner).to_owned(), key);
    }
    let mut cache = CASE_KEYS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, map)) = cache.as_mut().filter(|(at, _)| Some(*at) == epoch) {
        if map.len() + read.len() > UNWRAPPED_MAX {
            map.clear();
        }
        for (id, key) in &read {
            map.insert(id.clone(), Arc::clone(&key.key));
        }
    }
    for (slot, id) in keys.iter_mut().zip(case_ids) {
        if slot.is_none() {
            *slot = read.get(*id).cloned();
        }
    }
    Ok(keys)
}

/// A data key for an owner that cannot have one yet (a case, beneficiary or quarantined
/// mail being created under a fresh id): one insert, no look-up, no read-back. Made in the
/// caller's transaction, if any.
pub fn fresh_key(conn: &mut DbConn, owner: Owner<'_>) -> StoreResult<Sealer> {
    let master = master()?;
    let name = owner.name();
    let fresh = DataKey::generate();
    diesel::insert_into(data_keys::table)
        .values((
            data_keys::owner.eq(&name),
            data_keys::wrapped.eq(master.wrap(&name, &fresh)),
            data_keys::master_id.eq(master.id()),
            data_keys::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(Sealer { key: Arc::new(fresh) })
}

/// The data key of a case from its wrapped text read with the case ([`wrapped_case_key()`]:
/// for reads of a few cases at random, where a round trip for their keys would cost more
/// than the subquery); `None`: the case has no key (erased).
pub fn case_key_from(case_id: &str, wrapped: Option<&str>) -> StoreResult<Option<Sealer>> {
    let Some(wrapped) = wrapped else { return Ok(None) };
    Ok(Some(unwrap_cached(&*master()?, &Owner::Case(case_id).name(), wrapped)?))
}

/// A case row's wrapped data key, read in the same query as the case (a correlated
/// subquery; both engines concatenate with `||`).
#[diesel::dsl::auto_type]
pub fn wrapped_case_key() -> _ {
    let prefix: diesel::dsl::AsExprOf<&'static str, diesel::sql_types::Text> =
        diesel::IntoSql::into_sql::<diesel::sql_types::Text>("case:");
    data_keys::table
        .filter(data_keys::owner.eq(prefix.concat(crate::schema::cases::id)))
        .select(data_keys::wrapped)
        .single_value()
}

/// The data key of `owner`, made and stored (wrapped) the first time. A key is made in the
/// caller's transaction: if it rolls back, so does the key, with what it sealed.
pub fn key(conn: &mut DbConn, owner: Owner<'_>) -> StoreResult<Sealer> {
    let master = master()?;
    let name = owner.name();
    if let Some(found) = stored(conn, &master, &name)? {
        return Ok(found);
    }
    let fresh = DataKey::generate();
    let row = (
        data_keys::owner.eq(&name),
        data_keys::wrapped.eq(master.wrap(&name, &fresh)),
        data_keys::master_id.eq(master.id()),
        data_keys::created_at.eq(now()),
    );
    // Two writers may make the first key of an owner at once: one row wins, both use it.
    match conn {
        DbConn::Sqlite(c) => diesel::insert_into(data_keys::table).values(row).on_conflict_do_nothing().execute(c)?,
        DbConn::Postgres(c) => diesel::insert_into(data_keys::table).values(row).on_conflict_do_nothing().execute(c)?,
    };
    stored(conn, &master, &name)?.ok_or_else(|| StoreError::not_found("data key", &name))
}

/// New data keys for owners that have none yet (a bulk load), made and stored at once.
pub fn make_keys(conn: &mut DbConn, owners: &[Owner<'_>]) -> StoreResult<Vec<Sealer>> {
    let master = master()?;
    let at = now();
    let keys: Vec<DataKey> = owners.iter().map(|_| DataKey::generate()).collect();
    let rows: Vec<_> = owners
        .iter()
        .zip(&keys)
        .map(|(owner, key)| {
            let name = owner.name();
            (
                data_keys::wrapped.eq(master.wrap(&name, key)),
                data_keys::owner.eq(name),
                data_keys::master_id.eq(master.id()),
                data_keys::created_at.eq(at),
            )
        })
        .collect();
    for chunk in rows.chunks(500) {
        match conn {
            DbConn::Sqlite(c) => diesel::insert_into(data_keys::table).values(chunk).execute(c)?,
            DbConn::Postgres(c) => diesel::insert_into(data_keys::table).values(chunk).execute(c)?,
        };
    }
    Ok(keys.into_iter().map(|k| Sealer { key: Arc::new(k) }).collect())
}

/// The data key of `owner` if it has one (an erased owner has none: its data is gone).
pub fn existing_key(conn: &mut DbConn, owner: Owner<'_>) -> StoreResult<Option<Sealer>> {
    stored(conn, &*master()?, &owner.name())
}

fn stored(conn: &mut DbConn, master: &MasterKey, name: &str) -> StoreResult<Option<Sealer>> {
    let wrapped: Option<String> = data_keys::table.find(name).select(data_keys::wrapped).first(conn).optional()?;
    wrapped.map(|w| unwrap_cached(master, name, &w)).transpose()
}

/// The data keys of many cases at once (a list page), by case id; cases without a key
/// (nothing sealed yet, or erased) are absent.
pub fn case_keys(conn: &mut DbConn, case_ids: &[&str]) -> StoreResult<HashMap<String, Sealer>> {
    let owners: Vec<Owner<'_>> = case_ids.iter().map(|id| Owner::Case(id)).collect();
    keys_of(conn, &owners)
}

/// The data keys of many owners at once, by the owner's id (without its kind); owners
/// without a key are absent.
pub fn keys_of(conn: &mut DbConn, owners: &[Owner<'_>]) -> StoreResult<HashMap<String, Sealer>> {
    let master = master()?;
    let names: Vec<String> = owners.iter().map(Owner::name).collect();
    let mut out = HashMap::new();
    for chunk in names.chunks(500) {
        let rows: Vec<(String, String)> = data_keys::table
            .filter(data_keys::owner.eq_any(chunk))
            .select((data_keys::owner, data_keys::wrapped))
            .load(conn)?;
        for (owner, wrapped) in rows {
            let key = unwrap_cached(&master, &owner, &wrapped)?;
            if let Some((_, id)) = owner.split_once(':') {
                out.insert(id.to_owned(), key);
            }
        }
    }
    Ok(out)
}

/// Destroys the data keys of these owners: what they sealed can no longer be opened, by
/// anyone, from any copy made after this (crypto-shredding).
pub fn shred(conn: &mut DbConn, owners: &[Owner<'_>]) -> StoreResult<usize> {
    let names: Vec<String> = owners.iter().map(Owner::name).collect();
    let mut gone = 0;
    for chunk in names.chunks(500) {
        let wrapped: Vec<String> =
            data_keys::table.filter(data_keys::owner.eq_any(chunk)).select(data_keys::wrapped).load(conn)?;
        gone += diesel::delete(data_keys::table.filter(data_keys::owner.eq_any(chunk))).execute(conn)?;
        forget_unwrapped(&wrapped);
    }
    if gone > 0 {
        // Every instance's memory of the cases' keys is stale from now on (see
        // `case_keys_at`); this one's is emptied at once.
        use crate::schema::protection;
        diesel::update(protection::table.find(1))
            .set(protection::shred_epoch.eq(protection::shred_epoch + 1))
            .execute(conn)?;
        if let Some((_, map)) = CASE_KEYS.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
            map.clear();
        }
    }
    Ok(gone)
}

/// The blind-index key this process last unwrapped, with its wrapped text, to be checked
/// against the database's in the query that uses it ([`stored_index_key()`]): a read that
/// would otherwise spend a round trip on the key. Never for a write (tokens written under
/// another database's key would be lost to its lookups).
pub fn remembered_index_key() -> Option<(String, IndexKey)> {
    UNWRAPPED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
        .and_then(|m| m.get(&Owner::Index.name()).map(|(wrapped, key)| (wrapped.clone(), key.as_index_key())))
}

/// The database's wrapped blind-index key, to read in the same query as the rows found
/// with a remembered key.
#[diesel::dsl::auto_type]
pub fn stored_index_key() -> _ {
    data_keys::table.filter(data_keys::owner.eq("index")).select(data_keys::wrapped).single_value()
}

/// The wrapped blind-index key as stored (`None`: none made yet).
pub fn wrapped_index_key(conn: &mut DbConn) -> StoreResult<Option<String>> {
    Ok(data_keys::table.find(Owner::Index.name()).select(data_keys::wrapped).first(conn).optional()?)
}

/// The blind-index key (made the first time).
pub fn index_key(conn: &mut DbConn) -> StoreResult<IndexKey> {
    Ok(key(conn, Owner::Index)?.key.as_index_key())
}

/// A data key at work: seals values for their place and opens them.
#[derive(Debug, Clone)]
pub struct Sealer {
    key: Arc<DataKey>,
}

impl Sealer {
    /// Seals `plain` for `table.column` of row `row`. Empty stays empty.
    pub fn seal(&self, table: &str, column: &str, row: &str, plain: &str) -> String {
        if plain.is_empty() {
            return String::new();
        }
        self.key.seal_text(Place::new(table, column, row), plain)
    }

    pub fn seal_opt(&self, table: &str, column: &str, row: &str, plain: Option<&str>) -> Option<String> {
        plain.map(|p| self.seal(table, column, row, p))
    }

    /// Opens what [`Sealer::seal`] sealed at the same place. A clear or moved value is an
    /// error: nothing unauthenticated is shown as stored content.
    pub fn open(&self, table: &str, column: &str, row: &str, stored: &str) -> StoreResult<String> {
        if stored.is_empty() {
            return Ok(String::new());
        }
        Ok(self.key.open_text(Place::new(table, column, row), stored)?)
    }

    pub fn open_opt(&self, table: &str, column: &str, row: &str, stored: Option<&str>) -> StoreResult<Option<String>> {
        stored.map(|s| self.open(table, column, row, s)).transpose()
    }

    pub fn seal_bytes(&self, table: &str, column: &str, row: &str, plain: &[u8]) -> Vec<u8> {
        self.key.seal_bytes(Place::new(table, column, row), plain)
    }

    pub fn open_bytes(&self, table: &str, column: &str, row: &str, stored: &[u8]) -> StoreResult<Vec<u8>> {
        Ok(self.key.open_bytes(Place::new(table, column, row), stored)?)
    }
}

/// Reads a value of an owner that may have been erased. Erasure empties the columns it
/// seals before destroying the key, so an erased owner's values are empty; a value still
/// sealed without its key is a lost key, reported, never shown as empty.
pub fn open_or_erased(key: Option<&Sealer>, table: &str, column: &str, row: &str, stored: &str) -> StoreResult<String> {
    match key {
        Some(k) => k.open(table, column, row, stored),
        None if stored.is_empty() => Ok(String::new()),
        None => Err(StoreError::Unreadable(format!("{table}.{column} of {row}: its data key is gone"))),
    }
}

/// A row type with protected columns: opened after it is loaded.
pub trait Protected: Sized {
    /// Opens the row's protected columns with its owner's key (`None`: erased, the
    /// values are gone).
    fn open_with(self, key: Option<&Sealer>) -> StoreResult<Self>;
}

/// Opens one protected column of a loaded row, in place.
pub fn open_field(key: Option<&Sealer>, table: &str, column: &str, row: &str, value: &mut String) -> StoreResult<()> {
    *value = open_or_erased(key, table, column, row, value)?;
    Ok(())
}

pub fn open_field_opt(
    key: Option<&Sealer>,
    table: &str,
    column: &str,
    row: &str,
    value: &mut Option<String>,
) -> StoreResult<()> {
    if let Some(v) = value.as_mut() {
        open_field(key, table, column, row, v)?;
    }
    Ok(())
}

/// Opens rows of one case with the case's key.
pub fn open_case_rows<T: Protected>(conn: &mut DbConn, case_id: &str, rows: Vec<T>) -> StoreResult<Vec<T>> {
    if rows.is_empty() {
        return Ok(rows);
    }
    let key = existing_key(conn, Owner::Case(case_id))?;
    rows.into_iter().map(|r| r.open_with(key.as_ref())).collect()
}

/// Opens one row of a case.
pub fn open_case_row<T: Protected>(conn: &mut DbConn, case_id: &str, row: T) -> StoreResult<T> {
    let key = existing_key(conn, Owner::Case(case_id))?;
    row.open_with(key.as_ref())
}

/// The master keys (by id) that wrapped the stored data keys: one, except in the middle of
/// a rotation. A database not migrated this far holds none.
pub fn master_ids(conn: &mut DbConn) -> StoreResult<Vec<String>> {
    use diesel::result::Error;
    match data_keys::table.select(data_keys::master_id).distinct().load(conn) {
        Ok(ids) => Ok(ids),
        Err(Error::DatabaseError(_, info))
            if info.message().contains("no such table") || info.message().contains("does not exist") =>
        {
            Ok(Vec::new())
        }
        Err(e) => Err(e.into()),
    }
}

/// Re-wraps every data key from `old` to `new` master key, in one transaction: the content
/// stays as it is (rotation of the master key, or of the passphrase that protects it).
pub fn rewrap_all(conn: &mut DbConn, old: &MasterKey, new: &MasterKey) -> StoreResult<usize> {
    conn.write(|conn| {
        let rows: Vec<(String, String, String)> =
            data_keys::table.select((data_keys::owner, data_keys::wrapped, data_keys::master_id)).load(conn)?;
        let mut done = 0;
        for (owner, wrapped, master_id) in rows {
            if master_id == new.id() {
                continue;
            }
            let key = old.unwrap(&owner, &wrapped)?;
            diesel::update(data_keys::table.find(&owner))
                .set((data_keys::wrapped.eq(new.wrap(&owner, &key)), data_keys::master_id.eq(new.id())))
                .execute(conn)?;
            done += 1;
        }
        Ok(done)
    })
}

/// Opens the sealed columns of one loaded row (its table, its id, its owner's key): for row
/// types whose sealed values are parsed after opening (an address, a fingerprint).
#[derive(Debug, Clone, Copy)]
pub struct Opener<'a> {
    pub key: Option<&'a Sealer>,
    pub table: &'a str,
    pub row: &'a str,
}

impl Opener<'_> {
    pub fn text(&self, column: &str, stored: &str) -> StoreResult<String> {
        open_or_erased(self.key, self.table, column, self.row, stored)
    }

    /// An optional value; an erased one (empty) reads as absent.
    pub fn opt(&self, column: &str, stored: Option<&str>) -> StoreResult<Option<String>> {
        Ok(stored.map(|s| self.text(column, s)).transpose()?.filter(|v| !v.is_empty()))
    }

    /// An optional value parsed once opened.
    pub fn parsed<T: TryFrom<String>>(&self, column: &str, stored: Option<&str>) -> StoreResult<Option<T>> {
        self.opt(column, stored)?.map(|v| parse(self.table, column, self.row, v)).transpose()
    }
}

/// A stored value read into its type; a value that does not parse is unreadable.
pub fn parse<T: TryFrom<String>>(table: &str, column: &str, row: &str, value: String) -> StoreResult<T> {
    T::try_from(value).map_err(|_| StoreError::Unreadable(format!("{table}.{column} of {row}: not a valid value")))
}
