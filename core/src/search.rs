//! Search of households and clans as people type, without accents: "nguyen van a" finds
//! "Nguyễn Văn A", "dang" finds "Đặng", "ng v" finds "Nguyễn Văn". Each typed word must start a
//! word of the name, in order. Results come in Vietnamese alphabetical order.
//!
//! The `search` table (kept by the store on every write) holds each name folded and its sort
//! key; an index over both (schema 4) is walked in alphabetical order until a screenful of
//! names match, so the usual keystroke reads a few hundred index entries, and a query that
//! matches almost nothing reads the index once, without touching the table.

use rusqlite::{Connection, params};
use uuid::Uuid;

use crate::households::{Clan, Household};
use crate::lookup::parse_id;
use crate::record::Entity;
use crate::store::Store;
use crate::{Result, text};

impl Store {
    /// Households whose head's name matches what was typed, in `village` (or among every
    /// household on the device when `None`), at most `limit`, alphabetical.
    pub fn search_households(&self, village: Option<Uuid>, typed: &str, limit: usize) -> Result<Vec<Household>> {
        self.read(|c| {
            // Only the fields: decoding whole record states (clocks, seal) would cost more
            // than the search itself.
            let mut stmt = c.prepare_cached("SELECT unit_id, doc FROM records WHERE id = ?1")?;
            let mut out = Vec::with_capacity(limit.min(256));
            for id in search_ids(c, Entity::Household, village, typed, limit)? {
                let (village, doc) = stmt.query_row([id.to_string()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
                out.push(Household { id, village: parse_id(&village)?, details: serde_json::from_str(&doc)? });
            }
            Ok(out)
        })
    }

    /// Clans whose name matches what was typed, in `unit` (or everywhere when `None`).
    pub fn search_clans(&self, unit: Option<Uuid>, typed: &str, limit: usize) -> Result<Vec<Clan>> {
        let ids = self.read(|c| search_ids(c, Entity::Clan, unit, typed, limit))?;
        ids.into_iter().map(|id| self.clan(id)).collect()
    }
}

/// Ids of the records of `entity` whose folded name matches `typed`, alphabetical.
fn search_ids(conn: &Connection, entity: Entity, unit: Option<Uuid>, typed: &str, limit: usize) -> Result<Vec<Uuid>> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let folded = text::fold(typed);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let unit = unit.map(|u| u.to_string());
    // Nothing typed yet: every name, the first ones in order.
    let pattern = match words.is_empty() {
        true => "%".to_string(),
        false => format!("%{}%", words.iter().map(|w| escape_like(w)).collect::<Vec<_>>().join("%")),
    };
    // One walk of a covering index in alphabetical order: LIKE drops most non-matches inside
    // SQLite, the word-prefix rule is checked here, and the walk stops at `limit` matches.
    let sql = "SELECT record_id, folded FROM search INDEXED BY search_in_order
               WHERE entity = ?1 AND (?2 IS NULL OR unit_id = ?2) AND folded LIKE ?3 ESCAPE '\\'
               ORDER BY sort_key, record_id";
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params![entity.as_str(), unit, pattern])?;
    let mut out = Vec::with_capacity(limit.min(256));
    while out.len() < limit {
        let Some(row) = rows.next()? else { break };
        let name = row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
        if words_start_words(name, &words) {
            out.push(parse_id(row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?)?);
        }
    }
    Ok(out)
}

/// Whether each typed word starts a word of `name`, in the order typed.
fn words_start_words(name: &str, typed: &[&str]) -> bool {
    let mut words = name.split(' ');
    typed.iter().all(|t| words.any(|w| w.starts_with(t)))
}

fn escape_like(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_words_must_start_name_words_in_order() {
        assert!(words_start_words("nguyen van an", &["ng", "v"]));
        assert!(words_start_words("nguyen van an", &["van", "a"]));
        assert!(!words_start_words("nguyen van an", &["guyen"]));
        assert!(!words_start_words("nguyen van an", &["van", "ng"]));
        assert!(!words_start_words("nguyen van an", &["an", "an"]));
    }
}
