// Each SIMD kernel against its scalar reference, through the committed wasm,
// on random inputs with awkward sizes (tails, single rows, large blocks).
import assert from "node:assert/strict";
import {
  instantiateKernels,
  type KernelExports,
  kernelModule,
  type KernelPath,
  relaxedSimdSupported,
} from "../src/wasm.ts";
import { rng } from "./rng.ts";

const k: KernelExports = await instantiateKernels(await kernelModule("plain"));
const rand = rng(7);

// Both builds of the ternary kernels, each held to the scalar reference.
const PATHS: KernelPath[] = relaxedSimdSupported() ? ["plain", "relaxed"] : ["plain"];
const byPath = new Map<KernelPath, KernelExports>();
for (const path of PATHS) byPath.set(path, await instantiateKernels(await kernelModule(path)));

Deno.test("kernel modules: the plain and relaxed builds report their path; this runtime has relaxed SIMD", async () => {
  assert.equal(k.kernel_path(), 0);
  if (byPath.has("relaxed")) assert.equal(byPath.get("relaxed")!.kernel_path(), 1);
  // build.sh rewrote every call of the relaxed build's plain stand-in into the instruction
  const names = WebAssembly.Module.exports(await kernelModule("relaxed")).map((e) => e.name);
  assert.ok(!names.includes("falcon_e_relaxed_dot_i8x16_i7x16_s"), "relaxed module still exports its stand-in");
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

  Deno.test(`matmul_t2_i8 (${path}): prepared-layout SIMD equals the scalar reference exactly`, () => {
    const shapes = [[4, 1], [4, 16], [8, 17], [12, 33], [8, 7], [16, 8], [64, 48], [20, 513], [256, 1040], [36, 2048], [
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
  });

  Deno.test(`matmul_t2_i8 (${path}): worst-case magnitudes stay exact`, () => {
    // every weight +1 (code 2) or every weight -1 (code 0) against all -128 / all 127
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
      assert.deepEqual(ki32(y1, 2 * out), ki32(y0, 2 * out), `byte ${byte}`);
    }
  });

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

Deno.test("matvec_bf16 (lm_head): SIMD matches the reference within f32 summation error", () => {
  for (const [rows, cols] of [[1, 1], [3, 7], [5, 8], [17, 23], [640, 256], [33, 2048]]) {
    const w = alloc(rows * cols * 2), x = alloc(cols * 4), y0 = alloc(rows * 4), y1 = alloc(rows * 4);
    u16(w, rows * cols).forEach((_, i, a) => (a[i] = bf16((rand() - 0.5) * 0.3)));
    f32(x, cols).forEach((_, i, a) => (a[i] = (rand() - 0.5) * 4));
    k.k_matvec_bf16(w, rows, cols, x, y0, 0);
    k.k_matvec_bf16(w, rows, cols, x, y1, 1);
    const a = f32(y0, rows), b = f32(y1, rows);
    for (let r = 0; r < rows; r++) {
      assert.ok(Math.abs(a[r] - b[r]) <= 1e-5 * (1 + Math.abs(a[r])) * Math.sqrt(cols), `${rows}x${cols} row ${r}`);
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
