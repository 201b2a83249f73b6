//! Importing a commune's 10,000 households in one transaction (validation, records, search
//! index, outbox), against the floor: a bare rusqlite insert loop of the same rows in one
//! transaction into an equivalent table of an encrypted database opened the same way.
//! Goal: under 1 s. Prints the ratio after criterion's summary.

mod common;

use std::time::{Duration, Instant};

use common::*;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rusqlite::{Connection, params};
use sotay_core::households::HouseholdImport;
use sotay_core::record::hex;

/// A fresh file-backed store with the commune's unit records, and the rows to import.
fn fresh() -> (tempfile::TempDir, sotay_core::Store, uuid::Uuid, Vec<HouseholdImport>) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("bench.db"));
    let (commune, villages) = commune(&store);
    let rows = rows(&villages);
    (dir, store, commune, rows)
}

/// The floor: the same rows, bare inserts, one transaction, same key and pragmas.
fn bare_insert(rows: &[HouseholdImport]) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = Connection::open(dir.path().join("floor.db")).unwrap();
    conn.pragma_update(None, "key", format!("x'{}'", hex(&KEY))).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.execute_batch(
        "CREATE TABLE households (id TEXT PRIMARY KEY, village TEXT NOT NULL, head_name TEXT NOT NULL,
           address TEXT NOT NULL, members INTEGER NOT NULL, children_under_18 INTEGER NOT NULL,
           phone TEXT, clan TEXT) STRICT;",
    )
    .unwrap();
    let start = Instant::now();
    let tx = conn.transaction().unwrap();
    {
        let mut stmt = tx.prepare("INSERT INTO households VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)").unwrap();
        for r in rows {
            let d = &r.details;
            stmt.execute(params![
                uuid::Uuid::now_v7().to_string(),
                r.village.to_string(),
                d.head_name,
                d.address,
                d.members,
                d.children_under_18,
                d.phone,
                d.clan.map(|c| c.to_string())
            ])
            .unwrap();
        }
    }
    tx.commit().unwrap();
    start.elapsed()
}

fn import(c: &mut Criterion) {
    let mut g = c.benchmark_group("household_import_10k");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("import_households", |b| {
        b.iter_batched(fresh, |(_dir, store, commune, rows)| store.import_households(commune, &rows).unwrap(), BatchSize::PerIteration)
    });
    g.bench_function("bare_rusqlite_floor", |b| {
        let (_dir, _store, _commune, rows) = fresh();
        b.iter_custom(|iters| (0..iters).map(|_| bare_insert(&rows)).sum())
    });
    g.finish();

    // The ratio, from medians of a few runs of each outside criterion.
    let mut ours = Vec::new();
    let mut floor = Vec::new();
    for _ in 0..5 {
        let (_dir, store, commune, rows) = fresh();
        let start = Instant::now();
        store.import_households(commune, &rows).unwrap();
        ours.push(start.elapsed());
        floor.push(bare_insert(&rows));
    }
    let (ours, _) = percentiles(ours);
    let (floor, _) = percentiles(floor);
    println!(
        "household_import_10k: import {ours:?}, bare floor {floor:?}, ratio {:.1}x (goal < 1 s)",
        ours.as_secs_f64() / floor.as_secs_f64()
    );
}

criterion_group!(benches, import);
criterion_main!(benches);
