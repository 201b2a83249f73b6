//! The sync client: push the outbox, pull the unit's records, upload attachments.
//!
//! Push sends bounded, compressed batches in outbox order and settles each change by the
//! server's per-item answer (acknowledged, or set aside with the reason). Pull applies each page
//! in one transaction together with the cursor, so the cursor moves only once the page is in;
//! records the server erased on request leave the phone in that same transaction.
//! Every step is idempotent, so a sync cut anywhere resumes on the next call without loss or
//! duplicates.

use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::params;
use uuid::Uuid;

use super::batch::coalesce;
use super::device::{self, Enrollment, META_PULL_CURSOR};
use super::progress::{CancelToken, Progress, SyncPhase, SyncProgress};
use super::protocol::{
    MAX_ATTACHMENT_CHUNK, AttachmentStatus, MAX_PUSH_BYTES, MAX_PUSH_CHANGES, PATH_ATTACHMENTS, PATH_PULL, PATH_PUSH, PullResponse,
    PushRequest, PushResponse, PushStatus, reason,
};
use super::transport::{Request, RetryPolicy, Signer, Transport, WireStats, learn_clock_offset};
use crate::households::erase_with_dependents;
use crate::store::{Store, meta_get, meta_set};
use crate::{Error, Result};

/// Room left in a push body for the envelope around the changes.
const PUSH_ENVELOPE_BYTES: usize = 4 * 1024;

/// What one sync did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SyncReport {
    /// Changes the server took (applied now or already held).
    pub pushed: u64,
    /// Changes the server refused; kept on the device with the reason.
    pub set_aside: u64,
    /// Records received and merged.
    pub pulled: u64,
    /// Records received that could not be merged (left as they were locally).
    pub pull_conflicts: u64,
    /// Records removed from this device because the server erased them on request (with the
    /// visits and pledges of an erased household).
    pub erased: u64,
    pub attachments_uploaded: u64,
    /// Attachments that records on this device name, fetched from the server.
    pub attachments_downloaded: u64,
    /// Attachments the server refused (too large, ...); they stay for the next sync.
    pub attachments_refused: u64,
    pub wire: WireStats,
}

pub struct SyncClient {
    store: Arc<Store>,
    transport: Transport,
    signer: Signer,
    enrollment: Enrollment,
}

impl SyncClient {
    /// A client for an enrolled store (`NotFound` for "enrollment" otherwise).
    pub fn new(store: Arc<Store>) -> Result<SyncClient> {
        Self::with_retry(store, RetryPolicy::default())
    }

    pub fn with_retry(store: Arc<Store>, retry: RetryPolicy) -> Result<SyncClient> {
        let (enrollment, signer) = device::signer(&store)?;
        let transport = Transport::new(&enrollment.server_url, retry)?;
        Ok(SyncClient { store, transport, signer, enrollment })
    }

    pub fn enrollment(&self) -> &Enrollment {
        &self.enrollment
    }

    /// Push every pending change, pull everything new, then upload waiting attachments.
    ///
    /// A device the server revoked is wiped here, before `Error::Revoked` is returned: that is
    /// the server's instruction, and no shell should have to remember it.
    pub fn sync(&self, progress: &dyn SyncProgress, cancel: &CancelToken) -> Result<SyncReport> {
        let result = self.sync_steps(progress, cancel);
        if let Err(Error::Revoked) = result {
            self.store.wipe()?;
        }
        result
    }

    fn sync_steps(&self, progress: &dyn SyncProgress, cancel: &CancelToken) -> Result<SyncReport> {
        let mut report = SyncReport::default();
        self.push(progress, cancel, &mut report)?;
        self.pull(progress, cancel, &mut report)?;
        self.upload_attachments(progress, cancel, &mut report)?;
        self.download_attachments(progress, cancel, &mut report)?;
        Ok(report)
    }

    fn send(&self, req: &Request<'_>, cancel: &CancelToken, report: &mut SyncReport) -> Result<super::transport::Response> {
        self.transport.send(req, Some(&self.signer), &self.store, cancel, &mut report.wire)
    }

    /// Send the outbox in bounded batches until nothing is pending.
    pub fn push(&self, progress: &dyn SyncProgress, cancel: &CancelToken, report: &mut SyncReport) -> Result<()> {
        let (items_total, bytes_total) = self.pending_totals()?;
        let mut p = Progress { phase: SyncPhase::Push, items_done: 0, items_total, bytes_done: 0, bytes_total: Some(bytes_total) };
        if items_total == 0 {
            return Ok(());
        }
        progress.report(&p);
        let mut max_changes = MAX_PUSH_CHANGES;
        loop {
            cancel.check()?;
            // Take more than fits: changes made redundant by a later one are folded away.
            let raw = self.store.outbox_batch(max_changes * 2, MAX_PUSH_BYTES * 2)?;
            if raw.is_empty() {
                return Ok(());
            }
            let sizes: HashMap<Uuid, u64> = raw.iter().map(|c| (c.id, serde_json::to_vec(c).map(|v| v.len() as u64).unwrap_or(0))).collect();
            let batch = coalesce(raw).limit(max_changes, MAX_PUSH_BYTES - PUSH_ENVELOPE_BYTES, &sizes);
            let body = PushRequest { changes: batch.send.clone() };
            let req = Request::json_zstd(reqwest::Method::POST, PATH_PUSH.to_string(), &body)?;
            let answer: PushResponse = match self.send(&req, cancel, report) {
                Ok(r) => r.json()?,
                Err(Error::Server { status: 413, reason }) => {
                    if batch.send.len() > 1 {
                        max_changes = (batch.send.len() / 2).max(1);
                        continue;
                    }
                    // One change too large for any batch: set it aside, go on with the rest.
                    self.set_aside(batch.send[0].id, &reason, &sizes, &mut p, report)?;
                    progress.report(&p);
                    continue;
                }
                Err(e) => return Err(e),
            };
            let before = (report.pushed, report.set_aside);
            let sent: HashMap<Uuid, Uuid> = batch.send.iter().map(|c| (c.id, c.record)).collect();
            let mut acked = Vec::new();
            let mut erased = Vec::new();
            for r in &answer.results {
                let Some(&record) = sent.get(&r.change) else { continue };
                match r.status {
                    PushStatus::Applied | PushStatus::Duplicate => acked.push(r.change),
                    // Erased on request: the record may not come back, so it leaves this
                    // device too, with every change queued for it.
                    PushStatus::Rejected if r.reason.as_deref().is_some_and(is_erased) => {
                        erased.push(record);
                        p.items_done += 1;
                        p.bytes_done += sizes.get(&r.change).copied().unwrap_or(0);
                    }
                    PushStatus::Rejected => {
                        let reason = r.reason.as_deref().unwrap_or("rejected");
                        self.set_aside(r.change, reason, &sizes, &mut p, report)?;
                    }
                }
            }
            if !erased.is_empty() {
                report.erased += self.store.write(|tx| erase_all(tx, erased.iter().copied()))?;
                // Later changes to those records left the queue with them.
                p.items_total = p.items_done + self.store.outbox_pending_count()?;
            }
            let mut ids = Vec::new();
            for id in &acked {
                ids.push(*id);
                ids.extend(batch.covered_by(*id));
            }
            self.store.outbox_acknowledge(&ids)?;
            report.pushed += ids.len() as u64;
            p.items_done += ids.len() as u64;
            p.bytes_done += ids.iter().map(|i| sizes.get(i).copied().unwrap_or(0)).sum::<u64>();
            progress.report(&p);
            if (report.pushed, report.set_aside) == before && erased.is_empty() {
                return Err(Error::Server { status: 200, reason: "the server answered for none of the changes sent".into() });
            }
        }
    }

    /// Set aside a refused change. Changes it had folded in go back to the queue on their own
    /// (they are still pending) and are judged separately next round.
    fn set_aside(&self, change: Uuid, reason: &str, sizes: &HashMap<Uuid, u64>, p: &mut Progress, report: &mut SyncReport) -> Result<()> {
        self.store.outbox_set_aside(change, reason)?;
        report.set_aside += 1;
        p.items_done += 1;
        p.bytes_done += sizes.get(&change).copied().unwrap_or(0);
        Ok(())
    }

    fn pending_totals(&self) -> Result<(u64, u64)> {
        self.store.read(|c| {
            Ok(c.query_row("SELECT count(*), COALESCE(sum(length(CAST(body AS BLOB))), 0) FROM outbox WHERE state = 'pending'", [], |r| {
                Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64))
            })?)
        })
    }

    /// Pull pages from the stored cursor until the server has no more.
    pub fn pull(&self, progress: &dyn SyncProgress, cancel: &CancelToken, report: &mut SyncReport) -> Result<()> {
        let mut cursor: u64 = self.store.read(|c| meta_get(c, META_PULL_CURSOR))?.and_then(|s| s.parse().ok()).unwrap_or(0);
        let mut p = Progress { phase: SyncPhase::Pull, items_done: 0, items_total: 0, bytes_done: 0, bytes_total: None };
        loop {
            cancel.check()?;
            let received_before = report.wire.bytes_received;
            let resp = self.send(&Request::get(format!("{PATH_PULL}?cursor={cursor}")), cancel, report)?;
            let page: PullResponse = resp.json()?;
            let (conflicts, erased) = self.store.write(|tx| {
                let mut conflicts = 0;
                for record in &page.records {
                    match tx.apply_remote(record) {
                        Ok(_) => {}
                        // A record that cannot merge (it differs from a sealed local copy)
                        // must not hold back the rest of the page.
                        Err(Error::Validation { .. }) => conflicts += 1,
                        Err(e) => return Err(e),
                    }
                }
                // After the records: an erasure is final, whatever the page held before it.
                let erased = erase_all(tx, page.erased.iter().map(|e| e.id))?;
                meta_set(tx.conn(), META_PULL_CURSOR, &page.cursor.to_string())?;
                Ok((conflicts, erased))
            })?;
            cursor = page.cursor;
            report.pulled += page.records.len() as u64 - conflicts;
            report.pull_conflicts += conflicts;
            report.erased += erased;
            p.items_done += (page.records.len() + page.erased.len()) as u64;
            p.items_total = p.items_done + page.remaining;
            p.bytes_done += report.wire.bytes_received - received_before;
            progress.report(&p);
            if !page.more {
                self.learn_offset_if_far(page.server_time_ms)?;
                return Ok(());
            }
        }
    }

    /// Keep the store's clock near the server's so new changes carry sensible clocks.
    fn learn_offset_if_far(&self, server_time_ms: i64) -> Result<()> {
        if (self.store.now_millis() - server_time_ms).abs() > 60_000 {
            learn_clock_offset(&self.store, server_time_ms)?;
        }
        Ok(())
    }

    /// Upload attachments not yet on the server, resuming partial uploads where they stopped.
    pub fn upload_attachments(&self, progress: &dyn SyncProgress, cancel: &CancelToken, report: &mut SyncReport) -> Result<()> {
        let waiting: Vec<(String, String, u64)> = self.store.attachments_not_uploaded()?.into_iter().map(|a| (a.sha256, a.mime, a.size)).collect();
        if waiting.is_empty() {
            return Ok(());
        }
        let bytes_total = waiting.iter().map(|w| w.2).sum();
        let mut p = Progress { phase: SyncPhase::Attachments, items_done: 0, items_total: waiting.len() as u64, bytes_done: 0, bytes_total: Some(bytes_total) };
        progress.report(&p);
        for (sha, mime, size) in waiting {
            match self.upload_one(&sha, &mime, size, cancel, report) {
                Ok(()) => {
                    self.store.mark_attachment_uploaded(&sha)?;
                    report.attachments_uploaded += 1;
                }
                // Refused (too large, hash mismatch): the others still go.
                Err(Error::Server { status, .. }) if (400..500).contains(&status) => report.attachments_refused += 1,
                Err(e) => return Err(e),
            }
            p.items_done += 1;
            p.bytes_done += size;
            progress.report(&p);
        }
        Ok(())
    }

    /// Fetch the photos that records received by pull name but this device lacks. One the
    /// server does not have whole yet (404) is tried again at the next sync.
    pub fn download_attachments(&self, progress: &dyn SyncProgress, cancel: &CancelToken, report: &mut SyncReport) -> Result<()> {
        let missing = self.store.attachments_missing()?;
        if missing.is_empty() {
            return Ok(());
        }
        let mut p = Progress { phase: SyncPhase::Attachments, items_done: 0, items_total: missing.len() as u64, bytes_done: 0, bytes_total: None };
        progress.report(&p);
        for sha in missing {
            let received_before = report.wire.bytes_received;
            match self.send(&Request::get(format!("{PATH_ATTACHMENTS}/{sha}/content")), cancel, report) {
                Ok(r) => {
                    let mime = r.content_type.clone().unwrap_or_else(|| "application/octet-stream".into());
                    match self.store.put_downloaded_attachment(&sha, &r.body, &mime) {
                        Ok(_) => report.attachments_downloaded += 1,
                        // Bytes that do not match their address are not kept.
                        Err(Error::Validation { .. }) => {}
                        Err(e) => return Err(e),
                    }
                }
                Err(Error::Server { status, .. }) if (400..500).contains(&status) => {}
                Err(e) => return Err(e),
            }
            p.items_done += 1;
            p.bytes_done += report.wire.bytes_received - received_before;
            progress.report(&p);
        }
        Ok(())
    }

    fn upload_one(&self, sha: &str, mime: &str, size: u64, cancel: &CancelToken, report: &mut SyncReport) -> Result<()> {
        let path = format!("{PATH_ATTACHMENTS}/{sha}");
        let mut received = match self.send(&Request::get(path.clone()), cancel, report) {
            Ok(r) => {
                let s: AttachmentStatus = r.json()?;
                if s.complete {
                    return Ok(());
                }
                s.received
            }
            Err(Error::Server { status: 404, .. }) => 0,
            Err(e) => return Err(e),
        };
        loop {
            cancel.check()?;
            let len = (size - received.min(size)).min(MAX_ATTACHMENT_CHUNK as u64);
            let chunk: Vec<u8> = self.store.read(|c| {
                Ok(c.query_row("SELECT substr(data, ?2, ?3) FROM attachments WHERE sha256 = ?1", params![sha, received as i64 + 1, len as i64], |r| {
                    r.get::<_, Vec<u8>>(0)
                })?)
            })?;
            let req = Request {
                method: reqwest::Method::PUT,
                path_and_query: format!("{path}?offset={received}&size={size}"),
                body: chunk,
                content_type: mime,
                content_encoding: None,
            };
            let status: AttachmentStatus = match self.send(&req, cancel, report) {
                Ok(r) => r.json()?,
                // The server holds a different amount (a reply lost after it stored a chunk).
                Err(Error::Server { status: 409, .. }) => self.send(&Request::get(path.clone()), cancel, report)?.json()?,
                Err(e) => return Err(e),
            };
            if status.complete {
                return Ok(());
            }
            if status.received == received && len > 0 {
                return Err(Error::Server { status: 200, reason: "the server did not take the chunk".into() });
            }
            received = status.received;
        }
    }
}

/// Whether a push rejection says the record was erased on request (`erased` or `erased: ...`).
fn is_erased(rejection: &str) -> bool {
    rejection.split(':').next().map(str::trim) == Some(reason::ERASED)
}

/// Erase these records and what depends on them; how many records left the device.
fn erase_all(tx: &mut crate::store::Tx<'_>, ids: impl Iterator<Item = Uuid>) -> Result<u64> {
    let mut count = 0;
    for id in ids {
        let (held, with) = erase_with_dependents(tx, id)?;
        count += u64::from(held) + u64::from(with.visits) + u64::from(with.pledges);
    }
    Ok(count)
}
