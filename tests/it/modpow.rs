//! The patched `BigUint::modpow` (vendor/num-bigint-dig, binary ladder for exponents that fit
//! in 64 bits) against plain square-and-multiply with `%`, which shares no code with it.

use num_bigint_dig::BigUint;

fn int(n: u64) -> BigUint {
    BigUint::from(n)
}

/// xorshift64*: reproducible operands without a rand dependency.
struct Bytes(u64);

impl Bytes {
    fn take(&mut self, n: usize) -> Vec<u8> {
        (0..n)
            .map(|_| {
                self.0 ^= self.0 >> 12;
                self.0 ^= self.0 << 25;
                self.0 ^= self.0 >> 27;
                (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
            })
            .collect()
    }
}

fn reference(x: &BigUint, e: u64, m: &BigUint) -> BigUint {
    let mut acc = int(1) % m;
    let mut base = x % m;
    let mut e = e;
    while e > 0 {
        if e & 1 == 1 {
            acc = (&acc * &base) % m;
        }
        base = (&base * &base) % m;
        e >>= 1;
    }
    acc
}

/// Every short-exponent case against the reference; the count of cases checked.
fn check_short_exponents() -> usize {
    let mut rng = Bytes(0x9e37_79b9_7f4a_7c15);
    let all = [1u64, 2, 3, 17, 65537, 0x8000_0000_0000_0001, u64::MAX];
    let mut checked = 0;
    // (bits, moduli): every register count of the IFMA path (1024, 2048, 3072, 4096, 8192
    // bits and under), and past its largest (12288 bits: the portable path only).
    for (bits, moduli) in [
        (64usize, 3),
        (512, 3),
        (1024, 3),
        (2048, 3),
        (3072, 2),
        (4096, 2),
        (8192, 1),
        (12288, 1),
    ] {
        // The reference is slow on big numbers in a debug build: fewer exponents there.
        let exponents: &[u64] = match bits {
            0..=2048 => &all,
            2049..=8192 => &[1, 3, 65537],
            _ => &[3],
        };
        for _ in 0..moduli {
            let mut m = rng.take(bits / 8);
            m[0] |= 0x80; // full length, as an RSA modulus is
            *m.last_mut().unwrap() |= 1; // odd: the Montgomery path
            let m = BigUint::from_bytes_be(&m);
            let below = BigUint::from_bytes_be(&rng.take(bits / 8)) % &m;
            let long = BigUint::from_bytes_be(&rng.take(bits / 8 + 9)); // longer than m
            let same_len_above = &m + int(1); // len(x) == len(m), x >= m
            let edge = [int(0), int(1), &m - int(1), below, long, same_len_above];
            for x in &edge {
                for &e in exponents {
                    let want = reference(x, e, &m);
                    let got = x.modpow(&BigUint::from(e), &m);
                    assert_eq!(got, want, "{bits}-bit m, e = {e}, x = {x}");
                    checked += 1;
                }
            }
        }
    }
    checked
}

/// The AVX-512 IFMA path where the CPU has it, then the portable ladder (IFMA turned off for
/// the process meanwhile; other tests' RSA then takes the portable path, which is as right).
#[test]
fn short_exponents_match_square_and_multiply() {
    let cases = (3 + 3 + 3 + 3) * 6 * 7 + (2 + 2 + 1) * 6 * 3 + 6;
    assert_eq!(check_short_exponents(), cases);
    #[cfg(target_arch = "x86_64")]
    {
        num_bigint_dig::set_ifma_enabled(false);
        let portable = check_short_exponents();
        num_bigint_dig::set_ifma_enabled(true);
        assert_eq!(portable, cases);
    }
}

#[test]
fn long_exponents_keep_the_window_path() {
    // 2^64 + 5 does not fit in a u64: upstream's fixed window, still correct.
    let m = BigUint::from_bytes_be(&[0xc5; 128]); // odd
    let x = int(0xdead_beef);
    let mut want = x.clone();
    for _ in 0..64 {
        want = (&want * &want) % &m;
    }
    want = (want * reference(&x, 5, &m)) % &m;
    let e = (int(1) << 64usize) + int(5);
    assert_eq!(x.modpow(&e, &m), want);
}
