//! Scalar math that `core` lacks without `std`: sqrt, exp, ln, sin/cos, bf16.
//! exp/ln/sin/cos are computed in f64 and rounded once to f32, which keeps them
//! within an ulp or so of libm's f32 results, as torch uses.

use core::arch::wasm32::{f32x4_extract_lane, f32x4_splat, f32x4_sqrt};

const LN2: f64 = 0.693_147_180_559_945_3;

/// Correctly rounded square root (the wasm `f32x4.sqrt` instruction).
#[inline]
pub fn sqrtf(x: f32) -> f32 {
    f32x4_extract_lane::<0>(f32x4_sqrt(f32x4_splat(x)))
}

/// Round to nearest, ties to even (torch.round / wasm `f32.nearest`), for
/// |x| < 2^22. Adding and subtracting 1.5 * 2^23 leaves the rounded value.
#[inline]
pub fn round_half_even(x: f32) -> f32 {
    const MAGIC: f32 = 12_582_912.0;
    (x + MAGIC) - MAGIC
}

fn round_f64(x: f64) -> f64 {
    const MAGIC: f64 = 6_755_399_441_055_744.0; // 1.5 * 2^52
    (x + MAGIC) - MAGIC
}

/// 2^k as an f64, for |k| < 1023.
fn pow2i(k: i64) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// e^x in f64 (|rel err| < 1e-15 for results in the normal range).
pub fn exp64(x: f64) -> f64 {
    if x > 709.0 {
        return f64::INFINITY;
    }
    if x < -708.0 {
        return 0.0;
    }
    let k = round_f64(x / LN2);
    let r = x - k * LN2; // |r| <= ln2/2
    // Taylor series to r^13 / 13!: error < 1e-17 on |r| <= 0.35.
    let mut term = 1.0;
    let mut sum = 1.0;
    let mut i = 1.0;
    while i < 14.0 {
        term *= r / i;
        sum += term;
        i += 1.0;
    }
    sum * pow2i(k as i64)
}

/// e^x for f32.
#[inline]
pub fn expf(x: f32) -> f32 {
    exp64(x as f64) as f32
}

/// Natural log for x > 0 (f64).
pub fn ln64(x: f64) -> f64 {
    let bits = x.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000); // [1, 2)
    if m > 1.414_213_562_373_095 {
        m *= 0.5;
        e += 1;
    }
    // ln m = 2 atanh(z), z = (m-1)/(m+1), |z| <= 0.172
    let z = (m - 1.0) / (m + 1.0);
    let z2 = z * z;
    let mut term = z;
    let mut sum = 0.0;
    let mut k = 1.0;
    while k < 40.0 {
        sum += term / k;
        term *= z2;
        k += 2.0;
    }
    2.0 * sum + e as f64 * LN2
}

/// x^y for x > 0 (f64).
pub fn pow64(x: f64, y: f64) -> f64 {
    exp64(y * ln64(x))
}

/// (sin x, cos x) in f64, for |x| up to ~1e6 (RoPE angles).
pub fn sincos64(x: f64) -> (f64, f64) {
    // Cody-Waite reduction by pi/2 with a two-part constant.
    const PIO2_HI: f64 = 1.570_796_326_734_125_6;
    const PIO2_LO: f64 = 6.077_100_506_506_192e-11;
    let k = round_f64(x * (2.0 / core::f64::consts::PI));
    let r = (x - k * PIO2_HI) - k * PIO2_LO; // |r| <= pi/4
    let r2 = r * r;
    let (mut s, mut c) = (r, 1.0);
    let (mut ts, mut tc) = (r, 1.0);
    let mut n = 1.0;
    while n < 20.0 {
        ts *= -r2 / ((2.0 * n) * (2.0 * n + 1.0));
        tc *= -r2 / ((2.0 * n - 1.0) * (2.0 * n));
        s += ts;
        c += tc;
        n += 1.0;
    }
    match (k as i64) & 3 {
        0 => (s, c),
        1 => (c, -s),
        2 => (-s, -c),
        _ => (-c, s),
    }
}

/// bfloat16 bits to f32 (exact).
#[inline]
pub fn bf16(x: u16) -> f32 {
    f32::from_bits((x as u32) << 16)
}

/// SiLU, x * sigmoid(x).
#[inline]
pub fn silu(x: f32) -> f32 {
    x / (1.0 + expf(-x))
}

/// f32 to IEEE binary16 bits, round to nearest, ties to even (as torch's
/// `.half()`, numpy's `astype(float16)`): overflow goes to +-inf (at 65520),
/// values below the smallest subnormal's half to +-0, NaN stays a (quiet) NaN.
pub fn f32_to_f16(x: f32) -> u16 {
    let b = x.to_bits();
    let sign = ((b >> 16) & 0x8000) as u16;
    let a = b & 0x7fff_ffff;
    if a >= 0x4780_0000 {
        // |x| >= 65536 (or inf / NaN): inf, or a quiet NaN
        return sign | if a > 0x7f80_0000 { 0x7e00 } else { 0x7c00 };
    }
    if a < 0x3880_0000 {
        // |x| < 2^-14: the result is subnormal (or zero). Adding 0.5 puts the
        // f16 subnormal ulp (2^-24) at the f32 ulp of 0.5, so the f32 adder
        // rounds half to even for us; the low mantissa bits are the result.
        let f = f32::from_bits(a) + 0.5;
        return sign | (f.to_bits() - 0x3f00_0000) as u16;
    }
    // normal: rebias the exponent, round the 13 dropped bits half to even
    // (a carry out of the mantissa bumps the exponent, up to inf at 65520).
    let odd = (a >> 13) & 1;
    let r = a.wrapping_sub(112 << 23) + 0xfff + odd;
    sign | (r >> 13) as u16
}

/// IEEE binary16 bits to f32 (exact).
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h & 0x8000) as u32) << 16;
    let e = ((h >> 10) & 0x1f) as u32;
    let m = (h & 0x3ff) as u32;
    if e == 0 {
        // zero or subnormal: m * 2^-24, exact in f32
        let v = m as f32 * (1.0 / 16_777_216.0);
        return f32::from_bits(v.to_bits() | sign);
    }
    if e == 31 {
        return f32::from_bits(sign | 0x7f80_0000 | (m << 13));
    }
    f32::from_bits(sign | ((e + 112) << 23) | (m << 13))
}
