#![allow(clippy::many_single_char_names)]

use alloc::vec::Vec;
use core::ops::Shl;
use num_traits::{One, ToPrimitive, Zero};

use crate::big_digit::{self, BigDigit, DoubleBigDigit, SignedDoubleBigDigit};
use crate::biguint::BigUint;

struct MontyReducer {
    n0inv: BigDigit,
}

// k0 = -m**-1 mod 2**BITS. Algorithm from: Dumas, J.G. "On Newton–Raphson
// Iteration for Multiplicative Inverses Modulo Prime Powers".
fn inv_mod_alt(b: BigDigit) -> BigDigit {
    assert_ne!(b & 1, 0);

    let mut k0 = 2 - b as SignedDoubleBigDigit;
    let mut t = (b - 1) as SignedDoubleBigDigit;
    let mut i = 1;
    while i < big_digit::BITS {
        t = t.wrapping_mul(t);
        k0 = k0.wrapping_mul(t + 1);

        i <<= 1;
    }
    -k0 as BigDigit
}

impl MontyReducer {
    fn new(n: &BigUint) -> Self {
        let n0inv = inv_mod_alt(n.data[0]);
        MontyReducer { n0inv }
    }
}

/// Computes z mod m = x * y * 2 ** (-n*_W) mod m
/// assuming k = -1/m mod 2**_W
/// See Gueron, "Efficient Software Implementations of Modular Exponentiation".
/// https://eprint.iacr.org/2011/239.pdf
/// In the terminology of that paper, this is an "Almost Montgomery Multiplication":
/// x and y are required to satisfy 0 <= z < 2**(n*_W) and then the result
/// z is guaranteed to satisfy 0 <= z < 2**(n*_W), but it may not be < m.
fn montgomery(z: &mut BigUint, x: &BigUint, y: &BigUint, m: &BigUint, k: BigDigit, n: usize) {
    // This code assumes x, y, m are all the same length, n.
    // (required by addMulVVW and the for loop).
    // It also assumes that x, y are already reduced mod m,
    // or else the result will not be properly reduced.
    assert!(
        x.data.len() == n && y.data.len() == n && m.data.len() == n,
        "{:?} {:?} {:?} {}",
        x,
        y,
        m,
        n
    );

    z.data.clear();
    z.data.resize(n * 2, 0);

    let mut c: BigDigit = 0;

    // PATCHED for mailsleuth: upstream made two passes per digit of y (z += x*y[i], then
    // z += m*t); one fused pass adds both products with a carry each. The two carry chains
    // are independent, so the core overlaps them, and z is read and written once, not twice.
    // t is the same as upstream's: z[i] after the first product, times k (the first product
    // adds no carry into position i).
    let (x, m) = (&x.data[..n], &m.data[..n]);
    for i in 0..n {
        let yi = y.data[i];
        let zi = &mut z.data[i..n + i];
        let t = zi[0].wrapping_add(x[0].wrapping_mul(yi)).wrapping_mul(k);
        let (mut c2, mut c3): (DoubleBigDigit, DoubleBigDigit) = (0, 0);
        for ((zj, &xj), &mj) in zi.iter_mut().zip(x).zip(m) {
            // Neither sum can overflow: (2^W - 1)^2 + 2 (2^W - 1) = 2^2W - 1.
            let a = *zj as DoubleBigDigit + xj as DoubleBigDigit * yi as DoubleBigDigit + c2;
            c2 = a >> big_digit::BITS;
            let b = (a as BigDigit) as DoubleBigDigit
                + mj as DoubleBigDigit * t as DoubleBigDigit
                + c3;
            c3 = b >> big_digit::BITS;
            *zj = b as BigDigit;
        }
        let (c2, c3) = (c2 as BigDigit, c3 as BigDigit);
        let cx = c.wrapping_add(c2);
        let cy = cx.wrapping_add(c3);
        z.data[n + i] = cy;
        c = if cx < c2 || cy < c3 { 1 } else { 0 };
    }

    if c == 0 {
        let (first, second) = z.data.split_at_mut(n);
        first.swap_with_slice(&mut second[..]);
    } else {
        let (mut first, second) = z.data.split_at_mut(n);
        sub_vv(&mut first, &second, m);
    }
    z.data.truncate(n);
}

/// The resulting carry c is either 0 or 1.
#[inline]
fn sub_vv(z: &mut [BigDigit], x: &[BigDigit], y: &[BigDigit]) -> BigDigit {
    let mut c = 0;
    for (i, (xi, yi)) in x.iter().zip(y.iter()).enumerate().take(z.len()) {
        let zi = xi.wrapping_sub(*yi).wrapping_sub(c);
        z[i] = zi;
        // see "Hacker's Delight", section 2-12 (overflow detection)
        c = ((yi & !xi) | ((yi | !xi) & zi)) >> (big_digit::BITS - 1)
    }

    c
}

/// Calculates x ** y mod m using a fixed, 4-bit window.
///
/// PATCHED for mailsleuth: exponents that fit in 64 bits (RSA public exponents such as
/// 65537) take `modpow_short` instead; see there.
pub fn monty_modpow(x: &BigUint, y: &BigUint, m: &BigUint) -> BigUint {
    assert!(m.data[0] & 1 == 1);
    if let Some(e) = y.to_u64().filter(|&e| e != 0) {
        return modpow_short(x, e, m);
    }
    let mr = MontyReducer::new(m);
    let num_words = m.data.len();
    let x = same_length(x, m);
    let one = padded(BigUint::one(), num_words);
    let rr = compute_rr(m, num_words);

    let n = 4;
    // powers[i] contains x^i
    let mut powers = Vec::with_capacity(1 << n);

    let mut v1 = BigUint::zero();
    montgomery(&mut v1, &one, &rr, m, mr.n0inv, num_words);
    powers.push(v1);
    let mut v2 = BigUint::zero();
    montgomery(&mut v2, &x, &rr, m, mr.n0inv, num_words);
    powers.push(v2);
    for i in 2..1 << n {
        let mut r = BigUint::zero();
        montgomery(&mut r, &powers[i - 1], &powers[1], m, mr.n0inv, num_words);
        powers.push(r);
    }

    // initialize z = 1 (Montgomery 1)
    let mut z = powers[0].clone();
    z.data.resize(num_words, 0);
    let mut zz = BigUint::zero();
    zz.data.resize(num_words, 0);

    // same windowed exponent, but with Montgomery multiplications
    for i in (0..y.data.len()).rev() {
        let mut yi = y.data[i];
        let mut j = 0;
        while j < big_digit::BITS {
            if i != y.data.len() - 1 || j != 0 {
                montgomery(&mut zz, &z, &z, m, mr.n0inv, num_words);
                montgomery(&mut z, &zz, &zz, m, mr.n0inv, num_words);
                montgomery(&mut zz, &z, &z, m, mr.n0inv, num_words);
                montgomery(&mut z, &zz, &zz, m, mr.n0inv, num_words);
            }
            montgomery(
                &mut zz,
                &z,
                &powers[(yi >> (big_digit::BITS - n)) as usize],
                m,
                mr.n0inv,
                num_words,
            );
            core::mem::swap(&mut z, &mut zz);
            yi <<= n;
            j += n;
        }
    }

    // convert to regular number
    montgomery(&mut zz, &z, &one, m, mr.n0inv, num_words);
    reduce_once(zz, m)
}

/// x with as many digits as m. It is OK if x >= m as long as len(x) == len(m).
fn same_length(x: &BigUint, m: &BigUint) -> BigUint {
    let mut x = x.clone();
    if x.data.len() > m.data.len() {
        x %= m;
        // Note: now len(x) <= numWords, not guaranteed ==.
    }
    padded(x, m.data.len())
}

/// `x` with zero digits added up to `num_words`.
fn padded(mut x: BigUint, num_words: usize) -> BigUint {
    if x.data.len() < num_words {
        x.data.resize(num_words, 0);
    }
    x
}

/// x ** e mod m for an exponent that fits in 64 bits.
///
/// PATCHED for mailsleuth: RSA public exponents (65537) come here rather than to the fixed
/// 4-bit window: AVX-512 IFMA where the CPU has it (`monty_ifma`), else
/// `monty_modpow_short`.
fn modpow_short(x: &BigUint, e: u64, m: &BigUint) -> BigUint {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    if super::monty_ifma::available() {
        // SAFETY: the CPU has AVX-512F and AVX-512 IFMA, checked just above.
        let r = unsafe { super::monty_ifma::modpow_short(x, e, m, |bits| public_rr(m, bits)) };
        if let Some(r) = r {
            return reduce_once(r, m);
        }
    }
    let num_words = m.data.len();
    let rr = padded(public_rr(m, num_words * big_digit::BITS), num_words);
    let one = padded(BigUint::one(), num_words);
    let k = MontyReducer::new(m).n0inv;
    monty_modpow_short(&same_length(x, m), e, m, &rr, &one, k, num_words)
}

/// rr = 2**(2*_W*len(m)) mod m, the factor that takes a number into Montgomery form.
fn compute_rr(m: &BigUint, num_words: usize) -> BigUint {
    padded(rr_for_radix(m, num_words * big_digit::BITS), num_words)
}

/// R^2 mod m for R = 2^bits.
fn rr_for_radix(m: &BigUint, bits: usize) -> BigUint {
    BigUint::one().shl(2 * bits) % m
}

/// `rr_for_radix` for the modulus of a short (public) exponent, remembered per thread.
///
/// PATCHED for mailsleuth: the division behind rr was 4.5% of DKIM verification time, and one
/// key verifies many messages; OpenSSL likewise keeps a Montgomery context per RSA key. Only
/// the short-exponent path uses it: its moduli are public keys, so keeping a copy of one in
/// thread-local memory holds no secret (private operations, with long exponents and secret
/// primes as moduli, never come here).
#[cfg(feature = "std")]
fn public_rr(m: &BigUint, bits: usize) -> BigUint {
    use core::cell::RefCell;
    std::thread_local! {
        static LAST: RefCell<Option<(BigUint, usize, BigUint)>> = const { RefCell::new(None) };
    }
    let hit = LAST.with(|last| match &*last.borrow() {
        Some((lm, lb, rr)) if lm == m && *lb == bits => Some(rr.clone()),
        _ => None,
    });
    hit.unwrap_or_else(|| {
        let rr = rr_for_radix(m, bits);
        LAST.with(|last| *last.borrow_mut() = Some((m.clone(), bits, rr.clone())));
        rr
    })
}

#[cfg(not(feature = "std"))]
fn public_rr(m: &BigUint, bits: usize) -> BigUint {
    rr_for_radix(m, bits)
}

/// x ** e mod m by left-to-right binary exponentiation in the Montgomery domain, for an
/// exponent that fits in 64 bits.
///
/// PATCHED for mailsleuth: the fixed 4-bit window of `monty_modpow` walks every bit of the
/// exponent's top digit and precomputes 16 powers, so 65537 costs about 93 Montgomery
/// multiplications where 16 squarings and 1 multiplication suffice. RSA signature
/// verification (DKIM) spent three quarters of its time there. Exponents this short are
/// public in RSA, so the square-and-multiply pattern leaks nothing secret; secret exponents
/// are never this short and keep the fixed window.
fn monty_modpow_short(
    x: &BigUint,
    e: u64,
    m: &BigUint,
    rr: &BigUint,
    one: &BigUint,
    k: BigDigit,
    num_words: usize,
) -> BigUint {
    // x in Montgomery form: x * R mod m
    let mut xm = BigUint::zero();
    montgomery(&mut xm, x, rr, m, k, num_words);
    let mut z = xm.clone();
    let mut zz = BigUint::zero();
    let top = 63 - e.leading_zeros();
    for bit in (0..top).rev() {
        montgomery(&mut zz, &z, &z, m, k, num_words);
        core::mem::swap(&mut z, &mut zz);
        if (e >> bit) & 1 == 1 {
            montgomery(&mut zz, &z, &xm, m, k, num_words);
            core::mem::swap(&mut z, &mut zz);
        }
    }
    // convert to regular number
    montgomery(&mut zz, &z, one, m, k, num_words);
    reduce_once(zz, m)
}

/// The last step of both exponentiations: the almost-Montgomery result may still be >= m.
fn reduce_once(mut zz: BigUint, m: &BigUint) -> BigUint {
    zz.normalize();
    // One last reduction, just in case.
    // See golang.org/issue/13907.
    if &zz >= m {
        // Common case is m has high bit set; in that case,
        // since zz is the same length as m, there can be just
        // one multiple of m to remove. Just subtract.
        // We think that the subtract should be sufficient in general,
        // so do that unconditionally, but double-check,
        // in case our beliefs are wrong.
        // The div is not expected to be reached.
        zz -= m;
        if &zz >= m {
            zz %= m;
        }
    }

    zz.normalize();
    zz
}
