// The int8 (q8) lm_head: kernel against its reference in both builds, the row
// conversion, and the model-level option (agreement with BF16 on the fixtures).
import assert from "node:assert/strict";
import { loadModel } from "../mod.ts";
import { writeImage } from "../src/load/image.ts";
import { instantiateTestKernels, kernelModule, type KernelPath, relaxedSimdSupported } from "../src/engine/kernels.ts";
import { comparePositions, readReference, TINY, WIDE } from "./reference.ts";
import { rng } from "./rng.ts";

const PATHS: KernelPath[] = relaxedSimdSupported() ? ["plain", "relaxed"] : ["plain"];
const rand = rng(31);

for (const path of PATHS) {
  Deno.test(`matmul_q8 (${path}): SIMD equals the scalar reference to the bit`, async () => {
    const k = await instantiateTestKernels(await kernelModule(path));
    const alloc = (n: number) => {
      const p = k.alloc(Math.max(n, 1), 16);
      assert.ok(p > 0);
      return p;
    };
    for (const [rows, cols] of [[1, 1], [3, 15], [4, 16], [5, 17], [7, 33], [33, 2048 + 5], [64, 336]]) {
      for (const n of [1, 2, 3, 5]) {
        const w = alloc(rows * cols), sc = alloc(rows * 4), x = alloc(n * cols), xs = alloc(n * 4);
        const y0 = alloc(n * rows * 4), y1 = alloc(n * rows * 4);
        const wb = new Uint8Array(k.memory.buffer, w, rows * cols);
        // stored bytes are 64 + q, q in -63..63; the extremes included
        wb.forEach((_, i) => (wb[i] = i % 11 === 0 ? (i % 2 ? 1 : 127) : 1 + Math.floor(rand() * 127)));
        new Float32Array(k.memory.buffer, sc, rows).forEach((_, i, a) => (a[i] = 0.001 + rand() * 0.05));
        const xb = new Int8Array(k.memory.buffer, x, n * cols);
        xb.forEach((_, i) => (xb[i] = i % 7 === 0 ? (i % 2 ? -128 : 127) : Math.floor(rand() * 256) - 128));
        new Float32Array(k.memory.buffer, xs, n).forEach((_, i, a) => (a[i] = 1 + rand() * 100));
        k.k_matmul_q8(w, sc, rows, cols, x, xs, n, y0, 0);
        const rowMajor = wb.slice();
        k.k_prepare_q8(w, rows, cols); // -> the kernel's layout (rows interleaved by 4)
        if (rows >= 4 && cols >= 32) assert.notDeepEqual(wb, rowMajor, "prepare_q8 moved nothing");
        k.k_matmul_q8(w, sc, rows, cols, x, xs, n, y1, 1);
        wb.set(rowMajor); // the reference below reads row-major
        const a = new Float32Array(k.memory.buffer, y0, n * rows), b = new Float32Array(k.memory.buffer, y1, n * rows);
        assert.deepEqual(b, a, `${rows}x${cols}, ${n} tokens`);
        // and the reference is what the format says
        const t = n - 1, r = rows - 1;
        let d = 0;
        for (let i = 0; i < cols; i++) d += (wb[r * cols + i] - 64) * xb[t * cols + i];
        const s = new Float32Array(k.memory.buffer, sc, rows)[r], q = new Float32Array(k.memory.buffer, xs, n)[t];
        assert.equal(a[t * rows + r], Math.fround(Math.fround(d * s) / q));
      }
    }
  });
}

Deno.test("q8 conversion while loading: windows of rows, row-major or b16i, equal the row conversion in layout q8i", async () => {
  const k = await instantiateTestKernels(await kernelModule("plain"));
  // 69 rows: 17 groups of 4 and a tail row past the last group; 40 columns: a 16-byte tail
  const rows = 69, cols = 40, win = 8;
  const alloc = (n: number) => k.alloc(n, 16);
  const f = alloc(rows * cols * 4), bf = alloc(rows * cols * 2), b16i = alloc(rows * cols * 2);
  const want = alloc(rows * cols), wantScales = alloc(rows * 4), row = alloc(cols * 4), stage = alloc(win * cols * 2);
  const fv = new Float32Array(k.memory.buffer, f, rows * cols), u16 = new Uint16Array(k.memory.buffer, bf, rows * cols);
  for (let i = 0; i < fv.length; i++) {
    // BF16 values (top halves of f32), some rows all zero
    const v = Math.floor(i / cols) % 10 === 3 ? 0 : (rand() - 0.5) * 4;
    u16[i] = new Uint32Array(new Float32Array([v]).buffer)[0] >>> 16;
    fv[i] = new Float32Array(new Uint32Array([u16[i] << 16]).buffer)[0];
  }
  // expected: each row converted on its own, then interleaved into q8i
  for (let r = 0; r < rows; r++) {
    new Float32Array(k.memory.buffer, wantScales, rows)[r] = k.k_quantize_row_q8(
      f + r * cols * 4,
      cols,
      want + r * cols,
      0,
    );
  }
  k.k_prepare_q8(want, rows, cols);
  new Uint16Array(k.memory.buffer, b16i, rows * cols).set(u16);
  k.k_prepare_bf16(b16i, rows, cols);
  for (const [src, layout] of [[bf, 0], [b16i, 1]]) {
    const dst = alloc(rows * cols), scales = alloc(rows * 4);
    for (let r0 = 0; r0 < rows; r0 += win) {
      const n = Math.min(win, rows - r0);
      // a window holds rows [r0, r0 + n) as the source lays them out: both layouts keep them in one range
      new Uint8Array(k.memory.buffer, stage, n * cols * 2).set(
        new Uint8Array(k.memory.buffer, src + r0 * cols * 2, n * cols * 2),
      );
      k.k_bf16_rows_to_q8i(stage, layout, r0, n, dst, rows, cols, row, scales);
    }
    const label = layout ? "b16i" : "row-major";
    assert.deepEqual(
      new Uint8Array(k.memory.buffer, dst, rows * cols),
      new Uint8Array(k.memory.buffer, want, rows * cols),
      label,
    );
    assert.deepEqual(
      new Float32Array(k.memory.buffer, scales, rows),
      new Float32Array(k.memory.buffer, wantScales, rows),
      label,
    );
  }
});

for (const simd of [0, 1]) {
  Deno.test(`q8 row conversion (${simd ? "SIMD" : "reference"}): scale max/63, round half to even, offset 64; an all-zero row`, async () => {
    const k = await instantiateTestKernels(await kernelModule("plain"));
    const w = k.alloc(5 * 4, 16), out = k.alloc(5, 16);
    new Float32Array(k.memory.buffer, w, 5).set([31.5, -63, 15.75, 0, 0.5]);
    const s = k.k_quantize_row_q8(w, 5, out, simd);
    assert.equal(s, 1); // max |w| / 63
    // 31.5 -> 32 and 0.5 -> 0 (half to even); 15.75 -> 16
    assert.deepEqual([...new Uint8Array(k.memory.buffer, out, 5)], [64 + 32, 64 - 63, 64 + 16, 64, 64]);
    new Float32Array(k.memory.buffer, w, 5).fill(0);
    assert.equal(k.k_quantize_row_q8(w, 5, out, simd), 0);
    assert.deepEqual([...new Uint8Array(k.memory.buffer, out, 5)], [64, 64, 64, 64, 64]);
  });
}

Deno.test("q8 row conversion: SIMD equals the reference to the bit (halves, NaN, infinities, odd lengths)", async () => {
  const k = await instantiateTestKernels(await kernelModule("plain"));
  const n = 2048 + 13, w = k.alloc(n * 4, 16), a = k.alloc(n, 16), b = k.alloc(n, 16);
  const wv = new Float32Array(k.memory.buffer, w, n);
  for (const len of [1, 3, 4, 15, 16, 17, 31, 64, 100, 2048, n]) {
    for (const special of [0, 1, 2, 3]) {
      for (let i = 0; i < len; i++) {
        // values on exact halves of the level spacing are common: max 63 puts every x.5 on a tie
        wv[i] = i === 0 ? 63 : rand() < 0.3 ? (Math.floor(rand() * 253) - 126) / 2 : (rand() - 0.5) * 126;
      }
      if (special === 1) wv[len >> 1] = NaN;
      if (special === 2) wv[len - 1] = -Infinity;
      if (special === 3) wv.fill(0, 0, len);
      const sa = k.k_quantize_row_q8(w, len, a, 0), sb = k.k_quantize_row_q8(w, len, b, 1);
      assert.ok(Object.is(sa, sb), `scale, length ${len}, case ${special}: ${sa} vs ${sb}`);
      assert.deepEqual(
        new Uint8Array(k.memory.buffer, b, len),
        new Uint8Array(k.memory.buffer, a, len),
        `length ${len}`,
      );
    }
  }
});

for (const [name, dir] of [["tiny-falcon-e", TINY], ["wide-falcon-e", WIDE]]) {
  Deno.test(`lmHead "int8" on ${name}: top-1 agrees with BF16 at >= 95% of prompt positions, logits within 0.3`, async () => {
    const ref = await readReference(dir);
    const bf = await loadModel(dir, { contextLength: 256 });
    const q8 = await loadModel(dir, { contextLength: 256, lmHead: "int8" });
    assert.equal(bf.lmHead, "bf16");
    assert.equal(q8.lmHead, "int8");
    const v = bf.config.vocabSize;
    // the int8 lm_head takes half the BF16 bytes (it is quantized as it loads)
    assert.equal(bf.memory().weights - q8.memory().weights, v * bf.config.hiddenSize);
    let positions = 0, agree = 0, identical = 0;
    for (const run of ref.runs) {
      for (const [t, { sameTop1, maxDiff: d }] of comparePositions(bf, q8, run.ids).entries()) {
        positions++;
        if (sameTop1) agree++;
        assert.ok(d < 0.3, `position ${t}: max |dlogit| ${d}`);
        if (d === 0) identical++;
      }
    }
    assert.ok(agree / positions >= 0.95, `top-1 agreement ${agree}/${positions}`);
    assert.ok(identical < positions, "int8 logits identical to BF16: the option did nothing");
    bf.dispose();
    q8.dispose();
  });
}

Deno.test("lmHead: a bad value is refused by name; an int8 model cannot be written as an image", async () => {
  await assert.rejects(loadModel(TINY, { lmHead: "q4" as "int8" }), /lmHead must be "bf16" or "int8"/);
  const q8 = await loadModel(TINY, { contextLength: 64, lmHead: "int8" });
  const config = await Deno.readTextFile(`${TINY}/config.json`);
  const out = await Deno.makeTempFile({ suffix: ".feimg" });
  try {
    await assert.rejects(writeImage(q8, { "config.json": config }, out), /BF16 lm_head/);
  } finally {
    q8.dispose();
    await Deno.remove(out);
  }
});
