// Each SIMD kernel against its scalar reference, through the committed wasm,
// on random inputs with awkward sizes (tails, single rows, large blocks).
import assert from "node:assert/strict";
import {
  instantiateTestKernels,
  kernelModule,
  type KernelPath,
  type KernelTestExports,
  relaxedSimdSupported,
  wasmUrl,
} from "../src/engine/kernels.ts";
import { rng } from "./rng.ts";
import { TernaryTiles } from "../src/engine/abi.ts";

const k: KernelTestExports = await instantiateTestKernels(await kernelModule("plain"));
const rand = rng(7);

// Both builds of the ternary kernels, each held to the scalar reference.
const PATHS: KernelPath[] = relaxedSimdSupported() ? ["plain", "relaxed"] : ["plain"];
const byPath = new Map<KernelPath, KernelTestExports>();
for (const path of PATHS) byPath.set(path, await instantiateTestKernels(await kernelModule(path)));

/** Occurrences of a SIMD opcode (0xfd prefix + LEB128 index) in a module's bytes. */
function opcodeCount(bytes: Uint8Array, op: number): number {
  const seq = [0xfd, 0x80 | (op & 0x7f), op >> 7];
  let n = 0;
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] === seq[0] && bytes[i + 1] === seq[1] && bytes[i + 2] === seq[2]) n++;
  }
  return n;
}

Deno.test("kernel modules: the plain and relaxed builds report their path; this runtime has relaxed SIMD", async () => {
  assert.equal(k.kernel_path(), 0);
  if (byPath.has("relaxed")) assert.equal(byPath.get("relaxed")!.kernel_path(), 1);
  // the relaxed build carries i16x8.relaxed_dot_i8x16_i7x16_s (0x112) and f32x4.relaxed_madd (0x105)
  // from the compiler's intrinsics; the plain build neither
  const bytes = async (which: KernelPath) => new Uint8Array(await (await fetch(wasmUrl(which))).arrayBuffer());
  const relaxed = await bytes("relaxed"), plain = await bytes("plain");
  assert.ok(
    opcodeCount(relaxed, 0x112) > 0 && opcodeCount(relaxed, 0x105) > 0,
    "relaxed module lacks its instructions",
  );
  assert.equal(opcodeCount(plain, 0x112) + opcodeCount(plain, 0x105), 0);
  // Deno (V8) ships relaxed SIMD; if this fails the relaxed path is silently untested.
  assert.ok(relaxedSimdSupported(), "relaxed SIMD not supported by this runtime");
});

function alloc(bytes: number): number {
  const p = k.alloc(Math.max(bytes, 1), 16);
  assert.ok(p > 0);
  return p;
}
const f32 = (p: number, n: number) => new Float32Array(k.memory.buffer, p, n);
const i8 = (p: number, n: number) => new Int8Array(k.memory.buffer, p, n);
const u16 = (p: number, n: number) => new Uint16Array(k.memory.buffer, p, n);
function bf16(x: number): number {
  return new Uint32Array(new Float32Array([x]).buffer)[0] >>> 16;
}

for (const [path, kp] of byPath) {
  const kalloc = (bytes: number) => {
    const p = kp.alloc(Math.max(bytes, 1), 16);
    assert.ok(p > 0);
    return p;
  };
  const ku8 = (p: number, n: number) => new Uint8Array(kp.memory.buffer, p, n);
  const ki8 = (p: number, n: number) => new Int8Array(kp.memory.buffer, p, n);
  const ki32 = (p: number, n: number) => new Int32Array(kp.memory.buffer, p, n);

  // Every tile form this build has (the relaxed build: DOT16, DOT_ADD and MIXED), each held to the reference.
  const forms = path === "relaxed"
    ? [TernaryTiles.DOT16, TernaryTiles.DOT_ADD, TernaryTiles.MIXED]
    : [TernaryTiles.DOT16];
  const formName = (f: number) => ["dot16", "dot-add", "mixed"][f];
  const withTiles = (form: number, fn: () => void) => () => {
    assert.equal(kp.set_ternary_tiles(form, form), 0);
    try {
      fn();
    } finally {
      kp.set_ternary_tiles(TernaryTiles.DOT16, TernaryTiles.DOT16);
    }
  };

  for (const form of forms) {
    Deno.test(
      `matmul_t2_i8 (${path}, ${formName(form)} tiles): prepared-layout SIMD equals the scalar reference exactly`,
      withTiles(form, () => {
        const shapes = [[4, 1], [4, 16], [8, 17], [12, 33], [8, 7], [16, 8], [64, 48], [20, 513], [256, 1040], [
          36,
          2048,
        ], [
          24,
          9216,
        ]];
        for (const [out, nIn] of shapes) {
          for (const nTok of [1, 2, 3, 4, 5, 7, 9, 64]) {
            const bytes = out / 4 * nIn;
            const w = kalloc(bytes), wp = kalloc(bytes), x = kalloc(nTok * nIn);
            const y0 = kalloc(nTok * out * 4), y1 = kalloc(nTok * out * 4);
            // codes 0..2 only, as a packed checkpoint holds; extreme activations included
            ku8(w, bytes).forEach((_, i, a) => {
              let b = 0;
              for (let s = 0; s < 4; s++) b |= Math.floor(rand() * 3) << (2 * s);
              a[i] = b;
            });
            ki8(x, nTok * nIn).forEach((
              _,
              i,
              a,
            ) => (a[i] = rand() < 0.1 ? (rand() < 0.5 ? -128 : 127) : Math.floor(rand() * 256) - 128));
            ku8(wp, bytes).set(ku8(w, bytes));
            kp.k_prepare_t2(wp, out, nIn);
            kp.k_matmul_t2_i8(w, out, nIn, x, nTok, y0, 0);
            kp.k_matmul_t2_i8(wp, out, nIn, x, nTok, y1, 1);
            assert.deepEqual(ki32(y1, nTok * out), ki32(y0, nTok * out), `out=${out} in=${nIn} tokens=${nTok}`);
            kp.k_unprepare_t2(wp, out, nIn);
            assert.deepEqual(ku8(wp, bytes), ku8(w, bytes), `unprepare(prepare(w)) = w for out=${out} in=${nIn}`);
          }
        }
      }),
    );

    Deno.test(
      `matmul_t2_i8 (${path}, ${formName(form)} tiles): worst-case magnitudes stay exact, decode and prefill tiles`,
      withTiles(form, () => {
        // every weight +1 (code 2) or every weight -1 (code 0) against all -128 / all 127:
        // the decode tile's 4x-scaled i16 sums reach exactly -32768 over its 16 steps
        const out = 16, nIn = 9216, bytes = out / 4 * nIn;
        const w = kalloc(bytes),
          wp = kalloc(bytes),
          x = kalloc(2 * nIn),
          y0 = kalloc(2 * out * 4),
          y1 = kalloc(2 * out * 4);
        ki8(x, nIn).fill(-128), ki8(x + nIn, nIn).fill(127);
        for (const byte of [0xaa, 0x00, 0x55, 0x28]) {
          ku8(w, bytes).fill(byte), ku8(wp, bytes).fill(byte);
          kp.k_prepare_t2(wp, out, nIn);
          kp.k_matmul_t2_i8(w, out, nIn, x, 2, y0, 0);
          kp.k_matmul_t2_i8(wp, out, nIn, x, 2, y1, 1);
          assert.deepEqual(ki32(y1, 2 * out), ki32(y0, 2 * out), `byte ${byte}, 2 tokens`);
          for (const t of [0, 1]) {
            kp.k_matmul_t2_i8(wp, out, nIn, x + t * nIn, 1, y1, 1);
            assert.deepEqual(ki32(y1, out), ki32(y0 + t * out * 4, out), `byte ${byte}, token ${t} alone`);
          }
        }
      }),
    );

    Deno.test(
      `matmul_t2_i8 (${path}, ${formName(form)} tiles): any split into units gives the whole product's rows`,
      withTiles(form, () => {
        for (const [out, nIn, nTok] of [[36, 2048, 1], [36, 2048, 5], [20, 513, 3], [2048, 64, 1]]) {
          const bytes = out / 4 * nIn, units = kp.k_t2_units(out);
          const w = kalloc(bytes),
            x = kalloc(nTok * nIn),
            whole = kalloc(nTok * out * 4),
            parts = kalloc(nTok * out * 4);
          ku8(w, bytes).forEach((_, i, a) => (a[i] = [0x00, 0x55, 0xaa, 0x19, 0x86][Math.floor(rand() * 5)]));
          ki8(x, nTok * nIn).forEach((_, i, a) => (a[i] = Math.floor(rand() * 256) - 128));
          kp.k_prepare_t2(w, out, nIn);
          kp.k_matmul_t2_i8(w, out, nIn, x, nTok, whole, 1);
          for (const cuts of [[0, units], [0, 1, units], [0, units >> 1, units - 1, units]]) {
            ki32(parts, nTok * out).fill(-7);
            for (let c = 0; c + 1 < cuts.length; c++) {
              kp.k_matmul_t2_i8_units(w, out, nIn, x, nTok, parts, cuts[c], cuts[c + 1]);
            }
            assert.deepEqual(ki32(parts, nTok * out), ki32(whole, nTok * out), `out=${out} cuts=${cuts}`);
          }
        }
      }),
    );
  }

  Deno.test(`matmul_t2_i8 (${path}): the reference follows the documented packing`, () => {
    // out = 8 rows, R = 2 packed rows: row r lives in packed row r % 2, bits 2*(r/2).
    const out = 8, nIn = 3;
    const t = Array.from({ length: out }, (_, r) => Array.from({ length: nIn }, (_, i) => ((r * 3 + i) % 3) - 1));
    const w = kalloc(out / 4 * nIn), x = kalloc(nIn), y = kalloc(out * 4);
    const packed = ku8(w, out / 4 * nIn);
    for (let r = 0; r < out; r++) {
      for (let i = 0; i < nIn; i++) packed[(r % 2) * nIn + i] |= (t[r][i] + 1) << (2 * Math.floor(r / 2));
    }
    ki8(x, nIn).set([5, -7, 100]);
    const want = t.map((row) => row[0] * 5 + row[1] * -7 + row[2] * 100);
    kp.k_matmul_t2_i8(w, out, nIn, x, 1, y, 0);
    assert.deepEqual(Array.from(ki32(y, out)), want);
    kp.k_prepare_t2(w, out, nIn);
    kp.k_matmul_t2_i8(w, out, nIn, x, 1, y, 1);
    assert.deepEqual(Array.from(ki32(y, out)), want);
  });

  // The BF16 lm_head: plain multiply-then-add, or f32x4.relaxed_madd (fused on
  // FMA hardware) in the relaxed build; both within f32 summation error.
  const kf32 = (p: number, n: number) => new Float32Array(kp.memory.buffer, p, n);
  const ku16 = (p: number, n: number) => new Uint16Array(kp.memory.buffer, p, n);
  const close = (a: number, b: number, cols: number) => Math.abs(a - b) <= 1e-5 * (1 + Math.abs(a)) * Math.sqrt(cols);

  Deno.test(`matvec_bf16 (lm_head, ${path}): SIMD matches the reference within f32 summation error`, () => {
    for (const [rows, cols] of [[1, 1], [3, 7], [5, 8], [17, 23], [640, 256], [33, 2048]]) {
      const w = kalloc(rows * cols * 2), x = kalloc(cols * 4), y0 = kalloc(rows * 4), y1 = kalloc(rows * 4);
      const xs = kalloc(cols * 4);
      ku16(w, rows * cols).forEach((_, i, a) => (a[i] = bf16((rand() - 0.5) * 0.3)));
      kf32(x, cols).forEach((_, i, a) => (a[i] = (rand() - 0.5) * 4));
      const x0 = Array.from(kf32(x, cols));
      kp.k_matvec_bf16(w, rows, cols, x, y0, 0, 0);
      kp.k_prepare_bf16(w, rows, cols); // the kernel's layout: rows interleaved by 4
      kp.k_matvec_bf16(w, rows, cols, x, y1, xs, 1);
      const a = kf32(y0, rows), b = kf32(y1, rows);
      for (let r = 0; r < rows; r++) assert.ok(close(a[r], b[r], cols), `${rows}x${cols} row ${r}`);
      assert.deepEqual(Array.from(kf32(x, cols)), x0, "x is left as it was");
    }
  });

  Deno.test(`matmul_bf16 (batched lm_head, ${path}): SIMD matches the reference, a token's row does not depend on its batch`, () => {
    for (const [rows, cols] of [[1, 1], [3, 7], [17, 23], [64, 2048]]) {
      for (const n of [1, 2, 3, 4, 5, 9]) {
        const w = kalloc(rows * cols * 2),
          x = kalloc(n * cols * 4),
          y0 = kalloc(n * rows * 4),
          y1 = kalloc(n * rows * 4);
        const xs = kalloc(n * cols * 4);
        ku16(w, rows * cols).forEach((_, i, a) => (a[i] = bf16((rand() - 0.5) * 0.3)));
        kf32(x, n * cols).forEach((_, i, a) => (a[i] = (rand() - 0.5) * 4));
        kp.k_matmul_bf16(w, rows, cols, x, n, y0, 0, 0);
        kp.k_prepare_bf16(w, rows, cols);
        kp.k_matmul_bf16(w, rows, cols, x, n, y1, xs, 1);
        const a = kf32(y0, n * rows), b = kf32(y1, n * rows);
        for (let i = 0; i < n * rows; i++) assert.ok(close(a[i], b[i], cols), `${rows}x${cols} n=${n} at ${i}`);
        // the last token alone gives bit-identical results to its place in the batch, and to the matvec
        const solo = kalloc(rows * 4), one = kalloc(rows * 4);
        kp.k_matmul_bf16(w, rows, cols, x + (n - 1) * cols * 4, 1, solo, xs, 1);
        assert.deepEqual(kf32(solo, rows), kf32(y1 + (n - 1) * rows * 4, rows));
        kp.k_matvec_bf16(w, rows, cols, x + (n - 1) * cols * 4, one, xs, 1);
        assert.deepEqual(kf32(one, rows), kf32(solo, rows));
      }
    }
  });
}

Deno.test("quantize_i8: SIMD equals the reference, rounds half to even and floors the scale at 1e-5", () => {
  for (const n of [1, 3, 15, 16, 17, 31, 256, 1000, 2048]) {
    const x = alloc(n * 4), q0 = alloc(n), q1 = alloc(n);
    f32(x, n).forEach((_, i, a) => (a[i] = (rand() - 0.5) * (rand() < 0.5 ? 1e-3 : 50)));
    const s0 = k.k_quantize_i8(x, n, q0, 0), s1 = k.k_quantize_i8(x, n, q1, 1);
    assert.equal(s1, s0);
    assert.deepEqual(i8(q1, n), i8(q0, n), `n=${n}`);
  }
  // ties: max 127 -> s = 1, so x*s = x exactly: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -0.5 -> -0 , -2.5 -> -2
  const vals = [127, 0.5, 1.5, 2.5, -0.5, -2.5, 3.5, -127, 126.5, 0, 0, 0, 0, 0, 0, 0, 4.5];
  const x = alloc(vals.length * 4), q = alloc(vals.length);
  f32(x, vals.length).set(vals);
  for (const simd of [0, 1]) {
    assert.equal(k.k_quantize_i8(x, vals.length, q, simd), 1);
    assert.deepEqual(Array.from(i8(q, vals.length)), [127, 0, 2, 2, 0, -2, 4, -127, 126, 0, 0, 0, 0, 0, 0, 0, 4]);
  }
  // all zeros: scale 127 / 1e-5, values 0
  const z = alloc(20 * 4), zq = alloc(20);
  for (const simd of [0, 1]) {
    assert.equal(Math.fround(k.k_quantize_i8(z, 20, zq, simd)), Math.fround(127 / Math.fround(1e-5)));
    assert.ok(i8(zq, 20).every((v) => v === 0));
  }
});

Deno.test("prepare_bf16: groups of 4 rows interleaved in chunks of 8, then their tails; leftover rows in place", () => {
  const rows = 6, cols = 19; // one group (rows 0-3) + 2 leftover rows; 2 chunks + 3 tail values per row
  const w = alloc(rows * cols * 2);
  const v = u16(w, rows * cols);
  v.forEach((_, i, a) => (a[i] = i)); // value = row * cols + col
  k.k_prepare_bf16(w, rows, cols);
  const want: number[] = [];
  for (const j of [0, 8]) for (let r = 0; r < 4; r++) for (let e = 0; e < 8; e++) want.push(r * cols + j + e);
  for (let r = 0; r < 4; r++) for (let c = 16; c < 19; c++) want.push(r * cols + c);
  for (let i = 4 * cols; i < rows * cols; i++) want.push(i);
  assert.deepEqual([...v], want);
});

Deno.test("swiglu: SIMD (f32x4 exp) matches the scalar reference, extremes included", () => {
  for (const n of [1, 3, 4, 7, 64, 913, 9216]) {
    const g0 = alloc(n * 4), g1 = alloc(n * 4), u = alloc(n * 4);
    f32(g0, n).forEach((_, i, a) => (a[i] = i % 97 === 0 ? (i % 2 ? 120 : -120) : (rand() - 0.5) * 20));
    f32(g1, n).set(f32(g0, n));
    f32(u, n).forEach((_, i, a) => (a[i] = (rand() - 0.5) * 4));
    k.k_swiglu(g0, u, n, 0);
    k.k_swiglu(g1, u, n, 1);
    const [a, b] = [f32(g0, n), f32(g1, n)];
    for (let i = 0; i < n; i++) {
      assert.ok(Math.abs(a[i] - b[i]) <= 2e-6 * Math.abs(a[i]) + 1e-30, `n=${n} i=${i}: ${a[i]} vs ${b[i]}`);
    }
  }
});

Deno.test("dot, axpy and rmsnorm: SIMD match their references", () => {
  for (const n of [1, 2, 5, 8, 13, 56, 64, 129, 2048]) {
    const a = alloc(n * 4), b = alloc(n * 4), y0 = alloc(n * 4), y1 = alloc(n * 4), w = alloc(n * 2);
    f32(a, n).forEach((_, i, v) => (v[i] = rand() * 2 - 1));
    f32(b, n).forEach((_, i, v) => (v[i] = rand() * 2 - 1));
    u16(w, n).forEach((_, i, v) => (v[i] = bf16(0.5 + rand())));
    const d0 = k.k_dot_f32(a, b, n, 0), d1 = k.k_dot_f32(a, b, n, 1);
    assert.ok(Math.abs(d0 - d1) < 1e-5 * Math.sqrt(n), `dot n=${n}`);
    f32(y0, n).set(f32(b, n)), f32(y1, n).set(f32(b, n));
    k.k_axpy_f32(0.37, a, y0, n, 0), k.k_axpy_f32(0.37, a, y1, n, 1);
    assert.deepEqual(f32(y1, n), f32(y0, n));
    k.k_rmsnorm(a, w, n, 1e-5, y0, 0), k.k_rmsnorm(a, w, n, 1e-5, y1, 1);
    const [r0, r1] = [f32(y0, n), f32(y1, n)];
    for (let i = 0; i < n; i++) {
      assert.ok(Math.abs(r0[i] - r1[i]) <= 1e-5 * Math.abs(r0[i]) + 1e-7, `rmsnorm n=${n} i=${i}`);
    }
  }
});

Deno.test("no_std math (exp, ln, sin, cos) matches the host's libm", () => {
  for (let i = 0; i < 2000; i++) {
    const x = (rand() - 0.5) * 160;
    assert.ok(Math.abs(k.m_exp(x) / Math.exp(x) - 1) < 1e-13, `exp(${x})`);
    const y = Math.exp((rand() - 0.5) * 60);
    assert.ok(Math.abs(k.m_ln(y) - Math.log(y)) < 1e-13 * Math.max(1, Math.abs(Math.log(y))), `ln(${y})`);
    const a = (rand() - 0.5) * 2 * 5000; // RoPE angles reach ~ctx radians
    assert.ok(Math.abs(k.m_sin(a) - Math.sin(a)) < 1e-12, `sin(${a})`);
    assert.ok(Math.abs(k.m_cos(a) - Math.cos(a)) < 1e-12, `cos(${a})`);
  }
  assert.equal(k.m_exp(-1000), 0);
  assert.equal(k.m_exp(1000), Infinity);
});

// Reference IEEE binary16 decode, independent of the kernels.
function f16ToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
// Reference f32 -> f16 by exhaustive nearest-even search over the 2^15 magnitudes (via binary search).
const F16_MAGS = Float64Array.from({ length: 0x7c01 }, (_, h) => f16ToNumber(h)); // 0 .. inf
function numberToF16(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00;
  let lo = 0, hi = 0x7bff; // largest h with F16_MAGS[h] <= a
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (F16_MAGS[mid] <= a) lo = mid;
    else hi = mid - 1;
  }
  if (F16_MAGS[lo] === a) return sign | lo;
  const [d0, d1] = [a - F16_MAGS[lo], F16_MAGS[lo + 1] - a];
  return sign | (d0 < d1 ? lo : d1 < d0 ? lo + 1 : (lo & 1 ? lo + 1 : lo));
}

Deno.test("f16: f16 -> f32 (scalar and SIMD) is exact for all 65536 patterns; f32 -> f16 rounds to nearest even", () => {
  const n = 65536;
  const h = alloc(n * 2), y0 = alloc(n * 4), y1 = alloc(n * 4), back = alloc(n * 2);
  u16(h, n).forEach((_, i, a) => (a[i] = i));
  k.k_f16_to_f32(h, n, y0, 0);
  k.k_f16_to_f32(h, n, y1, 1);
  const [a0, a1] = [f32(y0, n), f32(y1, n)];
  for (let i = 0; i < n; i++) {
    const want = f16ToNumber(i);
    if (Number.isNaN(want)) {
      assert.ok(Number.isNaN(a0[i]) && Number.isNaN(a1[i]), `NaN ${i.toString(16)}`);
    } else {
      assert.ok(Object.is(a0[i], want), `scalar ${i.toString(16)}: ${a0[i]} vs ${want}`);
      assert.ok(Object.is(a1[i], want), `simd ${i.toString(16)}: ${a1[i]} vs ${want}`);
    }
  }
  // round trip: every non-NaN pattern comes back; NaN stays NaN
  k.k_f32_to_f16(y0, n, back);
  const b = u16(back, n);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(f16ToNumber(i))) assert.ok(Number.isNaN(f16ToNumber(b[i])), `NaN ${i}`);
    else assert.equal(b[i], i, `round trip ${i.toString(16)}`);
  }
  // random f32 of every magnitude, plus exact ties and the overflow/underflow edges
  const m = 200_000;
  const xs = alloc(m * 4), hs = alloc(m * 2);
  const x = f32(xs, m);
  for (let i = 0; i < m; i++) {
    const r = rand();
    if (r < 0.2) {
      // exact midpoint between two neighbouring halfs (ties)
      const lo = Math.floor(rand() * 0x7bff);
      x[i] = (F16_MAGS[lo] + F16_MAGS[lo + 1]) / 2 * (rand() < 0.5 ? -1 : 1);
    } else x[i] = (rand() < 0.5 ? -1 : 1) * 2 ** (rand() * 46 - 28) * (1 + rand());
  }
  x.set([
    65504,
    65519.99,
    65520,
    65536,
    1e30,
    Infinity,
    -Infinity,
    0,
    -0,
    2 ** -25,
    2 ** -25 * 1.0001,
    2 ** -26,
    2 ** -14 - 2 ** -25,
  ]);
  k.k_f32_to_f16(xs, m, hs);
  const got = u16(hs, m);
  for (let i = 0; i < m; i++) {
    assert.equal(got[i], numberToF16(x[i]), `f32 -> f16 of ${x[i]}: ${got[i].toString(16)}`);
  }
});

Deno.test("exp f32x4 (softmax): within 3e-7 relative of exp on [-87.3, 88], 0 below", () => {
  const n = 20_000;
  const xs = alloc(n * 4), y0 = alloc(n * 4), y1 = alloc(n * 4);
  const x = f32(xs, n);
  x.forEach((_, i) => (x[i] = i < 10_000 ? -rand() * 20 : rand() * 175.3 - 87.3));
  x.set([0, -0, 88, -87.3, -87.33, 1e-8, -1e-8, 0.5 * Math.LN2, -0.5 * Math.LN2]);
  k.k_exp_f32(xs, n, y0, 0);
  k.k_exp_f32(xs, n, y1, 1);
  const [e0, e1] = [f32(y0, n), f32(y1, n)];
  for (let i = 0; i < n; i++) {
    const want = Math.exp(x[i]);
    assert.ok(Math.abs(e1[i] / want - 1) < 3e-7, `exp(${x[i]}) = ${e1[i]}, want ${want}`);
    assert.ok(Math.abs(e0[i] / want - 1) < 1.2e-7, `expf(${x[i]})`);
  }
  f32(xs, 4).set([-88, -1000, -Infinity, 1000]);
  k.k_exp_f32(xs, 4, y1, 1);
  assert.deepEqual(Array.from(f32(y1, 4)), [0, 0, 0, Infinity]);
});

Deno.test("attention (f16 and f32 KV, GQA): SIMD matches the scalar reference within 2e-5", () => {
  // Scores of a realistic spread (|q.k|/sqrt(d) up to ~10), so softmax is neither flat nor one-hot.
  const ATT_TOL = 2e-5;
  for (const headDim of [56, 64, 128, 6, 12]) {
    // groups of 1, 2, 3, 6 and 8 heads: the kernel's 4-head tiles and their remainders
    for (const [nHeads, nKv] of [[2, 2], [4, 2], [16, 2], [8, 1], [3, 3], [6, 2], [12, 2]]) {
      for (const len of [1, 2, 3, 5, 17, 64, 127, 300]) {
        const qd = nHeads * headDim, kvd = nKv * headDim;
        const q = alloc(qd * 4), kc = alloc(len * kvd * 2), vc = alloc(len * kvd * 2);
        const scratch = alloc((nHeads * len + 64 * headDim) * 4), o0 = alloc(qd * 4), o1 = alloc(qd * 4);
        const qs = 3 / Math.sqrt(headDim) ** 0.5;
        f32(q, qd).forEach((_, i, a) => (a[i] = (rand() * 2 - 1) * qs * 2));
        const kv = alloc(len * kvd * 4);
        f32(kv, len * kvd).forEach((_, i, a) => (a[i] = (rand() * 2 - 1) * qs * 2));
        k.k_f32_to_f16(kv, len * kvd, kc);
        f32(kv, len * kvd).forEach((_, i, a) => (a[i] = (rand() * 2 - 1) * 4));
        k.k_f32_to_f16(kv, len * kvd, vc);
        k.k_attention(q, kc, vc, len, nHeads, nKv, headDim, scratch, o0, 0, 0);
        k.k_attention(q, kc, vc, len, nHeads, nKv, headDim, scratch, o1, 1, 0);
        const [a, b] = [f32(o0, qd).slice(), f32(o1, qd).slice()];
        for (let i = 0; i < qd; i++) {
          assert.ok(
            Math.abs(a[i] - b[i]) <= ATT_TOL * (1 + Math.abs(a[i])),
            `head_dim ${headDim} heads ${nHeads}/${nKv} len ${len} [${i}]: ${b[i]} vs ${a[i]}`,
          );
        }
        // the same cache widened to f32: the f32-KV kernel sees identical values
        const kc32 = alloc(len * kvd * 4), vc32 = alloc(len * kvd * 4), o2 = alloc(qd * 4), o3 = alloc(qd * 4);
        k.k_f16_to_f32(kc, len * kvd, kc32, 0), k.k_f16_to_f32(vc, len * kvd, vc32, 0);
        k.k_attention(q, kc32, vc32, len, nHeads, nKv, headDim, scratch, o2, 0, 1);
        k.k_attention(q, kc32, vc32, len, nHeads, nKv, headDim, scratch, o3, 1, 1);
        assert.deepEqual(f32(o2, qd), a, "f32 reference = f16 reference on the same values");
        assert.deepEqual(f32(o3, qd), b, "f32 kernel = f16 kernel on the same values");
        if (len === 1) {
          // one position: out = v exactly (p = 1)
          const v0 = alloc(kvd * 4);
          k.k_f16_to_f32(vc, kvd, v0, 0);
          const group = nHeads / nKv;
          for (let h = 0; h < nHeads; h++) {
            for (let i = 0; i < headDim; i++) {
              assert.equal(b[h * headDim + i], f32(v0, kvd)[Math.floor(h / group) * headDim + i]);
            }
          }
        }
      }
    }
  }
});
