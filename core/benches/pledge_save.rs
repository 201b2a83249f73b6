//! One pledge recorded durably (file-backed encrypted store, WAL, synchronous=FULL), with its
//! seal and outbox entry, in a village that already holds pledges. Goal: under 2 ms.
//! Prints the median and 99th percentile of every timed save after criterion's summary, next to
//! the floor: one bare row committed durably to an encrypted database opened the same way
//! (on a phone or VM disk the fsync of the WAL is most of both).

mod common;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use common::*;
use criterion::{Criterion, criterion_group, criterion_main};
use sotay_core::pledges::{PledgeInput, PledgeKind};

static TIMINGS: Mutex<Vec<Duration>> = Mutex::new(Vec::new());

fn pledge_save(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("bench.db"));
    let (commune, villages) = commune(&store);
    let template = store.install_pledge_templates(commune, 2023).unwrap()[0].id;
    store.import_households(commune, &rows(&villages)).unwrap();
    let households: Vec<_> = villages.iter().flat_map(|v| store.households(*v).unwrap()).collect();
    let sig = store.put_attachment(&[0x89, b'P', b'N', b'G', 1, 2, 3], "image/png").unwrap().sha256;
    let mut next = 0usize;
    let mut round = 0u32;
    c.bench_function("pledge_save_durable", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                if next == households.len() {
                    // Every household pledged: start a new year's round with amendments free of
                    // the duplicate rule by using a fresh template.
                    round += 1;
                    next = 0;
                }
                let h = &households[next];
                next += 1;
                let template = if round == 0 { template } else { fresh_template(&store, commune, round) };
                let input = PledgeInput {
                    kind: PledgeKind::Household,
                    subject: h.id,
                    template,
                    signed_by: h.details.head_name.clone(),
                    witness: "Nguyễn Văn Trưởng".into(),
                    signed_on: NaiveDate::from_ymd_opt(2023, 6, 15).unwrap(),
                    signature: Some(sig.clone()),
                };
                let start = Instant::now();
                store.record_pledge(&input, "Nguyễn Văn Trưởng").unwrap();
                let t = start.elapsed();
                TIMINGS.lock().unwrap().push(t);
                total += t;
            }
            total
        })
    });
    let (p50, p99) = percentiles(std::mem::take(&mut TIMINGS.lock().unwrap()));
    let (f50, f99) = percentiles(durable_floor(&dir.path().join("floor.db"), 1000));
    println!("pledge_save_durable: median {p50:?}, p99 {p99:?} (goal < 2 ms); floor: median {f50:?}, p99 {f99:?}");
}

/// One small row per transaction, WAL, synchronous=FULL, same key: the cost of durability.
fn durable_floor(path: &std::path::Path, n: usize) -> Vec<Duration> {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "key", format!("x'{}'", sotay_core::record::hex(&KEY))).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL) STRICT").unwrap();
    (0..n)
        .map(|i| {
            let start = Instant::now();
            conn.execute("INSERT INTO t (v) VALUES (?1)", [format!("pledge {i}")]).unwrap();
            start.elapsed()
        })
        .collect()
}

fn fresh_template(store: &sotay_core::Store, commune: uuid::Uuid, round: u32) -> uuid::Uuid {
    let year = 2023 + round as i32;
    store.install_pledge_templates(commune, year).unwrap()[0].id
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(Duration::from_secs(10));
    targets = pledge_save
}
criterion_main!(benches);
