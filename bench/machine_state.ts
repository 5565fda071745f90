/**
 * How steady this machine's compute speed is: runs the relaxed build's
 * register-only multiply-accumulate loop (`k_dot_peak`, no memory traffic) in
 * short windows for a while and prints the distribution of its rate. On a VM
 * whose core is shared with another tenant (an SMT sibling, say) the rate
 * jumps between two levels; a benchmark's median then mixes both, and only
 * measurements interleaved at short intervals compare fairly.
 *
 *   deno run -A bench/machine_state.ts [--seconds 20] [--window-ms 20]
 *
 * Prints one JSON line: percentiles of GMAC/s over the windows, and the share
 * of windows below 70% of the fastest decile ("slow"), with the mean length of
 * a slow or fast spell in windows.
 * @module
 */
import { instantiateTestKernels, kernelModule, relaxedSimdSupported } from "../src/engine/kernels.ts";
import { flag } from "./args.ts";
import { cpuModel } from "./machine.ts";

const SECONDS = Number(flag("seconds", "20")), WINDOW_MS = Number(flag("window-ms", "20"));

const path = relaxedSimdSupported() ? "relaxed" : "plain";
const k = await instantiateTestKernels(await kernelModule(path));
if (!k.k_dot_peak || !k.k_dot_peak_macs) throw new Error("this kernel build has no k_dot_peak");
const seed = k.alloc(96, 16);
new Uint8Array(k.memory.buffer, seed, 96).forEach((_, i, a) => (a[i] = (i * 37 + 11) & 63));
const macs = k.k_dot_peak_macs();

// calibrate the iterations of one window, then sample
let iters = 1 << 12;
for (;;) {
  const t0 = performance.now();
  k.k_dot_peak(iters, seed);
  const ms = performance.now() - t0;
  if (ms >= WINDOW_MS / 4) {
    iters = Math.max(1, Math.round(iters * WINDOW_MS / ms));
    break;
  }
  iters *= 2;
}
const rates: number[] = [];
const end = performance.now() + SECONDS * 1000;
while (performance.now() < end) {
  const t0 = performance.now();
  k.k_dot_peak(iters, seed);
  rates.push((iters * macs) / ((performance.now() - t0) * 1e6));
}

const sorted = [...rates].sort((a, b) => a - b);
const pct = (p: number) => +sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))].toFixed(1);
const fast = pct(0.9), slowBelow = 0.7 * fast;
const slow = rates.map((r) => r < slowBelow);
const spells = { slow: [] as number[], fast: [] as number[] };
let run = 1;
for (let i = 1; i <= slow.length; i++) {
  if (i < slow.length && slow[i] === slow[i - 1]) run++;
  else (slow[i - 1] ? spells.slow : spells.fast).push(run), run = 1;
}
const mean = (xs: number[]) => xs.length ? +(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1) : 0;
console.log(JSON.stringify({
  bench: "machine_state",
  machine: `${cpuModel()} x${navigator.hardwareConcurrency}`,
  runtime: `Deno ${Deno.version.deno}, V8 ${Deno.version.v8}`,
  kernels: path,
  windows: rates.length,
  window_ms: WINDOW_MS,
  gmac_s: { p10: pct(0.1), p25: pct(0.25), p50: pct(0.5), p75: pct(0.75), p90: fast },
  slow_share: +(slow.filter(Boolean).length / slow.length).toFixed(3),
  slow_below_gmac_s: +slowBelow.toFixed(1),
  mean_spell_windows: { slow: mean(spells.slow), fast: mean(spells.fast) },
}));
