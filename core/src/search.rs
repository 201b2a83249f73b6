//! Search of households and clans as people type, without accents: "nguyen van a" finds
//! "Nguyễn Văn A", "dang" finds "Đặng", "ng v" finds "Nguyễn Văn". Each typed word must start a
//! word of the name, in order. Results come in Vietnamese alphabetical order.
//!
//! The `search` table (kept by the store on every write) holds each name folded and its sort
//! key. A LIKE pattern lets SQLite drop most rows cheaply; the word-prefix rule is then checked
//! here, and only the first `limit` matches by sort key are loaded.

use rusqlite::{Connection, params};
use uuid::Uuid;

use crate::households::{Clan, Household, existing, parse_id};
use crate::record::Entity;
use crate::store::Store;
use crate::{Result, text};

impl Store {
    /// Households whose head's name matches what was typed, in `village` (or among every
    /// household on the device when `None`), at most `limit`, alphabetical.
    pub fn search_households(&self, village: Option<Uuid>, typed: &str, limit: usize) -> Result<Vec<Household>> {
        self.read(|c| {
            search_ids(c, Entity::Household, village, typed, limit)?
                .into_iter()
                .map(|id| Household::from_record(&existing(c, id, Entity::Household)?))
                .collect()
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
    let folded = text::fold(typed);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let limit = limit.min(i64::MAX as usize);
    let unit = unit.map(|u| u.to_string());
    if words.is_empty() {
        // Nothing typed yet: the first names in order, straight from the index.
        let sql = match unit {
            Some(_) => "SELECT record_id FROM search WHERE entity = ?1 AND unit_id = ?2 ORDER BY sort_key, record_id LIMIT ?3",
            None => "SELECT record_id FROM search WHERE entity = ?1 AND ?2 IS NULL ORDER BY sort_key, record_id LIMIT ?3",
        };
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params![entity.as_str(), unit, limit as i64], |r| r.get::<_, String>(0))?;
        return rows.map(|id| parse_id(&id?)).collect();
    }
    let pattern = format!("%{}%", words.iter().map(|w| escape_like(w)).collect::<Vec<_>>().join("%"));
    let sql = match unit {
        Some(_) => "SELECT record_id, folded, sort_key FROM search WHERE entity = ?1 AND unit_id = ?2 AND folded LIKE ?3 ESCAPE '\\'",
        None => "SELECT record_id, folded, sort_key FROM search WHERE entity = ?1 AND ?2 IS NULL AND folded LIKE ?3 ESCAPE '\\'",
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params![entity.as_str(), unit, pattern])?;
    let mut hits: Vec<(Vec<u8>, String)> = Vec::new();
    while let Some(row) = rows.next()? {
        let name = row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
        if words_start_words(name, &words) {
            hits.push((row.get(2)?, row.get(0)?));
        }
    }
    if hits.len() > limit && limit > 0 {
        hits.select_nth_unstable(limit - 1);
    }
    hits.truncate(limit);
    hits.sort_unstable();
    hits.into_iter().map(|(_, id)| parse_id(&id)).collect()
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
