/**
 * The machine a benchmark ran on, for its JSON lines.
 * @module
 */

/** AMD family 25 models: Zen 3 (0x00-0x0f, 0x20-0x2f, 0x40-0x5f) and Zen 4 (0x10-0x1f, 0x60-0x7f, 0xa0-0xaf). */
function zen(family: number, model: number): string | undefined {
  if (family === 26) return "Zen 5";
  if (family !== 25) return undefined;
  return (model >= 0x10 && model <= 0x1f) || (model >= 0x60 && model <= 0x7f) || (model >= 0xa0 && model <= 0xaf)
    ? "Zen 4"
    : "Zen 3";
}

/**
 * The CPU: model name, AMD generation where known, and the vector features
 * that change which kernels win (AVX-512, AVX-512 VNNI, AVX-VNNI); "unknown"
 * without /proc/cpuinfo or read permission (run with -A).
 */
export function cpuModel(): string {
  let info: string;
  try {
    info = Deno.readTextFileSync("/proc/cpuinfo");
  } catch {
    return "unknown";
  }
  const field = (name: string) => info.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, "m"))?.[1]?.trim();
  const flags = new Set((field("flags") ?? "").split(/\s+/));
  const gen = zen(Number(field("cpu family")), Number(field("model")));
  const features = ["avx2", "avx512f", "avx512_vnni", "avx_vnni"].filter((f) => flags.has(f));
  return `${field("model name") ?? "unknown"}${gen ? ` (${gen})` : ""} [${features.join(" ")}]`;
}

/** The machine and runtime a figure was measured on, for a bench's JSON lines. */
export function machine(threads: number): Record<string, unknown> {
  return {
    cpu: cpuModel(),
    cores: navigator.hardwareConcurrency,
    threads,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
  };
}

/** CPU time a process has used, ms (user + system, from /proc: 10 ms ticks). */
export function processCpuMs(pid: number): number {
  const { user, system } = statCpuMs(`/proc/${pid}/stat`);
  return user + system;
}

/**
 * A process's CPU time by thread name (user and system ms, from
 * /proc/PID/task: V8's platform workers, the runtime's own threads), so a
 * bench can tell the thread running the isolate from GC and compiler threads
 * and kernel time from user time. Threads that have exited are not counted.
 */
export function threadCpuMs(pid: number): Record<string, { user: number; system: number }> {
  const out: Record<string, { user: number; system: number }> = {};
  for (const t of Deno.readDirSync(`/proc/${pid}/task`)) {
    let cpu, name;
    try {
      name = Deno.readTextFileSync(`/proc/${pid}/task/${t.name}/comm`).trim();
      cpu = statCpuMs(`/proc/${pid}/task/${t.name}/stat`);
    } catch {
      continue; // exited since the listing
    }
    const sum = (out[name] ??= { user: 0, system: 0 });
    sum.user += cpu.user;
    sum.system += cpu.system;
  }
  return out;
}

/** The CPU each thread name used between two readings of {@linkcode threadCpuMs} (ms, user and system). */
export function threadCpuSince(
  before: Record<string, { user: number; system: number }>,
  after: Record<string, { user: number; system: number }>,
): Record<string, { user: number; system: number }> {
  return Object.fromEntries(
    Object.entries(after).map(([name, t]) => {
      const was = before[name] ?? { user: 0, system: 0 };
      return [name, { user: t.user - was.user, system: t.system - was.system }];
    }),
  );
}

function statCpuMs(path: string): { user: number; system: number } {
  const f = Deno.readTextFileSync(path).split(") ")[1].split(" ");
  return { user: Number(f[11]) * 10, system: Number(f[12]) * 10 }; // utime, stime (fields 14, 15), USER_HZ 100
}
