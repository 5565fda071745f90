/**
 * Kernel throughput at Falcon-E-1B shapes, through the exported `k_*` kernels
 * of the committed wasm module(s). Not a test: prints one JSON line per case,
 * then a summary line.
 *
 *   deno run -A bench/kernels_bench.ts [--runs N] [--path plain|relaxed|all] [--module file.wasm]
 *
 * `--module` benches another build of the kernels (e.g. an older commit's, for
 * before/after ratios measured in the same run).
 *
 * `weight_gb_s` counts bytes of weights read per call (packed 2-bit ternary:
 * out/4 * in; bf16 lm_head: rows * cols * 2). For the prefill products
 * (tokens > 1) `token_gb_s` = weight_gb_s * tokens is the rate a decode
 * matvec would need to match, i.e. the same unit per token; the summary line
 * reports that. Each case is warmed up, then timed `runs` times; the median is
 * reported (plus min and max: this machine may be shared, read ratios from
 * one run). `-A` lets the script read /proc/cpuinfo for the machine name.
 */
import {
  instantiateTestKernels,
  kernelModule,
  type KernelPath,
  type KernelTestExports,
  relaxedSimdSupported,
} from "../src/engine/kernels.ts";
import { cpuModel } from "./machine.ts";

const args = new Map<string, string>();
for (let i = 0; i < Deno.args.length; i += 2) args.set(Deno.args[i].replace(/^--/, ""), Deno.args[i + 1]);
const RUNS = Number(args.get("runs") ?? 9);
const PATHS: (KernelPath | URL)[] = (args.get("path") ?? "all") === "all"
  ? (relaxedSimdSupported() ? ["plain", "relaxed"] : ["plain"])
  : [args.get("path") as KernelPath];
if (args.has("module")) PATHS.unshift(new URL(args.get("module")!, `file://${Deno.cwd()}/`));

const machine = () => `${cpuModel()} x${navigator.hardwareConcurrency}`;
const runtime = `Deno ${Deno.version.deno}, V8 ${Deno.version.v8}`;

/** Seeded xorshift, so every run streams the same bytes. */
function fill(u8: Uint8Array, seed: number, map: (b: number) => number = (b) => b): void {
  let s = seed >>> 0 || 1;
  for (let i = 0; i < u8.length; i++) {
    s ^= s << 13, s ^= s >>> 17, s ^= s << 5;
    u8[i] = map(s & 255);
  }
}
/** A byte of four valid codes (0..2 each), as a packed checkpoint holds. */
const ternaryByte = (b: number) => ((b % 3) | ((b >> 2) % 3) << 2 | ((b >> 4) % 3) << 4 | ((b >> 6) % 3) << 6);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Times `fn` (after warm-up) and returns per-call milliseconds: median, min, max. */
function time(fn: () => void, minMs = 60): { med: number; min: number; max: number } {
  // calibrate repetitions so one sample lasts ~minMs
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    const dt = performance.now() - t0;
    if (dt > minMs / 4 || reps > 1 << 16) {
      reps = Math.max(1, Math.ceil((reps * minMs) / Math.max(dt, 1e-3)));
      break;
    }
    reps *= 4;
  }
  const samples: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    samples.push((performance.now() - t0) / reps);
  }
  return { med: median(samples), min: Math.min(...samples), max: Math.max(...samples) };
}

function emit(o: Record<string, unknown>): void {
  console.log(JSON.stringify({ machine: machine(), runtime, ...o }));
}

const TERNARY: [string, number, number][] = [
  ["q/o 2048x2048", 2048, 2048],
  ["k/v 256x2048", 256, 2048],
  ["gate/up 9216x2048", 9216, 2048],
  ["down 2048x9216", 2048, 9216],
];

async function bench(which: KernelPath | URL): Promise<Record<string, number>> {
  const k: KernelTestExports = await instantiateTestKernels(await kernelModule(which));
  const path = typeof which === "string" ? which : which.pathname.split("/").pop()!;
  const alloc = (bytes: number) => {
    const p = k.alloc(bytes, 64);
    if (p === 0) throw new Error("out of memory");
    return p;
  };
  const summary: Record<string, number> = {};
  const maxTok = 64;
  const maxIn = 9216, maxOut = 9216;
  const x = alloc(maxTok * maxIn), y = alloc(maxTok * maxOut * 4);
  fill(new Uint8Array(k.memory.buffer, x, maxTok * maxIn), 11, (b) => (b & 255) - 128);
  for (const [name, out, nIn] of TERNARY) {
    // Several copies of the matrix, cycled, so decode timings stream from memory
    // (as in the model, where 24 layers x 7 matrices never fit in cache).
    const bytes = (out / 4) * nIn;
    const copies = Math.max(1, Math.ceil(64e6 / bytes));
    const ws: number[] = [];
    for (let c = 0; c < copies; c++) {
      const w = alloc(bytes);
      fill(new Uint8Array(k.memory.buffer, w, bytes), 1234 + c, ternaryByte);
      k.k_prepare_t2?.(w, out, nIn); // absent in builds older than the prepared layouts
      ws.push(w);
    }
    for (const nTok of [1, 32, 64]) {
      let c = 0;
      const t = time(() => {
        k.k_matmul_t2_i8(ws[c], out, nIn, x, nTok, y, 1);
        c = (c + 1) % copies;
      });
      const gbs = bytes / (t.med * 1e6);
      emit({
        kernel: nTok === 1 ? "t2_matvec" : "t2_matmul",
        path,
        shape: name,
        tokens: nTok,
        ms: +t.med.toFixed(4),
        ms_min: +t.min.toFixed(4),
        ms_max: +t.max.toFixed(4),
        weight_gb_s: +gbs.toFixed(2),
        token_gb_s: +(gbs * nTok).toFixed(2),
      });
      summary[`${nTok === 1 ? "matvec" : `matmul${nTok}`} ${name}`] = +(gbs * nTok).toFixed(2);
    }
  }
  /** Times one lm_head matvec of `bytes` weight bytes, prints its line, returns GB/s. */
  const lmHead = (kernel: string, bytes: number, fn: () => void) => {
    const t = time(fn);
    const gbs = bytes / (t.med * 1e6);
    emit({
      kernel,
      path,
      shape: "lm_head 32768x2048",
      tokens: 1,
      ms: +t.med.toFixed(4),
      ms_min: +t.min.toFixed(4),
      ms_max: +t.max.toFixed(4),
      weight_gb_s: +gbs.toFixed(2),
    });
    return +gbs.toFixed(2);
  };
  // bf16 lm_head: 32768 x 2048
  {
    const rows = 32768, cols = 2048;
    const w = alloc(rows * cols * 2), xf = alloc(cols * 4), yf = alloc(rows * 4), xs = alloc(cols * 4);
    // normal bf16s of magnitude 2^-7..2^0 and either sign (no subnormals, which x86 multiplies slowly)
    const wb = new Uint16Array(k.memory.buffer, w, rows * cols);
    fill(new Uint8Array(k.memory.buffer, w, rows * cols * 2), 99);
    wb.forEach((v, i, a) => (a[i] = (v & 0x807f) | ((0x78 + ((v >> 7) & 7)) << 7)));
    new Float32Array(k.memory.buffer, xf, cols).forEach((_, i, a) => (a[i] = Math.sin(i)));
    (k.k_prepare_bf16 as KernelTestExports["k_prepare_bf16"] | undefined)?.(w, rows, cols); // absent before b16i
    // builds before the split-x scratch argument (--module) take 6 arguments
    const matvec = k.k_matvec_bf16.length === 6
      ? () => (k.k_matvec_bf16 as unknown as (...a: number[]) => void)(w, rows, cols, xf, yf, 1)
      : () => k.k_matvec_bf16(w, rows, cols, xf, yf, xs, 1);
    summary["lm_head bf16"] = lmHead("bf16_matvec", rows * cols * 2, matvec);
  }
  // int8 (q8) lm_head, as `lmHead: "int8"` converts it: 1 byte per weight
  const q8 = k.k_matmul_q8 as KernelTestExports["k_matmul_q8"] | undefined; // absent in older builds
  if (q8) {
    const rows = 32768, cols = 2048;
    const w = alloc(rows * cols), sc = alloc(rows * 4), xq = alloc(cols), xs = alloc(4), yf = alloc(rows * 4);
    fill(new Uint8Array(k.memory.buffer, w, rows * cols), 77, (b) => 1 + (b % 127));
    (k.k_prepare_q8 as KernelTestExports["k_prepare_q8"] | undefined)?.(w, rows, cols); // absent before the q8i layout
    new Float32Array(k.memory.buffer, sc, rows).fill(0.01);
    fill(new Uint8Array(k.memory.buffer, xq, cols), 78);
    new Float32Array(k.memory.buffer, xs, 1)[0] = 20;
    summary["lm_head int8 (GB/s of int8)"] = lmHead(
      "q8_matvec",
      rows * cols,
      () => q8(w, sc, rows, cols, xq, xs, 1, yf, 1),
    );
  }
  // Attention of one token over a long cache at Falcon-E-1B's heads (16 query,
  // 2 KV, head_dim 128), f16 and f32 caches; per_token_ms = 24 layers.
  for (const [len, kvF32] of [[512, 0], [2048, 0], [2048, 1]]) {
    const nH = 16, nKv = 2, hd = 128, kvd = nKv * hd, el = kvF32 ? 4 : 2;
    const q = alloc(nH * hd * 4), kc = alloc(len * kvd * el), vc = alloc(len * kvd * el);
    const scratch = alloc((nH * len + 64 * hd) * 4), o = alloc(nH * hd * 4);
    new Float32Array(k.memory.buffer, q, nH * hd).forEach((_, i, a) => (a[i] = Math.sin(i) * 0.3));
    // halfs 0x2c00..0x3bff (0.0625..1, either sign), or those values as f32
    const h16 = (i: number) => ((i * 2654435761) >>> 0) % 0x1000 + 0x2c00 | (i & 1) << 15;
    if (kvF32) {
      const f = (i: number) => (h16(i) & 0x8000 ? -1 : 1) * 2 ** (((h16(i) >> 10) & 31) - 15);
      new Float32Array(k.memory.buffer, kc, len * kvd).forEach((_, i, a) => (a[i] = f(i)));
      new Float32Array(k.memory.buffer, vc, len * kvd).forEach((_, i, a) => (a[i] = f(i + 7)));
    } else {
      new Uint16Array(k.memory.buffer, kc, len * kvd).forEach((_, i, a) => (a[i] = h16(i)));
      new Uint16Array(k.memory.buffer, vc, len * kvd).forEach((_, i, a) => (a[i] = h16(i + 7)));
    }
    const t = time(() => k.k_attention(q, kc, vc, len, nH, nKv, hd, scratch, o, 1, kvF32));
    emit({
      kernel: "attention",
      path,
      shape: `16/2 heads x 128, ${len} positions, ${kvF32 ? "f32" : "f16"} KV`,
      ms: +t.med.toFixed(4),
      ms_min: +t.min.toFixed(4),
      ms_max: +t.max.toFixed(4),
      per_token_ms_24_layers: +(t.med * 24).toFixed(2),
    });
    summary[`attention ${len} ${kvF32 ? "f32" : "f16"} (ms/token, 24 layers)`] = +(t.med * 24).toFixed(2);
  }
  // The ceiling: the kernels' multiply-accumulate primitive on registers only
  // (no unpacking, no loads). token_gb_s here is the rate of 2-bit weights
  // (4 per byte) that many multiply-accumulates per second would cover.
  if (k.k_dot_peak && k.k_dot_peak_macs) {
    const seed = alloc(96), iters = 1 << 20;
    fill(new Uint8Array(k.memory.buffer, seed, 96), 5, (b) => b & 63);
    const t = time(() => k.k_dot_peak!(iters, seed));
    const gmacs = (iters * k.k_dot_peak_macs()) / (t.med * 1e6);
    emit({
      kernel: "dot_peak",
      path,
      gmac_s: +gmacs.toFixed(1),
      token_gb_s: +(gmacs / 4).toFixed(2),
      // 1.585e9 ternary multiply-accumulates per token in Falcon-E-1B's 24 blocks
      ceiling_tok_s_1b_ternary: +(gmacs / 1.585).toFixed(1),
    });
    summary["peak (registers only)"] = +(gmacs / 4).toFixed(2);
  }
  // The memory side: one sequential read stream over 256 MB (larger than any cache).
  const stream = k.k_stream_read as KernelTestExports["k_stream_read"] | undefined; // absent in older builds
  if (stream) {
    const n = 256 << 20, p = alloc(n);
    fill(new Uint8Array(k.memory.buffer, p, n), 8);
    const gbs = n / (time(() => stream(p, n)).med * 1e6);
    emit({ kernel: "stream_read", path, bytes: n, gb_s: +gbs.toFixed(2) });
    summary["one read stream (GB/s)"] = +gbs.toFixed(2);
  }
  // Decode inner step on registers only, 64 multiply-accumulates per fresh
  // weight vector: the multiply kernel's (unpack + dot + add) against an exact
  // table-lookup step (T-MAC / TL1 style, see wasm/src/kernels/peak.rs), tables
  // already in registers (the lookup kernel's best case).
  const step = k.k_decode_step_peak as KernelTestExports["k_decode_step_peak"] | undefined; // absent in older builds
  if (step) {
    const seed = alloc(96), iters = 1 << 20;
    fill(new Uint8Array(k.memory.buffer, seed, 96), 6, (b) => b & 15);
    const rate = (lut: number) => (iters * 64) / (time(() => step(iters, seed, lut)).med * 1e6);
    const mul = rate(0), lut = rate(1);
    emit({
      kernel: "decode_step_peak",
      path,
      multiply_gmac_s: +mul.toFixed(1),
      table_lookup_gmac_s: +lut.toFixed(1),
      lookup_vs_multiply: +(lut / mul).toFixed(2),
    });
    summary["decode step, multiply (registers only)"] = +(mul / 4).toFixed(2);
    summary["decode step, table lookup (registers only)"] = +(lut / 4).toFixed(2);
  }
  return summary;
}

for (const which of PATHS) {
  emit({ summary: typeof which === "string" ? which : which.pathname, token_gb_s: await bench(which) });
}
