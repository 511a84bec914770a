//! The lookups' tokens of values an older Rempart stored in clear, computed by the
//! protection upgrade ([`crate::protection::upgrade`]) before it seals those values:
//! beneficiaries' addresses, the words of their names and addresses, indicators.

use crate::db::DbConn;
use crate::error::StoreResult;
use crate::schema::{beneficiaries, beneficiary_emails, beneficiary_words, indicators};
use crate::sealing::{Owner, existing_key};
use diesel::prelude::*;
use rempart_core::{EmailAddress, IndicatorKind};

const BATCH: i64 = 500;

/// A value as stored: clear (an older version's), or sealed (written since) and opened.
fn read(
    conn: &mut DbConn,
    owner: Owner<'_>,
    (table, column, row): (&str, &str, &str),
    stored: &str,
) -> StoreResult<String> {
    if !rempart_vault::DataKey::is_sealed_text(stored) {
        return Ok(stored.to_owned());
    }
    crate::sealing::open_or_erased(existing_key(conn, owner)?.as_ref(), table, column, row, stored)
}

/// Runs `batch` (one transaction each, at most [`BATCH`] rows, answering how many it did)
/// until a batch does fewer; answers the total.
fn batches(conn: &mut DbConn, mut batch: impl FnMut(&mut DbConn) -> StoreResult<usize>) -> StoreResult<usize> {
    let mut done = 0;
    loop {
        let count = conn.write(&mut batch)?;
        done += count;
        if count < BATCH as usize {
            return Ok(done);
        }
    }
}

/// Computes every token still missing. Returns how many it computed.
pub(crate) fn build(conn: &mut DbConn) -> StoreResult<usize> {
    Ok(addresses(conn)? + indicator_values(conn)? + name_words(conn)? + message_ids(conn)? + receipts(conn)?)
}

fn message_ids(conn: &mut DbConn) -> StoreResult<usize> {
    use crate::schema::messages;
    batches(conn, |conn| {
        let index = crate::sealing::index_key(conn)?;
        let rows: Vec<(String, String, Option<String>)> = messages::table
            .filter(messages::message_id.is_not_null())
            .filter(messages::message_id_token.is_null())
            .order(messages::id)
            .limit(BATCH)
            .select((messages::id, messages::case_id, messages::message_id))
            .load(conn)?;
        for (id, case_id, stored) in &rows {
            let stored = stored.as_deref().unwrap_or_default();
            let value = read(conn, Owner::Case(case_id), ("messages", "message_id", id), stored)?;
            diesel::update(messages::table.find(id))
                .set(messages::message_id_token.eq(crate::messages::message_id_token(&index, &value)))
                .execute(conn)?;
        }
        Ok(rows.len())
    })
}

/// The receipts of deliveries kept the Message-ID itself: it becomes its token (a token is
/// base64url, never holds `@` or `<`, which a Message-ID does).
fn receipts(conn: &mut DbConn) -> StoreResult<usize> {
    use crate::schema::mail_receipts;
    batches(conn, |conn| {
        let rows: Vec<(String, String)> = mail_receipts::table
            .filter(mail_receipts::message_id_header.like("%@%").or(mail_receipts::message_id_header.like("<%")))
            .order(mail_receipts::id)
            .limit(BATCH)
            .select((mail_receipts::id, mail_receipts::message_id_header))
            .load(conn)?;
        for (id, header) in &rows {
            let token = crate::mail::receipt_token(conn, header)?;
            diesel::update(mail_receipts::table.find(id))
                .set(mail_receipts::message_id_header.eq(token))
                .execute(conn)?;
        }
        Ok(rows.len())
    })
}

fn addresses(conn: &mut DbConn) -> StoreResult<usize> {
    batches(conn, |conn| {
        let index = crate::sealing::index_key(conn)?;
        let rows: Vec<(String, String, String)> = beneficiary_emails::table
            .filter(beneficiary_emails::address_token.is_null())
            .order(beneficiary_emails::id)
            .limit(BATCH)
            .select((beneficiary_emails::id, beneficiary_emails::beneficiary_id, beneficiary_emails::address))
            .load(conn)?;
        for (id, owner, stored) in &rows {
            let address = read(conn, Owner::Beneficiary(owner), ("beneficiary_emails", "address", id), stored)?;
            // Stored addresses were parsed when written; one that no longer parses keeps
            // its own text as the value of its token.
            let token = match EmailAddress::parse(&address) {
                Ok(parsed) => crate::beneficiaries::address_token(&index, &parsed),
                Err(_) => index.token(crate::beneficiaries::EMAIL_TOKEN_DOMAIN, &address),
            };
            diesel::update(beneficiary_emails::table.find(id))
                .set(beneficiary_emails::address_token.eq(token))
                .execute(conn)?;
        }
        Ok(rows.len())
    })
}

fn indicator_values(conn: &mut DbConn) -> StoreResult<usize> {
    batches(conn, |conn| {
        let index = crate::sealing::index_key(conn)?;
        let rows: Vec<(String, String, String, String)> = indicators::table
            .filter(indicators::value_token.eq(""))
            .order(indicators::id)
            .limit(BATCH)
            .select((indicators::id, indicators::case_id, indicators::kind, indicators::value))
            .load(conn)?;
        for (id, case_id, kind, stored) in &rows {
            // An older erasure left `erased:<id>` as the value: it becomes the token (unique
            // per case), and the value is emptied as an erasure now leaves it.
            let (value, token) = if stored.starts_with("erased:") {
                (String::new(), stored.clone())
            } else {
                let value = read(conn, Owner::Case(case_id), ("indicators", "value", id), stored)?;
                let token = match IndicatorKind::try_from(kind.clone()) {
                    Ok(kind) => crate::indicators::value_token(&index, kind, &value),
                    Err(_) => index.token(crate::indicators::TOKEN_DOMAIN, &format!("{kind}\0{value}")),
                };
                (stored.clone(), token)
            };
            diesel::update(indicators::table.find(id))
                .set((indicators::value.eq(value), indicators::value_token.eq(token)))
                .execute(conn)?;
        }
        Ok(rows.len())
    })
}

fn name_words(conn: &mut DbConn) -> StoreResult<usize> {
    use diesel::dsl::{exists, not};
    let mut last = String::new();
    let mut done = 0;
    loop {
        let (count, tail) = conn.write(|conn| -> StoreResult<(usize, Option<String>)> {
            let index = crate::sealing::index_key(conn)?;
            let rows: Vec<(String, String)> = beneficiaries::table
                .filter(beneficiaries::id.gt(&last))
                .filter(beneficiaries::erased_at.is_null())
                .filter(not(exists(
                    beneficiary_words::table.filter(beneficiary_words::beneficiary_id.eq(beneficiaries::id)),
                )))
                .order(beneficiaries::id)
                .limit(BATCH)
                .select((beneficiaries::id, beneficiaries::display_name))
                .load(conn)?;
            for (id, stored) in &rows {
                let mut texts =
                    vec![read(conn, Owner::Beneficiary(id), ("beneficiaries", "display_name", id), stored)?];
                let addresses: Vec<(String, String)> = beneficiary_emails::table
                    .filter(beneficiary_emails::beneficiary_id.eq(id))
                    .select((beneficiary_emails::id, beneficiary_emails::address))
                    .load(conn)?;
                for (row, address) in &addresses {
                    texts.push(read(conn, Owner::Beneficiary(id), ("beneficiary_emails", "address", row), address)?);
                }
                let tokens = crate::beneficiaries::word_tokens(&index, texts.iter().map(String::as_str));
                crate::beneficiaries::set_words(conn, id, &tokens)?;
            }
            Ok((rows.len(), rows.last().map(|(id, _)| id.clone())))
        })?;
        done += count;
        match tail {
            Some(tail) if count == BATCH as usize => last = tail,
            _ => return Ok(done),
        }
    }
}
