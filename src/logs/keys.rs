//! Hash-map keys of the join: queue ids stored inline (no allocation per message) and a fast
//! non-cryptographic hasher for keys the MTA generates (queue ids, pids), not the sender.

use std::hash::{BuildHasherDefault, Hasher};

/// FxHash (the rustc hasher): a multiply-rotate per word. Used only for keys the MTA makes
/// (queue ids, process ids, interned numbers), which an outsider cannot choose.
#[derive(Debug, Default, Clone, Copy)]
pub struct Fx(u64);

impl Fx {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FxMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<Fx>>;
pub type FxSet<K> = std::collections::HashSet<K, BuildHasherDefault<Fx>>;

/// Longest queue id kept (Exim 4.97 ids are 23 characters, Postfix long ids about 17).
pub const QID_MAX: usize = 31;

/// A queue id, inline: up to 31 bytes and the length (top byte), as four words, so keys are
/// built, compared and hashed without calls to memcpy/memcmp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Qid {
    w: [u64; 4],
}

impl Qid {
    /// No queue id: length 0, which no real id has (empty ids are never built into keys).
    pub const NONE: Qid = Qid { w: [0; 4] };

    /// `None` when longer than `QID_MAX` (no MTA writes such ids).
    pub fn new(s: &[u8]) -> Option<Qid> {
        if s.len() > QID_MAX {
            return None;
        }
        let mut w = [0u64; 4];
        for (i, word) in w.iter_mut().enumerate() {
            let from = (i * 8).min(s.len());
            let to = (i * 8 + 8).min(s.len());
            *word = short_word(&s[from..to]);
        }
        w[3] |= (s.len() as u64) << 56;
        Some(Qid { w })
    }

    /// The queue id at `line[start..start + len]`, reading whole words when the line is long
    /// enough (the common case) and masking off what follows the id.
    pub fn at(line: &[u8], start: usize, len: usize) -> Option<Qid> {
        if len > QID_MAX {
            return None;
        }
        let Some(win) = line.get(start..start + 32) else {
            return Qid::new(line.get(start..start + len)?);
        };
        let mut w = [0u64; 4];
        for (i, word) in w.iter_mut().enumerate() {
            let mut x = [0u8; 8];
            x.copy_from_slice(&win[i * 8..i * 8 + 8]);
            let keep = len.saturating_sub(i * 8).min(8);
            let mask = if keep == 8 {
                u64::MAX
            } else {
                (1u64 << (8 * keep)) - 1
            };
            *word = u64::from_le_bytes(x) & mask;
        }
        w[3] |= (len as u64) << 56;
        Some(Qid { w })
    }

    fn len(&self) -> usize {
        ((self.w[3] >> 56) as usize).min(QID_MAX)
    }

    pub fn to_string_lossy(&self) -> String {
        let mut b = [0u8; 32];
        for (i, word) in self.w.iter().enumerate() {
            b[i * 8..i * 8 + 8].copy_from_slice(&word.to_le_bytes());
        }
        String::from_utf8_lossy(&b[..self.len()]).into_owned()
    }
}

impl std::hash::Hash for Qid {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for w in self.w {
            state.write_u64(w);
        }
    }
}

/// A message: host (its name's fingerprint) and queue id. The MTA instance is not part of the
/// key: instances of one host draw queue ids from one file system (Postfix ids embed the
/// inode), and genlog's relay hop logs the second instance's local deliveries under the first
/// instance's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MsgKey {
    pub host: u64,
    pub qid: Qid,
}

/// An SMTP session: host, syslog tag (fingerprints, see `Fingerprints`) and pid, mixed into
/// one word. The fingerprints are keyed per run, so two sessions cannot be made to collide.
pub fn session_key(host_fp: u64, tag_fp: u64, pid: u32) -> u64 {
    host_fp ^ tag_fp.rotate_left(29) ^ u64::from(pid).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Keyed 64-bit fingerprints of names (hosts, syslog tags, account names): computed on the
/// worker threads so the join compares numbers, not strings. The key is random per run, so
/// nobody can make an account name collide with another on purpose (SipHash).
#[derive(Debug, Clone, Default)]
pub struct Fingerprints {
    key: std::collections::hash_map::RandomState,
}

impl Fingerprints {
    pub fn of(&self, b: &[u8]) -> u64 {
        use std::hash::BuildHasher;
        self.key.hash_one(b)
    }

    /// The fingerprint of `b` with ASCII letters lower-cased: equal for two addresses exactly
    /// when `eq_ignore_ascii_case` holds (up to a keyed 64-bit collision). Lets the join
    /// compare a message's envelope sender with its account without reading either text,
    /// which sit in cache lines of other cores by then.
    pub fn folded(&self, b: &[u8]) -> u64 {
        use std::hash::BuildHasher;
        let mut h = self.key.build_hasher();
        for w in lower_words(b) {
            h.write_u64(w);
        }
        h.write_usize(b.len());
        h.finish()
    }
}

/// 64-bit hash of a recipient address (case-insensitive), to tell recipients apart without
/// storing them. Eight bytes at a time: every delivery line hashes its recipient.
pub fn addr_hash(b: &[u8]) -> u64 {
    let mut h = Fx::default();
    for w in lower_words(b) {
        h.add(w);
    }
    h.add(b.len() as u64);
    h.finish()
}

/// The little-endian words of `b` with ASCII letters lower-cased (`ascii_lower`), the last
/// one padded with zeros: what the case-insensitive hashes of addresses hash.
fn lower_words(b: &[u8]) -> impl Iterator<Item = u64> + '_ {
    let words = b.chunks_exact(8);
    let rest = words.remainder();
    words
        .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()))
        .chain((!rest.is_empty()).then(|| short_word(rest)))
        .map(ascii_lower)
}

/// The bytes of `b` (at most eight) as a little-endian word padded with zeros, read with a
/// few loads instead of a `memcpy` call of variable length (which cost a function call and a
/// store-forwarding stall per field on the hot paths).
#[inline]
pub fn short_word(b: &[u8]) -> u64 {
    let n = b.len();
    let byte = |i: usize| u64::from(b[i]);
    match n {
        0 => 0,
        1..=3 => byte(0) | byte(n / 2) << (8 * (n / 2)) | byte(n - 1) << (8 * (n - 1)),
        4..=7 => {
            let half = |at: usize| {
                u64::from(u32::from_le_bytes(
                    b[at..at + 4].try_into().unwrap_or_default(),
                ))
            };
            // The two halves overlap on equal bytes: OR keeps them as they are.
            half(0) | half(n - 4) << (8 * (n - 4))
        }
        _ => u64::from_le_bytes(b[..8].try_into().unwrap_or_default()),
    }
}

/// `to_ascii_lowercase` of the eight bytes of `w` at once (SWAR): bytes `A`..=`Z` gain 0x20,
/// every other byte (non-ASCII included) is unchanged.
fn ascii_lower(w: u64) -> u64 {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let low7 = w & !HI;
    // The high bit of each byte: its low seven bits are >= 'A', resp. > 'Z' (no carries: the
    // sums stay under 0x100).
    let ge_a = low7 + LO * u64::from(0x80 - b'A');
    let gt_z = low7 + LO * u64::from(0x80 - b'Z' - 1);
    let upper = ge_a & !gt_z & !w & HI;
    w | (upper >> 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qid_inline() {
        let q = Qid::new(b"4Xk2Lm3Q9Zz8wB").expect("fits");
        assert_eq!(q.to_string_lossy(), "4Xk2Lm3Q9Zz8wB");
        assert!(Qid::new(&[b'A'; 40]).is_none());
        assert_eq!(
            Qid::new(&[b'A'; 31]).expect("fits").to_string_lossy().len(),
            31
        );
        assert_ne!(Qid::new(b"AB"), Qid::new(b"AB\0"));
        let line = b"x: 4Xk2Lm3Q9Zz8wB: removed and more text after the queue id";
        assert_eq!(Qid::at(line, 3, 14), Some(q));
        assert_eq!(Qid::at(&line[..17], 3, 14), Some(q));
        assert_eq!(Qid::at(line, 3, 40), None);
    }

    #[test]
    fn ascii_lower_matches_std_on_every_byte() {
        for b in 0..=255u8 {
            for pos in 0..8 {
                let mut w = [b'x'; 8];
                w[pos] = b;
                let mut want = w;
                want.make_ascii_lowercase();
                let got = ascii_lower(u64::from_le_bytes(w)).to_le_bytes();
                assert_eq!(got, want, "byte {b:#x} at {pos}");
            }
        }
        let all: Vec<u8> = (0..=255u8).collect();
        for c in all.chunks(8) {
            let w = u64::from_le_bytes(c.try_into().expect("8"));
            let want = u64::from_le_bytes(c.to_ascii_lowercase().try_into().expect("8"));
            assert_eq!(ascii_lower(w), want);
        }
    }

    #[test]
    fn short_word_is_the_padded_little_endian_word() {
        let bytes = *b"abcdefghij";
        for n in 0..=8 {
            let mut w = [0u8; 8];
            w[..n].copy_from_slice(&bytes[..n]);
            assert_eq!(short_word(&bytes[..n]), u64::from_le_bytes(w), "length {n}");
        }
    }

    #[test]
    fn folded_fingerprints_agree_with_eq_ignore_ascii_case() {
        let fps = Fingerprints::default();
        let names: [&[u8]; 7] = [
            b"Bob@Example.net",
            b"bob@example.net",
            b"bob@example.ne",
            b"bob@example.net\0",
            b"b\xc3\xb6b@example.net",
            b"B\xc3\xb6B@example.net",
            b"",
        ];
        for a in names {
            for b in names {
                assert_eq!(
                    fps.folded(a) == fps.folded(b),
                    a.eq_ignore_ascii_case(b),
                    "{a:?} {b:?}"
                );
            }
        }
    }

    #[test]
    fn addr_hash_ignores_case() {
        assert_eq!(addr_hash(b"Bob@Example.net"), addr_hash(b"bob@example.net"));
        assert_ne!(addr_hash(b"bob@example.net"), addr_hash(b"bob@example.org"));
        assert_ne!(session_key(1, 2, 3), session_key(1, 2, 4));
        assert_ne!(session_key(1, 2, 3), session_key(2, 1, 3));
        assert_ne!(session_key(1, 2, 3), session_key(1, 3, 3));
    }
}
