/**
 * Server metrics, counted as requests finish and served at `GET /metrics` in
 * the Prometheus text format (version 0.0.4): requests by route and status,
 * prompt and generated tokens, prefill and decode time (so tok/s is a rate of
 * two counters), a time-to-first-token histogram, and the slots and queue at
 * scrape time.
 * @module
 */

import type { SchedulerStats } from "../generate/scheduler.ts";

/** One finished generation, as the runner saw it. */
export interface GenerationRecord {
  /** Prompt tokens (cached ones included). */
  promptTokens: number;
  /** Prompt tokens taken from the slot's cache. */
  cachedTokens: number;
  /** Tokens generated. */
  completionTokens: number;
  /** Seconds from the request's arrival to its first token (undefined if none came). */
  ttft?: number;
  /** Seconds of prefill (slot taken to first token). */
  prefillSeconds: number;
  /** Seconds from the first token to the last. */
  decodeSeconds: number;
}

/** Upper bounds (seconds) of the time-to-first-token histogram's buckets. */
const TTFT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The counters of one handler. */
export class Metrics {
  readonly #requests = new Map<string, number>();
  #prompt = 0;
  #cached = 0;
  #generated = 0;
  #prefillSeconds = 0;
  #decodeSeconds = 0;
  readonly #ttft = new Array<number>(TTFT_BUCKETS.length + 1).fill(0);
  #ttftSum = 0;
  #ttftCount = 0;

  /** Counts a request answered on `route` with `status`. */
  request(route: string, status: number): void {
    const key = `${route}\u0000${status}`;
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
  }

  /** Counts a finished generation. */
  generation(g: GenerationRecord): void {
    this.#prompt += g.promptTokens;
    this.#cached += g.cachedTokens;
    this.#generated += g.completionTokens;
    this.#prefillSeconds += g.prefillSeconds;
    this.#decodeSeconds += g.decodeSeconds;
    if (g.ttft === undefined) return;
    const i = TTFT_BUCKETS.findIndex((b) => g.ttft! <= b);
    this.#ttft[i < 0 ? TTFT_BUCKETS.length : i]++;
    this.#ttftSum += g.ttft;
    this.#ttftCount++;
  }

  /** The exposition text. */
  render(queue?: SchedulerStats): string {
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, samples: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, v] of samples) lines.push(`${name}${labels} ${v}`);
    };
    const label = (route: string, status: string) => `{route="${route}",status="${status}"}`;
    metric(
      "falcon_e_requests_total",
      "counter",
      "Requests answered, by route and HTTP status.",
      [...this.#requests].map(([k, v]) => [label(...(k.split("\u0000") as [string, string])), v]),
    );
    metric("falcon_e_prompt_tokens_total", "counter", "Prompt tokens of finished generations.", [["", this.#prompt]]);
    metric("falcon_e_prompt_tokens_cached_total", "counter", "Prompt tokens taken from a slot's cache.", [[
      "",
      this.#cached,
    ]]);
    metric("falcon_e_generated_tokens_total", "counter", "Tokens generated.", [["", this.#generated]]);
    metric("falcon_e_prefill_seconds_total", "counter", "Seconds spent prefilling prompts.", [[
      "",
      this.#prefillSeconds,
    ]]);
    metric("falcon_e_decode_seconds_total", "counter", "Seconds spent decoding after the first token.", [[
      "",
      this.#decodeSeconds,
    ]]);
    let cum = 0;
    const buckets: [string, number][] = TTFT_BUCKETS.map((b, i) => [`_bucket{le="${b}"}`, cum += this.#ttft[i]]);
    buckets.push([`_bucket{le="+Inf"}`, cum + this.#ttft[TTFT_BUCKETS.length]], ["_sum", this.#ttftSum], [
      "_count",
      this.#ttftCount,
    ]);
    lines.push("# HELP falcon_e_time_to_first_token_seconds From a request's arrival to its first token.");
    lines.push("# TYPE falcon_e_time_to_first_token_seconds histogram");
    for (const [suffix, v] of buckets) lines.push(`falcon_e_time_to_first_token_seconds${suffix} ${v}`);
    const mem = processMemory();
    if (mem) {
      metric("falcon_e_process_resident_bytes", "gauge", "Resident memory of the process.", [["", mem.rss]]);
      metric("falcon_e_js_heap_used_bytes", "gauge", "JavaScript heap in use.", [["", mem.heapUsed]]);
    }
    if (queue) {
      metric("falcon_e_slots_active", "gauge", "KV cache slots generating now.", [["", queue.active]]);
      metric("falcon_e_slots", "gauge", "KV cache slots in all.", [["", queue.slots]]);
      metric("falcon_e_queue_waiting", "gauge", "Requests waiting for a slot.", [["", queue.waiting]]);
    }
    return lines.join("\n") + "\n";
  }
}

/** The process's memory, where the runtime tells (Deno, Node); undefined elsewhere (Workers). */
function processMemory(): { rss: number; heapUsed: number } | undefined {
  const g = globalThis as { Deno?: { memoryUsage?: () => { rss: number; heapUsed: number } } };
  try {
    return g.Deno?.memoryUsage?.();
  } catch {
    return undefined;
  }
}
