//! The sink side of `trace`: while the log engine streams every finished message once, keep
//! only the records a complaint asks for (by queue id or Message-ID), their relay parents and
//! children, the host names the logs were written on, and the accounts' submissions in the
//! time windows around the complaints.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::net::IpAddr;
use std::sync::Arc;

use crate::logs::MessageRecord;

/// How long a relayed submission is remembered for its child (the second instance's copy):
/// twice the log join's own hop limit.
const PARENT_MEMORY: i64 = 2 * 3600;

/// What the complaints ask of the logs.
#[derive(Debug, Default)]
pub struct Wanted {
    pub queue_ids: HashSet<String>,
    pub message_ids: HashSet<String>,
    /// Times (closed intervals) in which submissions are kept for the activity windows;
    /// `None` keeps all (a complaint without any time).
    pub spans: Option<Vec<(i64, i64)>>,
}

impl Wanted {
    fn in_spans(&self, t: i64) -> bool {
        self.spans
            .as_ref()
            .is_none_or(|spans| spans.iter().any(|&(a, b)| a <= t && t <= b))
    }
}

/// One submission by an account, for the activity window.
#[derive(Debug, Clone)]
pub struct Submission {
    pub at: i64,
    pub recipients: u64,
    pub ip: Option<IpAddr>,
}

/// What the sink kept.
#[derive(Debug, Default)]
pub struct Collected {
    pub records: Vec<MessageRecord>,
    pub hosts: BTreeSet<String>,
    /// Minutes (Unix time / 60) in which some message was logged: where the logs really have
    /// mail, as opposed to their first-to-last span, which hides a missing rotated file.
    active_minutes: BTreeSet<i64>,
    /// Submissions in the spans, by account (ASCII lower case), in log order.
    submissions: HashMap<String, Vec<Submission>>,
    /// (host, queue id) of the kept records, so their relay children are kept too.
    kept: HashSet<(Arc<str>, String)>,
    /// Recent records of relays (submissions relayed to a second instance, and the second
    /// instance's copies), in case a record kept later is their other half.
    recent: VecDeque<MessageRecord>,
    /// Relay parents of kept records that have not finished yet.
    parents_wanted: HashSet<(Arc<str>, String)>,
    /// Host names seen, by pointer, so each is copied once.
    host_ptrs: HashSet<usize>,
    /// Positions in `records` by queue id, by Message-ID and by relay parent's queue id
    /// (built by `index` once the logs are read).
    by_qid: HashMap<String, Vec<usize>>,
    by_mid: HashMap<String, Vec<usize>>,
    by_parent: HashMap<String, Vec<usize>>,
}

/// A Message-ID as both sides write it: without angle brackets and blanks.
pub fn norm_message_id(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_string()
}

impl Collected {
    /// True when some message was logged between `from` and `to` (Unix seconds): the logs
    /// saw mail then, so a message of ours at that time would be in them.
    pub fn mail_logged_between(&self, from: i64, to: i64) -> bool {
        self.active_minutes
            .range(from.div_euclid(60)..=to.div_euclid(60))
            .next()
            .is_some()
    }

    /// Indexes the kept records; call once the logs are read.
    pub fn index(&mut self) {
        for (i, r) in self.records.iter().enumerate() {
            self.by_qid.entry(r.queue_id.clone()).or_default().push(i);
            if let Some(m) = &r.message_id {
                self.by_mid.entry(norm_message_id(m)).or_default().push(i);
            }
            if let Some(p) = &r.relayed_from {
                self.by_parent.entry(p.clone()).or_default().push(i);
            }
        }
    }

    fn at<'a>(&'a self, ix: Option<&'a Vec<usize>>) -> impl Iterator<Item = &'a MessageRecord> {
        ix.into_iter()
            .flatten()
            .filter_map(|&i| self.records.get(i))
    }

    /// The submissions kept for an account (ASCII case-insensitive).
    pub fn submissions_of(&self, account: &str) -> &[Submission] {
        self.submissions
            .get(&account.to_ascii_lowercase())
            .map_or(&[], Vec::as_slice)
    }

    /// The kept records with this queue id (on any host).
    pub fn with_queue_id<'a>(&'a self, qid: &str) -> impl Iterator<Item = &'a MessageRecord> {
        self.at(self.by_qid.get(qid))
    }

    /// The kept records with this (normalised) Message-ID.
    pub fn with_message_id<'a>(&'a self, mid: &str) -> impl Iterator<Item = &'a MessageRecord> {
        self.at(self.by_mid.get(mid))
    }

    /// The kept records relayed from this queue id (on any host).
    pub fn relayed_from<'a>(&'a self, qid: &str) -> impl Iterator<Item = &'a MessageRecord> {
        self.at(self.by_parent.get(qid))
    }

    /// Looks at one finished message.
    pub fn take(&mut self, wanted: &Wanted, r: &MessageRecord) {
        self.active_minutes.insert(r.first_seen.div_euclid(60));
        self.active_minutes.insert(r.last_seen.div_euclid(60));
        let ptr = Arc::as_ptr(&r.host).cast::<u8>() as usize;
        if self.host_ptrs.insert(ptr) && !r.host.is_empty() {
            self.hosts.insert(r.host.to_string());
        }
        let own = r.account.is_some() && r.relayed_from.is_none();
        if let (true, Some(account)) = (own, &r.account) {
            if wanted.in_spans(r.first_seen) {
                let list = match self.submissions.get_mut(&**account) {
                    Some(list) => list,
                    None => self
                        .submissions
                        .entry(account.to_ascii_lowercase())
                        .or_default(),
                };
                list.push(Submission {
                    at: r.first_seen,
                    recipients: u64::from(r.nrcpt.unwrap_or(r.recipients.len() as u32)),
                    ip: r.client_ip,
                });
            }
        }
        let key = (Arc::clone(&r.host), r.queue_id.clone());
        let by_id = wanted.queue_ids.contains(&r.queue_id)
            || r.message_id
                .as_deref()
                .is_some_and(|m| wanted.message_ids.contains(&norm_message_id(m)));
        let family_of_kept = self.parents_wanted.remove(&key)
            || r.relayed_from
                .as_ref()
                .is_some_and(|p| self.kept.contains(&(Arc::clone(&r.host), p.clone())));
        if by_id || family_of_kept {
            self.keep(r.clone());
            return;
        }
        // A relay's two halves finish in either order: remember both for a while.
        let relays = r.relayed_from.is_some()
            || r.recipients
                .iter()
                .any(|x| x.status == crate::logs::Status::Relayed);
        if relays {
            while self
                .recent
                .front()
                .is_some_and(|p| p.last_seen < r.first_seen - PARENT_MEMORY)
            {
                self.recent.pop_front();
            }
            self.recent.push_back(r.clone());
        }
    }

    /// Keeps a record, with its relay parent and children seen so far; a parent not seen yet
    /// is kept when it finishes.
    fn keep(&mut self, r: MessageRecord) {
        let host = Arc::clone(&r.host);
        self.kept.insert((Arc::clone(&host), r.queue_id.clone()));
        if let Some(parent) = &r.relayed_from {
            let key = (Arc::clone(&host), parent.clone());
            if !self.kept.contains(&key) {
                match self
                    .recent
                    .iter()
                    .rposition(|p| p.host == host && &p.queue_id == parent)
                {
                    Some(i) => {
                        if let Some(p) = self.recent.remove(i) {
                            self.kept.insert(key);
                            self.records.push(p);
                        }
                    }
                    None => {
                        self.parents_wanted.insert(key);
                    }
                }
            }
        }
        let qid = r.queue_id.clone();
        self.records.push(r);
        while let Some(i) = self
            .recent
            .iter()
            .position(|c| c.host == host && c.relayed_from.as_deref() == Some(qid.as_str()))
        {
            if let Some(c) = self.recent.remove(i) {
                self.kept.insert((Arc::clone(&host), c.queue_id.clone()));
                self.records.push(c);
            }
        }
    }
}
