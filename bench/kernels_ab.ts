/**
 * Two builds of the kernels against each other, call by call: the same inputs
 * in both instances, timed samples alternating A, B, A, B..., and per case the
 * median of the pairwise time ratios A/B (> 1: B is faster). Alternating in one
 * process keeps a machine whose speed drifts from favouring either side.
 * Not a test; prints one JSON line per case.
 *
 *   deno run -A bench/kernels_ab.ts --a old.wasm --b wasm/falcon_e_relaxed.wasm [--pairs 15]
 */
import type { KernelTestExports } from "../src/engine/kernels.ts";
import { flag } from "./args.ts";
import { cpuModel } from "./machine.ts";

const PAIRS = Number(flag("pairs", "15"));

async function instance(path: string): Promise<KernelTestExports> {
  const mod = await WebAssembly.compile(await Deno.readFile(path));
  return (await WebAssembly.instantiate(mod, {})).exports as unknown as KernelTestExports;
}
const a = await instance(flag("a", "")), b = await instance(flag("b", ""));

/** Seeded xorshift bytes, the same in both instances. */
function fill(u8: Uint8Array, seed: number, map: (x: number) => number): void {
  let s = seed >>> 0 || 1;
  for (let i = 0; i < u8.length; i++) {
    s ^= s << 13, s ^= s >>> 17, s ^= s << 5;
    u8[i] = map(s & 255);
  }
}
const ternary = (x: number) => (x % 3) | ((x >> 2) % 3) << 2 | ((x >> 4) % 3) << 4 | ((x >> 6) % 3) << 6;

/** A case: allocates and fills its inputs in `k`, returns the call to time. */
type Case = (k: KernelTestExports) => () => void;

function alloc(k: KernelTestExports, bytes: number, seed: number, map = (x: number) => x): number {
  const p = k.alloc(bytes, 64);
  if (p === 0) throw new Error("out of memory");
  fill(new Uint8Array(k.memory.buffer, p, bytes), seed, map);
  return p;
}

function ternaryCase(out: number, nIn: number, nTok: number): Case {
  return (k) => {
    const bytes = out / 4 * nIn, copies = Math.max(1, Math.ceil(64e6 / bytes));
    const ws = Array.from({ length: copies }, (_, c) => alloc(k, bytes, 100 + c, ternary));
    ws.forEach((w) => k.k_prepare_t2(w, out, nIn));
    const x = alloc(k, nTok * nIn, 7, (v) => v - 128), y = alloc(k, nTok * out * 4, 0);
    let c = 0;
    return () => (k.k_matmul_t2_i8(ws[c], out, nIn, x, nTok, y, 1), c = (c + 1) % copies);
  };
}

const lmHeadBf16: Case = (k) => {
  const rows = 32768, cols = 2048;
  const w = alloc(k, rows * cols * 2, 3, (v) => v & 0xbf); // small finite bf16 values
  const x = alloc(k, cols * 4, 0), y = alloc(k, rows * 4, 0), xs = alloc(k, cols * 4, 0);
  new Float32Array(k.memory.buffer, x, cols).fill(0.5);
  return () => k.k_matvec_bf16(w, rows, cols, x, y, xs, 1);
};

const attention: Case = (k) => {
  const len = 2048, heads = 16, kv = 2, hd = 128;
  const kc = alloc(k, len * kv * hd * 2, 5, (v) => v & 0x3b), vc = alloc(k, len * kv * hd * 2, 6, (v) => v & 0x3b);
  const q = alloc(k, heads * hd * 4, 0), out = alloc(k, heads * hd * 4, 0);
  new Float32Array(k.memory.buffer, q, heads * hd).fill(0.01);
  const scratch = alloc(k, (heads * len + 64 * hd) * 4, 0);
  return () => k.k_attention(q, kc, vc, len, heads, kv, hd, scratch, out, 1, 0);
};

const CASES: [string, Case][] = [
  ["t2 matvec 2048x2048", ternaryCase(2048, 2048, 1)],
  ["t2 matvec 9216x2048", ternaryCase(9216, 2048, 1)],
  ["t2 matvec 2048x9216", ternaryCase(2048, 9216, 1)],
  ["t2 matmul32 2048x2048", ternaryCase(2048, 2048, 32)],
  ["t2 matmul32 9216x2048", ternaryCase(9216, 2048, 32)],
  ["lm_head bf16 matvec 32768x2048", lmHeadBf16],
  ["attention f16 2048 positions", attention],
];

/** ms per call over ~25 ms of repetitions. */
function sample(fn: () => void, reps: number): number {
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return (performance.now() - t0) / reps;
}

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
for (const [name, make] of CASES) {
  const fa = make(a), fb = make(b);
  for (let i = 0; i < 3; i++) fa(), fb(); // warm-up (TurboFan)
  const reps = Math.max(1, Math.round(25 / sample(fa, 1)));
  const ta: number[] = [], tb: number[] = [], ratio: number[] = [];
  for (let p = 0; p < PAIRS; p++) {
    const [x, y] = p % 2 ? [sample(fb, reps), sample(fa, reps)].reverse() : [sample(fa, reps), sample(fb, reps)];
    ta.push(x), tb.push(y), ratio.push(x / y);
  }
  console.log(JSON.stringify({
    machine: `${cpuModel()} x${navigator.hardwareConcurrency}`,
    case: name,
    a_ms: +median(ta).toFixed(4),
    b_ms: +median(tb).toFixed(4),
    a_over_b: +median(ratio).toFixed(3),
    range: [+Math.min(...ratio).toFixed(3), +Math.max(...ratio).toFixed(3)],
  }));
}
