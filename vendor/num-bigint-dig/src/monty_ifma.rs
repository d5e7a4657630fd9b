//! PATCHED for mailsleuth: x ** e mod m for short (public) exponents with AVX-512 IFMA, on
//! CPUs that have it (checked at run time; `monty_modpow_short` falls back to the portable
//! code otherwise).
//!
//! Numbers are held in radix 2^52, 8 digits to a 512-bit register, and multiplied with
//! `vpmadd52luq`/`vpmadd52huq`, which add the low and high 52 bits of eight 52x52-bit products
//! at once; this is the approach of OpenSSL's `rsaz-avx512` (Gueron and Krasnov, "Software
//! Implementation of Modular Exponentiation, Using Advanced Vector Instructions
//! Architectures", 2012). The Montgomery product is "almost" (Gueron): with R = 2^(52L) at
//! least 4m, inputs below 2m give an output below 2m, so no product needs a final
//! subtraction; the last conversion out of Montgomery form brings the result under m + 1.
//! Digits of the running sum are not normalised during a product (each 64-bit lane has room
//! for the L rounds' additions), only once at its end.

use alloc::vec::Vec;
use core::arch::x86_64::*;
use core::sync::atomic::{AtomicBool, Ordering};

use crate::biguint::BigUint;

const MASK: u64 = (1 << 52) - 1;
/// Registers per number: 20 x 8 digits x 52 bits = 8320 bits, enough for 8192-bit moduli.
const MAX_REGS: usize = 20;

/// Off when [`set_enabled`] turned this path off.
static DISABLED: AtomicBool = AtomicBool::new(false);

/// Whether [`modpow_short`] is to be used: the CPU can run it, and it was not turned off.
pub fn available() -> bool {
    !DISABLED.load(Ordering::Relaxed)
        && std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512ifma")
}

/// Turns this path on or off for the process (default on), so that tests can check the
/// portable code on a CPU that has IFMA.
pub fn set_enabled(enabled: bool) {
    DISABLED.store(!enabled, Ordering::Relaxed);
}

/// The radix-2^52 digits of `x`, `len` of them (x must fit).
fn to_digits(x: &BigUint, len: usize) -> Vec<u64> {
    let bytes = x.to_bytes_le();
    let mut out = alloc::vec![0u64; len];
    for (i, d) in out.iter_mut().enumerate() {
        let bit = i * 52;
        let mut w = 0u128;
        for k in 0..8 {
            if let Some(&b) = bytes.get(bit / 8 + k) {
                w |= u128::from(b) << (8 * k);
            }
        }
        *d = (w >> (bit % 8)) as u64 & MASK;
    }
    out
}

/// The number whose radix-2^52 digits (each below 2^52) are `digits`.
fn from_digits(digits: &[u64]) -> BigUint {
    let mut bytes = alloc::vec![0u8; (digits.len() * 52 + 7) / 8 + 8];
    for (i, &d) in digits.iter().enumerate() {
        let bit = i * 52;
        let w = u128::from(d) << (bit % 8);
        for k in 0..9 {
            bytes[bit / 8 + k] |= (w >> (8 * k)) as u8;
        }
    }
    BigUint::from_bytes_le(&bytes)
}

/// -m^-1 mod 2^52 for odd m0 (Newton's iteration doubles the correct bits each step).
fn neg_inverse(m0: u64) -> u64 {
    let mut inv = m0; // correct to 3 bits for odd m0
    for _ in 0..5 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(m0.wrapping_mul(inv)));
    }
    inv.wrapping_neg() & MASK
}

/// The almost-Montgomery product a*b/R mod m (below 2m when a and b are), written to `out`.
/// `m` and `a` are in registers; `b` is digits; `regs` registers (8 digits each) per number.
///
/// # Safety
/// The CPU must have AVX-512F and AVX-512 IFMA.
#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn product<const N: usize>(
    out: &mut [u64],
    a: &[__m512i; N],
    b: &[u64],
    m: &[__m512i; N],
    m0: u64,
    k0: u64,
) {
    let zero = _mm512_setzero_si512();
    let mut t = [zero; N];
    for &b_i in &b[..8 * N] {
        let bi = _mm512_set1_epi64(b_i as i64);
        for j in 0..N {
            t[j] = _mm512_madd52lo_epu64(t[j], a[j], bi);
        }
        // The lowest digit of the sum so far decides u, which clears it (mod 2^52).
        let t0 = _mm_cvtsi128_si64(_mm512_castsi512_si128(t[0])) as u64;
        let u = t0.wrapping_mul(k0) & MASK;
        let ui = _mm512_set1_epi64(u as i64);
        for j in 0..N {
            t[j] = _mm512_madd52lo_epu64(t[j], m[j], ui);
        }
        let carry = (t0 + (m0.wrapping_mul(u) & MASK)) >> 52;
        // Drop the cleared digit: every lane moves down one place.
        for j in 0..N - 1 {
            t[j] = _mm512_alignr_epi64::<1>(t[j + 1], t[j]);
        }
        t[N - 1] = _mm512_alignr_epi64::<1>(zero, t[N - 1]);
        t[0] = _mm512_add_epi64(t[0], _mm512_set_epi64(0, 0, 0, 0, 0, 0, 0, carry as i64));
        // The high halves of both products belong one digit up: where the lanes now are.
        for j in 0..N {
            t[j] = _mm512_madd52hi_epu64(t[j], a[j], bi);
            t[j] = _mm512_madd52hi_epu64(t[j], m[j], ui);
        }
    }
    for (j, tj) in t.iter().enumerate() {
        _mm512_storeu_si512(out[8 * j..8 * j + 8].as_mut_ptr() as *mut _, *tj);
    }
    let mut carry = 0u64;
    for o in &mut out[..8 * N] {
        let s = *o + carry;
        *o = s & MASK;
        carry = s >> 52;
    }
    debug_assert_eq!(carry, 0, "an almost-Montgomery product is below 2m < R");
}

/// Loads digits into registers.
///
/// # Safety
/// The CPU must have AVX-512F.
#[target_feature(enable = "avx512f")]
unsafe fn load<const N: usize>(digits: &[u64]) -> [__m512i; N] {
    let mut v = [_mm512_setzero_si512(); N];
    for (j, r) in v.iter_mut().enumerate() {
        *r = _mm512_loadu_si512(digits[8 * j..8 * j + 8].as_ptr() as *const _);
    }
    v
}

/// x ** e mod m for odd m, e >= 1, by a binary ladder of almost-Montgomery products in radix
/// 2^52; `None` when m is over 8,300 bits. `rr(bits)` gives R^2 mod m for R = 2^bits.
///
/// # Safety
/// The CPU must have AVX-512F and AVX-512 IFMA ([`available`]).
#[target_feature(enable = "avx512f,avx512ifma")]
pub unsafe fn modpow_short(
    x: &BigUint,
    e: u64,
    m: &BigUint,
    rr: impl FnOnce(usize) -> BigUint,
) -> Option<BigUint> {
    // R = 2^(52 * 8 * N) must be at least 4m; a few register counts cover the usual key
    // sizes (1024, 2048, 3072, 4096 and 8192 bits), each compiled with its registers unrolled.
    let digits = (m.bits() + 2 + 51) / 52;
    Some(match (digits + 7) / 8 {
        0..=3 => ladder::<3>(x, e, m, rr),
        4..=5 => ladder::<5>(x, e, m, rr),
        6..=8 => ladder::<8>(x, e, m, rr),
        9..=10 => ladder::<10>(x, e, m, rr),
        11..=MAX_REGS => ladder::<MAX_REGS>(x, e, m, rr),
        _ => return None,
    })
}

#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn ladder<const N: usize>(
    x: &BigUint,
    e: u64,
    m: &BigUint,
    rr: impl FnOnce(usize) -> BigUint,
) -> BigUint {
    let len = 8 * N;
    let x = if x >= m { x % m } else { x.clone() };
    let md = to_digits(m, len);
    let (m0, k0) = (md[0], neg_inverse(md[0]));
    let mv = load::<N>(&md);
    let rr = to_digits(&rr(52 * len), len);
    let mut one = alloc::vec![0u64; len];
    one[0] = 1;

    // x in Montgomery form: x * R mod m (below 2m).
    let mut xm = alloc::vec![0u64; len];
    product::<N>(&mut xm, &load::<N>(&to_digits(&x, len)), &rr, &mv, m0, k0);
    let xv = load::<N>(&xm);
    let mut z = xm.clone();
    let mut next = alloc::vec![0u64; len];
    let top = 63 - e.leading_zeros();
    for bit in (0..top).rev() {
        product::<N>(&mut next, &load::<N>(&z), &z, &mv, m0, k0);
        core::mem::swap(&mut z, &mut next);
        if (e >> bit) & 1 == 1 {
            product::<N>(&mut next, &xv, &z, &mv, m0, k0);
            core::mem::swap(&mut z, &mut next);
        }
    }
    // Out of Montgomery form: z * 1 / R, below m + 1.
    product::<N>(&mut next, &load::<N>(&z), &one, &mv, m0, k0);
    from_digits(&next)
}
