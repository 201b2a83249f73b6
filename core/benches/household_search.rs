//! Accent-free household search over a commune's 10,000 households, one call per keystroke as
//! someone types a name without accents. Goal: under 5 ms per keystroke.

mod common;

use std::time::Duration;

use common::*;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

const TYPED: &str = "nguyen van an";
const LIMIT: usize = 50;

fn search(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("bench.db"));
    let (commune, villages) = commune(&store);
    store.import_households(commune, &rows(&villages)).unwrap();
    let mut g = c.benchmark_group("household_search_10k");
    g.sample_size(30).measurement_time(Duration::from_secs(2)).warm_up_time(Duration::from_millis(500));
    // Every keystroke of typing the name, over all 10,000 households on the device.
    for n in 1..=TYPED.len() {
        let typed = &TYPED[..n];
        if typed.ends_with(' ') {
            continue;
        }
        g.bench_with_input(BenchmarkId::new("commune", typed), typed, |b, typed| {
            b.iter(|| store.search_households(None, typed, LIMIT).unwrap())
        });
    }
    // The same, within one village of 500 households (the village head's screen).
    g.bench_with_input(BenchmarkId::new("village", "ng v a"), "ng v a", |b, typed| {
        b.iter(|| store.search_households(Some(villages[0]), typed, LIMIT).unwrap())
    });
    g.finish();
}

criterion_group!(benches, search);
criterion_main!(benches);
