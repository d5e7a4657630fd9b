//! The evidence record of an input: every JSON document lists, for each file it read, the path,
//! the size and the SHA-256, so a report can be tied to the exact bytes it came from.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// One input as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputInfo {
    /// As given on the command line (`-` for stdin).
    pub path: String,
    /// Bytes read (for compressed files, the compressed bytes on disk).
    pub size: u64,
    /// SHA-256 of those bytes, lower-case hex.
    pub sha256: String,
}

impl InputInfo {
    /// The record of an input held in memory whole (small lists, stdin).
    pub fn of_bytes(path: &str, bytes: &[u8]) -> InputInfo {
        InputInfo {
            path: path.to_string(),
            size: bytes.len() as u64,
            sha256: hex(&Sha256::digest(bytes)),
        }
    }
}

/// Lower-case hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_bytes() {
        let info = InputInfo::of_bytes("-", b"abc");
        assert_eq!(info.size, 3);
        assert_eq!(
            info.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
