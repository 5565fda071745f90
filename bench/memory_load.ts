/**
 * Memory and load-speed benchmark, measured from outside the engine.
 *
 *   deno run -A bench/memory_load.ts [--shapes falcon-e-1b,falcon-e-3b] [--sources local,http]
 *        [--prompt-tokens 512] [--max-tokens 128] [--ctx 2048] [--kv f32|f16] [--threads 1] [--dir /tmp/falcon-e-synth]
 *        [--lm-head bf16|int8] [--time separate|wrap] [--timeout-s 900]
 *
 * For each shape (a synthetic checkpoint of the real size, written by
 * bench/synth.ts into DIR/<shape> when missing) and each source it runs
 *
 *   deno run -A src/cli/cli.ts generate --model M --ids <N ids> --max-tokens 128 --temperature 0 --ctx 2048
 *
 * as a subprocess and polls /proc/<pid>/status every ~20 ms (VmHWM, VmRSS and
 * its anon/file split) for the whole process through load and generation.
 * The cross-check is `/usr/bin/time -f %M` (the kernel's ru_maxrss of the
 * child): by default a second, separate run of the same command
 * (`--time separate`); `--time wrap` instead polls the child of one
 * `/usr/bin/time` run, halving the time.
 *
 * Sources: `local` is the directory with model.safetensors read once first,
 * so it is in the page cache (load from a warm file); `http` is the same
 * directory served on 127.0.0.1 with Range support by `tools/static.ts`, in a
 * process of its own.
 *
 * Prints one JSON line per (shape, source). Load time is the cli's own
 * `timings.load_ms` (config, headers, wasm instance, memory growth, copying
 * every tensor into wasm memory, weight preparation); MB/s is file bytes over
 * that. On a Firecracker VM the first touch of fresh memory is slow (the
 * `first_touch_us_per_4k` measured here, in this process, on a fresh 512 MiB
 * WebAssembly.Memory and a 256 MiB ArrayBuffer); every byte of wasm memory is touched for the first time during
 * load, so that cost is part of load_ms and is reported, not subtracted.
 * Warning: the measured processes' memory is the point here, so nothing
 * else should run on the machine meanwhile.
 * @module
 */

import { intFlag, parseTask, type TaskSpec, UsageError } from "../src/cli/args.ts";

const SPEC: TaskSpec = {
  usage: "deno run -A bench/memory_load.ts [options]",
  about: "Peak RSS and load time of the cli through load, prefill and decode, per shape and source.",
  options: {
    shapes: { type: "string", value: "LIST", help: "shapes (default falcon-e-1b,falcon-e-3b)" },
    sources: { type: "string", value: "LIST", help: "local and/or http (default both)" },
    "prompt-tokens": { type: "string", value: "N", int: [1, 1 << 20], help: "prompt length (default 512)" },
    "max-tokens": { type: "string", value: "N", int: [1, 1 << 20], help: "tokens generated (default 128)" },
    ctx: { type: "string", value: "N", int: [1, 1 << 20], help: "context (default 2048)" },
    kv: { type: "string", value: "TYPE", choices: ["f32", "f16"], help: "KV cache precision (default f32)" },
    "lm-head": { type: "string", value: "TYPE", choices: ["bf16", "int8"], help: "lm_head (default bf16)" },
    threads: { type: "string", value: "N", int: [1, 256], help: "threads (default 1)" },
    dir: { type: "string", value: "DIR", help: "where the synthetic checkpoints are (default /tmp/falcon-e-synth)" },
    time: {
      type: "string",
      value: "MODE",
      choices: ["separate", "wrap"],
      help: "how /usr/bin/time is run (default separate)",
    },
    "timeout-s": { type: "string", value: "S", int: [1, 86400], help: "per run (default 900)" },
  },
};
import { safetensorsLayout, SHAPES, synthesize } from "./synth.ts";
import { cpuModel } from "./machine.ts";
import { readUntil } from "./child.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const CLI = new URL("../src/cli/cli.ts", import.meta.url).pathname;
const STATIC = new URL("../tools/static.ts", import.meta.url).pathname;
const MB = 1e6;

// ---------------------------------------------------------------------------
// The static server: tools/static.ts in a child process (its memory is not the cli's).

async function startServer(dir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-net", STATIC, "--dir", dir, "--port", "0"],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const buf = await readUntil(child.stdout, (t) => t.includes("\n"), "the static server");
  const url = buf.match(/ at (http:\S+)/)?.[1]; // "serving DIR at URL"
  if (!url) throw new Error(`the static server said ${JSON.stringify(buf)}`);
  return {
    url,
    stop: async () => {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await child.status;
      await child.stdout.cancel().catch(() => {});
    },
  };
}

// ---------------------------------------------------------------------------
// Measuring a subprocess from outside.

interface ProcMem {
  /** Largest VmHWM seen (the kernel's own peak RSS of the process), MB. */
  hwmMb: number;
  /** Largest VmRSS sampled, MB, with its anon/file split at that moment. */
  rssMb: number;
  anonMb: number;
  fileMb: number;
  samples: number;
}

function readStatus(pid: number): Record<string, number> | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(`/proc/${pid}/status`);
  } catch {
    return undefined;
  }
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = line.match(/^(Vm\w+|Rss\w+):\s+(\d+) kB/);
    if (m) out[m[1]] = Number(m[2]) * 1024;
  }
  return out.VmRSS === undefined ? undefined : out; // a zombie has no Vm lines
}

function childOf(pid: number): number | undefined {
  try {
    const first = Deno.readTextFileSync(`/proc/${pid}/task/${pid}/children`).trim().split(/\s+/)[0];
    if (first) return Number(first);
  } catch { /* no children file: scan */ }
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) return Number(e.name);
    } catch { /* gone */ }
  }
  return undefined;
}

interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
  mem: ProcMem;
  /** `/usr/bin/time -f %M` in MB, when run under it. */
  timeMaxRssMb?: number;
  wallMs: number;
}

/**
 * Runs `argv` and polls the memory of the process (or, with `underTime`, of
 * the child of `/usr/bin/time`) every `pollMs` until it exits.
 */
async function measure(argv: string[], underTime: boolean, timeoutMs: number, pollMs = 20): Promise<RunResult> {
  const timeFile = underTime ? await Deno.makeTempFile({ prefix: "memload_time_" }) : undefined;
  const [cmd, ...args] = timeFile ? ["/usr/bin/time", "-f", "%M", "-o", timeFile, ...argv] : argv;
  const t0 = performance.now();
  const child = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped", cwd: ROOT }).spawn();
  const out = child.output();
  const mem: ProcMem = { hwmMb: 0, rssMb: 0, anonMb: 0, fileMb: 0, samples: 0 };
  let target: number | undefined = timeFile ? undefined : child.pid;
  let exited = false;
  const killer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, timeoutMs);
  const done = out.finally(() => (exited = true));
  while (!exited) {
    target ??= childOf(child.pid);
    const s = target === undefined ? undefined : readStatus(target);
    if (s) {
      mem.samples++;
      mem.hwmMb = Math.max(mem.hwmMb, (s.VmHWM ?? 0) / MB);
      if (s.VmRSS / MB > mem.rssMb) {
        mem.rssMb = s.VmRSS / MB;
        mem.anonMb = (s.RssAnon ?? 0) / MB;
        mem.fileMb = (s.RssFile ?? 0) / MB;
      }
    }
    await Promise.race([done, new Promise((r) => setTimeout(r, pollMs))]);
  }
  clearTimeout(killer);
  const o = await out;
  const wallMs = performance.now() - t0;
  let timeMaxRssMb: number | undefined;
  if (timeFile) {
    const text = await Deno.readTextFile(timeFile);
    await Deno.remove(timeFile);
    const kb = Number(text.trim().split("\n").pop());
    if (Number.isFinite(kb)) timeMaxRssMb = (kb * 1024) / MB;
  }
  return {
    stdout: new TextDecoder().decode(o.stdout),
    stderr: new TextDecoder().decode(o.stderr),
    code: o.code,
    mem,
    timeMaxRssMb,
    wallMs,
  };
}

// ---------------------------------------------------------------------------
// The machine.

function machine(): Record<string, unknown> {
  const memTotal = Number(Deno.readTextFileSync("/proc/meminfo").match(/^MemTotal:\s+(\d+) kB/m)?.[1] ?? 0) * 1024;
  return {
    cpu: cpuModel(),
    nproc: navigator.hardwareConcurrency,
    mem_total_mb: Math.round(memTotal / MB),
    first_touch_us_per_4k: firstTouch(),
  };
}

/**
 * Microseconds per 4 KiB page for the first write into fresh memory: a grown
 * 512 MiB WebAssembly.Memory (what the loader fills) and a 256 MiB
 * ArrayBuffer; `retouch` is a second pass over the wasm memory, for contrast.
 */
function firstTouch(): { wasm_memory: number; array_buffer: number; retouch: number } {
  const touch = (a: Uint8Array) => {
    const t = performance.now();
    for (let i = 0; i < a.length; i += 4096) a[i]++;
    return ((performance.now() - t) * 1000) / (a.length / 4096);
  };
  const mem = new WebAssembly.Memory({ initial: 1, maximum: 16384 });
  mem.grow(8192 - 1);
  const w = new Uint8Array(mem.buffer);
  const wasm = touch(w);
  const retouch = touch(w);
  const array = touch(new Uint8Array(256 << 20));
  return { wasm_memory: round(wasm, 2), array_buffer: round(array, 2), retouch: round(retouch, 3) };
}

function round(x: number, d = 1): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

// ---------------------------------------------------------------------------

async function ensureCheckpoint(shape: string, dir: string): Promise<number> {
  const want = safetensorsLayout(shape).fileBytes;
  const size = await Deno.stat(`${dir}/model.safetensors`).then((s) => s.size, () => -1);
  const hasTok = await Deno.stat(`${dir}/tokenizer.json`).then(() => true, () => false);
  if (size !== want || !hasTok) {
    const t0 = performance.now();
    await synthesize(shape, dir, 1);
    console.error(`synthesized ${shape} into ${dir} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return want;
}

/** Reads a file once so it is in the page cache; returns MB/s of that read. */
async function warm(path: string): Promise<number> {
  const t0 = performance.now();
  using f = await Deno.open(path);
  const buf = new Uint8Array(16 << 20);
  let n = 0;
  for (;;) {
    const r = await f.read(buf);
    if (r === null) break;
    n += r;
  }
  return n / MB / ((performance.now() - t0) / 1000);
}

function promptIds(n: number, vocab: number): number[] {
  // deterministic, spread over the vocabulary, no special tokens (0-4)
  return Array.from({ length: n }, (_, i) => 5 + ((i * 7919 + 104729) % (vocab - 5)));
}

async function main(argv: string[]): Promise<void> {
  const args = parseTask(argv, SPEC);
  if (!args) return;
  const shapes = (args.flags.get("shapes") ?? "falcon-e-1b,falcon-e-3b").split(",");
  const sources = (args.flags.get("sources") ?? "local,http").split(",");
  for (const s of shapes) if (!SHAPES[s]) throw new UsageError(`unknown shape ${s}`);
  for (const s of sources) {
    if (s !== "local" && s !== "http") throw new UsageError(`--sources: local and/or http, got ${s}`);
  }
  const nPrompt = intFlag(args, "prompt-tokens", 512)!;
  const maxTokens = intFlag(args, "max-tokens", 128)!;
  const ctx = intFlag(args, "ctx", 2048)!;
  const kv = args.flags.get("kv") ?? "f32"; // KV cache precision passed to the cli
  const lmHead = args.flags.get("lm-head") ?? "bf16"; // lm_head weights passed to the cli
  const threads = args.flags.get("threads") ?? "1"; // threads passed to the cli
  const base = args.flags.get("dir") ?? "/tmp/falcon-e-synth";
  const timeMode = args.flags.get("time") ?? "separate";
  if (timeMode !== "separate" && timeMode !== "wrap") throw new UsageError(`--time separate|wrap, got ${timeMode}`);
  const timeoutMs = intFlag(args, "timeout-s", 900)! * 1000;
  const mach = machine();
  const runtime = { deno: Deno.version.deno, v8: Deno.version.v8, typescript: Deno.version.typescript };

  for (const shape of shapes) {
    const dir = `${base}/${shape}`;
    const fileBytes = await ensureCheckpoint(shape, dir);
    const vocab = SHAPES[shape].vocab_size as number;
    const ids = promptIds(nPrompt, vocab).join(",");
    const warmMbS = await warm(`${dir}/model.safetensors`);
    for (const source of sources) {
      const server = source === "http" ? await startServer(dir) : undefined;
      try {
        const model = server ? server.url : dir;
        const argv = [
          Deno.execPath(),
          "run",
          "-A",
          CLI,
          "generate",
          "--model",
          model,
          "--ids",
          ids,
          "--max-tokens",
          String(maxTokens),
          "--temperature",
          "0",
          "--ctx",
          String(ctx),
          "--kv",
          kv,
          "--lm-head",
          lmHead,
          "--threads",
          threads,
        ];
        await warm(`${dir}/model.safetensors`); // keep it in the page cache for every run
        const r = await measure(argv, timeMode === "wrap", timeoutMs);
        if (r.code !== 0) {
          throw new Error(`${shape}/${source}: cli exited with ${r.code}: ${r.stderr.trim().slice(-2000)}`);
        }
        let timeMb = r.timeMaxRssMb;
        let check: RunResult | undefined;
        if (timeMode === "separate") {
          await warm(`${dir}/model.safetensors`);
          check = await measure(argv, true, timeoutMs);
          if (check.code !== 0) {
            throw new Error(
              `${shape}/${source} (time): cli exited with ${check.code}: ${check.stderr.trim().slice(-2000)}`,
            );
          }
          timeMb = check.timeMaxRssMb;
        }
        const t = JSON.parse(r.stdout.trim().split("\n").pop()!).timings;
        const line = {
          shape,
          kv,
          lm_head: lmHead,
          threads: Number(threads),
          source,
          file_bytes: fileBytes,
          load_ms: round(t.load_ms),
          load_mb_per_s: round(fileBytes / MB / (t.load_ms / 1000)),
          prefill_tokens: t.prefill_tokens,
          prefill_ms: round(t.prefill_ms),
          prefill_tok_per_s: round(t.prefill_tokens / (t.prefill_ms / 1000), 2),
          decode_tokens: t.decode_tokens,
          decode_ms: round(t.decode_ms),
          decode_tok_per_s: round(t.decode_tokens / (t.decode_ms / 1000), 2),
          peak_rss_mb: round(r.mem.hwmMb),
          peak_rss_sampled_mb: round(r.mem.rssMb),
          peak_rss_anon_mb: round(r.mem.anonMb),
          peak_rss_file_mb: round(r.mem.fileMb),
          rss_samples: r.mem.samples,
          time_max_rss_mb: timeMb === undefined ? null : round(timeMb),
          time_mode: timeMode,
          ...(check
            ? { time_run_load_ms: round(JSON.parse(check.stdout.trim().split("\n").pop()!).timings.load_ms) }
            : {}),
          wall_ms: Math.round(r.wallMs),
          ctx,
          first_read_mb_per_s: round(warmMbS),
          machine: mach,
          runtime,
        };
        console.log(JSON.stringify(line));
      } finally {
        await server?.stop();
      }
    }
  }
}

if (import.meta.main) {
  main(Deno.args).catch((e) => {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(e instanceof UsageError ? 2 : 1);
  });
}
