//! Seeded byte mutations for the no-panic tests of the message analysers (`headers`, `auth`):
//! a small xorshift generator, so a failing round replays from its seed without a fuzzing
//! dependency in the test build.

/// A deterministic source of edits.
pub struct Mutator {
    state: u64,
}

impl Mutator {
    pub fn new(seed: u64) -> Mutator {
        Mutator { state: seed.max(1) }
    }

    pub fn next(&mut self) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state
    }

    /// A copy of `seed` with 1 to `max_edits` edits, each a truncation, a changed byte, a
    /// piece of `nasty` inserted, or a slice of the seed itself inserted elsewhere.
    pub fn mutate(&mut self, seed: &[u8], nasty: &[&[u8]], max_edits: u64) -> Vec<u8> {
        let mut data = seed.to_vec();
        for _ in 0..(self.next() % max_edits + 1) {
            let at = (self.next() as usize) % (data.len() + 1);
            match self.next() % 4 {
                0 => data.truncate(at),
                1 if at < data.len() => data[at] = self.next() as u8,
                2 => {
                    let piece = nasty[(self.next() as usize) % nasty.len()];
                    data.splice(at..at, piece.iter().copied());
                }
                _ => {
                    let from = (self.next() as usize) % seed.len().max(1);
                    let len = (self.next() as usize) % 200;
                    let piece = &seed[from.min(seed.len())..(from + len).min(seed.len())];
                    data.splice(at..at, piece.iter().copied());
                }
            }
        }
        data
    }
}
