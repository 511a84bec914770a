//! The word index of the cases: each word of a case's summary and of its messages'
//! subjects and bodies, once per case, so that a search by words reads an index instead of
//! every message. Words are lower-cased runs of letters and digits, 2 to 64 characters; a
//! search matches cases holding every word asked for (whole words).
//!
//! The index holds no word: each is a keyed token (HMAC under the blind-index key,
//! [`crate::sealing::index_key`]). A copy of the database shows which cases share a word,
//! never which word; a search computes the tokens of its words with the same key.

use crate::db::DbConn;
use crate::error::StoreResult;
use crate::schema::{case_words, cases, messages};
use crate::util::new_id;
use diesel::prelude::*;
use std::collections::BTreeSet;

/// The distinct words of `texts`, as the index keeps them (at most `MAX_WORDS`).
pub fn words<'a>(texts: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for text in texts {
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            let count = word.chars().count();
            if (2..=64).contains(&count) {
                out.insert(word.to_lowercase());
                if out.len() >= MAX_WORDS {
                    return out;
                }
            }
        }
    }
    out
}

/// The blind index's domain of the words of cases.
pub const TOKEN_DOMAIN: &str = "case-word";

/// The tokens to look up for the words of a search.
pub fn tokens(conn: &mut DbConn, text: &str) -> StoreResult<Vec<String>> {
    let wanted = words([text]);
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let index = crate::sealing::index_key(conn)?;
    Ok(wanted.iter().map(|w| index.token(TOKEN_DOMAIN, w)).collect())
}

/// A message of several megabytes is indexed by its first this many distinct words.
pub const MAX_WORDS: usize = 20_000;

/// Adds the words of `texts` to case `case_id`'s (those it has are kept once).
pub fn add(conn: &mut DbConn, case_id: &str, texts: &[&str]) -> StoreResult<()> {
    let index = crate::sealing::index_key(conn)?;
    let all: Vec<String> = words(texts.iter().copied()).into_iter().map(|w| index.token(TOKEN_DOMAIN, &w)).collect();
    for chunk in all.chunks(500) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|w| (case_words::id.eq(new_id()), case_words::case_id.eq(case_id), case_words::word.eq(w)))
            .collect();
        match conn {
            DbConn::Sqlite(c) => {
                diesel::insert_into(case_words::table).values(&rows).on_conflict_do_nothing().execute(c)?
            }
            DbConn::Postgres(c) => {
                diesel::insert_into(case_words::table).values(&rows).on_conflict_do_nothing().execute(c)?
            }
        };
    }
    Ok(())
}

/// Rebuilds the words of case `case_id` from its summary and messages (its summary
/// changed, or it was erased: then nothing is left).
pub fn reindex(conn: &mut DbConn, case_id: &str) -> StoreResult<()> {
    diesel::delete(case_words::table.filter(case_words::case_id.eq(case_id))).execute(conn)?;
    let Some(key) = crate::sealing::existing_key(conn, crate::sealing::Owner::Case(case_id))? else {
        return Ok(()); // erased: nothing to index
    };
    let summary: String = cases::table.find(case_id).select(cases::summary).first(conn)?;
    let summary = key.open("cases", "summary", case_id, &summary)?;
    let rows: Vec<(String, String, String)> = messages::table
        .filter(messages::case_id.eq(case_id))
        .select((messages::id, messages::subject, messages::body))
        .load(conn)?;
    let mut texts = Vec::with_capacity(rows.len());
    for (id, subject, body) in &rows {
        texts.push(key.open("messages", "subject", id, subject)?);
        texts.push(key.open("messages", "body", id, body)?);
    }
    let mut all: Vec<&str> = vec![summary.as_str()];
    all.extend(texts.iter().map(String::as_str));
    add(conn, case_id, &all)
}

/// Forgets the words of these cases (erased).
pub fn forget(conn: &mut DbConn, case_ids: &[String]) -> StoreResult<()> {
    diesel::delete(case_words::table.filter(case_words::case_id.eq_any(case_ids))).execute(conn)?;
    Ok(())
}

/// Indexes every case (the index was just created, on a database that had cases).
/// Returns how many cases were indexed.
pub fn reindex_all(conn: &mut DbConn) -> StoreResult<usize> {
    let ids: Vec<String> = cases::table.filter(cases::erased_at.is_null()).select(cases::id).load(conn)?;
    for id in &ids {
        conn.write(|conn| reindex(conn, id))?;
    }
    Ok(ids.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lower_cased_runs_of_letters_and_digits() {
        let found = words(["Mon compte Signal a été piraté : l'attaquant écrit au +33 6 12.", "SIGNAL x"]);
        let expected: BTreeSet<String> =
            ["33", "12", "attaquant", "au", "compte", "mon", "piraté", "signal", "écrit", "été"]
                .into_iter()
                .map(String::from)
                .collect();
        assert_eq!(found, expected, "one letter is not a word; each word once");
    }
}
