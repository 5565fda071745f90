/**
 * The pipeline's coordinator: the surface the text side uses on a model
 * (sessions, feed, feed in batches), driving shards over `ShardLink`s.
 * Rows go through in micro-batches of at most a block: each stage takes the
 * chunks in order, so shard k works on chunk i while shard k+1 works on
 * chunk i-1, and concurrent sessions interleave the same way. Embedding
 * slices and lm_head slices run in parallel; the coordinator joins the
 * logits (sampling stays with the caller). lm_head slices that hold their
 * rows' embedding too send the embedding rows of their likeliest tokens
 * back (`next_rows.ts`), so a decoded token among them needs no embedding
 * call: 9 calls a token instead of 10 on the 128 MB plan.
 *
 * Faults: every session's token ids are kept here, and each step says at
 * which position a session's rows start. A shard that lost a cache (evicted,
 * restarted) refuses the step; the coordinator then drops the session
 * everywhere and feeds its whole history again, so no logits ever come from
 * a partial cache. A shard that does not answer (`down`) or has no room
 * (`full`) fails the call, and the session is dropped on every shard.
 * @module
 */

import type { ModelConfig } from "../engine/model_config.ts";
import type { MemoryReport, ModelInfo } from "../engine/model.ts";
import type { ServedModel } from "../engine/served.ts";
import { EngineError } from "../engine/errors.ts";
import { checkIds } from "../engine/session.ts";
import { describePart, size } from "./part.ts";
import { MAX_CANDIDATES, ShardError, type ShardInfo, type StepReply } from "./shard.ts";
import { type HeadRows, NextRows } from "./next_rows.ts";
import { PipelineSession } from "./pipeline_session.ts";
import { type Chunk, chunksOf } from "./chunks.ts";
import { type Stage, tile } from "./stages.ts";
import { checkStep } from "./replies.ts";
import { embedRows } from "./embed_rows.ts";
import type { ShardLink } from "./transport.ts";

export { PipelineSession } from "./pipeline_session.ts";

/** Counts of what the coordinator did. */
export interface PipelineStats {
  /** Calls to shards. */
  calls: number;
  /** Times a lost cache was rebuilt by feeding a session's history again. */
  recoveries: number;
  /** Rows fed (recovered rows included). */
  rows: number;
  /** Rows whose embedding came with the last step's logits (an embedding call saved when all of a chunk's did). */
  rowsFromCandidates: number;
}

/**
 * Likely next tokens each lm_head slice sends back with its logits, with their
 * embedding rows, when the slices also hold those rows' embedding (the 128 MB
 * plan's vocabulary shards): a decoded token then skips its embedding call
 * whenever the sampler picks one of them (always, greedy; 4 per slice covers
 * any top-k up to 4 and most draws).
 */
export const CANDIDATES = 4;

/** A model split across shards, driven as one; served like a {@linkcode Model} (it is a `ServedModel`). */
export class Pipeline implements ServedModel {
  readonly #embed: Stage[];
  readonly #layers: Stage[];
  readonly #head: Stage[];
  readonly #tokensIn: boolean;
  readonly #sessions = new Set<PipelineSession>();
  /** Per session id, the epoch of its cache on each layer stage (as the shards last said). */
  readonly #epochs = new Map<string, number[]>();
  /** Rows per micro-batch (the smallest block of the layer shards). */
  readonly blockSize: number;
  /** Positions per session (the smallest of the layer shards'). */
  readonly contextLength: number;
  /** Sessions at once (the fewest slots of the layer shards). */
  readonly maxSessions: number;
  /** When a shard was last called (ms, `Date.now()`). */
  #lastCall = 0;
  /** After this long without calls the shards may have been evicted: all are called at once first, to reload in parallel. */
  readonly warmAfterMs = 5_000;
  /** What it did so far. */
  readonly stats: PipelineStats = { calls: 0, recoveries: 0, rows: 0, rowsFromCandidates: 0 };
  /** Candidates asked of each lm_head slice per wanted row: as connected with, or 0 where the slices cannot. */
  readonly candidates: number;
  /** Embedding rows of each session's likely next tokens (from the last step's lm_head slices). */
  readonly #next = new NextRows();

  /** Where the weights came from (as given to `connect`). */
  readonly location: string;
  /** Rows the batcher hands over per pass: a block per layer shard, so that prefill chunks overlap across them. */
  readonly passRows: number;
  /** Sessions are fed each on its own, from the request that waits (see `ServedModel.direct`). */
  readonly direct = true;
  readonly #infos: ShardInfo[];

  private constructor(readonly config: ModelConfig, stages: Stage[], location: string, candidates: number) {
    this.location = location;
    this.#infos = stages.map((s) => s.info);
    const V = config.vocabSize, L = config.numLayers;
    const layers = stages.filter((s) => size(s.info.part.layers) > 0).sort((a, b) =>
      a.info.part.layers[0] - b.info.part.layers[0]
    );
    let at = 0;
    for (const s of layers) {
      if (s.info.part.layers[0] !== at) {
        throw new EngineError(`the shards' layers leave a gap or overlap at layer ${at}`);
      }
      at = s.info.part.layers[1];
    }
    if (at !== L) throw new EngineError(`the shards hold layers 0-${at - 1} of ${L}`);
    const whole = (r: [number, number]) => r[0] === 0 && r[1] === V;
    const first = layers[0].info.part, last = layers.at(-1)!.info.part;
    this.#tokensIn = whole(first.embed);
    this.#embed = this.#tokensIn ? [] : tile(stages.filter((s) => size(s.info.part.layers) === 0), "embed", V);
    this.#head = whole(last.head) ? [] : tile(stages.filter((s) => size(s.info.part.layers) === 0), "head", V);
    for (const s of layers) {
      const p = s.info.part;
      if (
        (size(p.embed) && !(s === layers[0] && whole(p.embed))) ||
        (size(p.head) && !(s === layers.at(-1) && whole(p.head)))
      ) {
        throw new EngineError(
          `a layer shard may hold the embedding only whole and first, the lm_head only whole and last: ${
            describePart(p)
          }`,
        );
      }
    }
    this.#layers = layers;
    const covers = (p: ShardInfo["part"]) => p.embed[0] <= p.head[0] && p.head[1] <= p.embed[1];
    this.candidates = this.#embed.length > 0 && this.#head.length > 0 &&
        this.#head.every((s) => covers(s.info.part) && size(s.info.part.head) >= candidates)
      ? candidates
      : 0;
    this.blockSize = Math.min(...layers.map((s) => s.info.blockSize), ...this.#head.map((s) => s.info.blockSize));
    this.contextLength = Math.min(...layers.map((s) => s.info.contextLength));
    this.maxSessions = Math.min(...layers.map((s) => s.info.sessions.slots));
    this.passRows = this.blockSize * layers.length;
  }

  /** lm_head weights of the shards. */
  get lmHead(): "bf16" | "int8" {
    return this.#head[0]?.info.lmHead ?? this.#layers.at(-1)!.info.lmHead;
  }

  /** How it runs: as a model's info, the memory summed over the shards (as they were at connect). */
  info(): ModelInfo {
    const first = this.#layers[0].info;
    return {
      kernels: { build: first.kernels, tiles: first.tiles ?? { decode: "dot16", prefill: "dot16", chosen: "only" } },
      threads: { count: 1, reason: `a pipeline of ${this.#infos.length} shards, one thread each` },
      lmHead: this.lmHead,
      kvCache: first.kvCache,
      contextLength: this.contextLength,
      maxSessions: this.maxSessions,
      blockSize: this.blockSize,
      memory: this.memory(),
    };
  }

  /** WebAssembly memory of every shard together (as reported at connect). */
  memory(): MemoryReport {
    const sum = (k: keyof ShardInfo["memory"]) => this.#infos.reduce((a, s) => a + s.memory[k], 0);
    return { weights: sum("weights"), kvCache: sum("kvCache"), scratch: sum("scratch"), total: sum("total") };
  }

  /** Frees every session on the shards (they stay up for other coordinators). */
  dispose(): void {
    void this.close();
  }

  /**
   * Connects to shards that together hold the whole model (in any order).
   * A shard that cannot be reached yet (a retryable `down`: its process or
   * object is still starting) is asked again for up to `waitMs`.
   * `candidates`: likely next tokens to ask of each lm_head slice (default
   * {@linkcode CANDIDATES}; 0: none, every decoded token makes an embedding call).
   * @throws {EngineError} when they leave a gap, overlap, or hold the embedding or lm_head in a way the pipeline cannot run.
   * @throws {ShardError} when a shard still cannot be reached after `waitMs`.
   */
  static async connect(
    config: ModelConfig,
    links: ShardLink[],
    location = "pipeline",
    waitMs = 10_000,
    candidates = CANDIDATES,
  ): Promise<Pipeline> {
    if (!Number.isInteger(candidates) || candidates < 0 || candidates > MAX_CANDIDATES) {
      throw new EngineError(`candidates must be an integer in [0, ${MAX_CANDIDATES}], got ${candidates}`);
    }
    const t0 = Date.now();
    const ask = async (l: ShardLink): Promise<ShardInfo> => {
      for (let t = 1;; t++) {
        try {
          return await l.info();
        } catch (e) {
          if (!(e instanceof ShardError && e.retryable) || Date.now() - t0 >= waitMs) throw e;
          await new Promise((r) => setTimeout(r, Math.min(1000, 50 * t)));
        }
      }
    };
    const infos = await Promise.all(links.map(ask));
    return new Pipeline(config, links.map((link, i) => ({ link, info: infos[i] })), location, candidates);
  }

  /** Sessions not in use. */
  get freeSessions(): number {
    return this.maxSessions - this.#sessions.size;
  }

  /** A new session (empty caches everywhere). @throws {EngineError} when every slot is taken. */
  createSession(): PipelineSession {
    if (this.freeSessions <= 0) throw new EngineError(`all ${this.maxSessions} pipeline sessions are in use`);
    const id = [...crypto.getRandomValues(new Uint8Array(12))].map((b) => b.toString(16).padStart(2, "0")).join("");
    const s: PipelineSession = new PipelineSession(this, id, () => {
      this.#sessions.delete(s);
      this.#drop([id]);
    });
    this.#sessions.add(s);
    return s;
  }

  /**
   * Feeds several sessions at once, in micro-batches through the stages.
   * @returns The logits after each entry's last token, in entry order.
   * @throws {EngineError} for bad ids or a full context (nothing fed); {@linkcode ShardError} `down`/`full` when a
   *   shard did not answer or had no room (the sessions are then emptied on every shard), or `lost` when a cache
   *   was lost again while its history was being fed back.
   */
  async feedBatch(entries: readonly { session: PipelineSession; ids: ArrayLike<number> }[]): Promise<Float32Array[]> {
    const seen = new Set<PipelineSession>();
    for (const { session, ids } of entries) {
      if (session.pipeline !== this || !session.open) {
        throw new EngineError("feedBatch got a session not open on this pipeline");
      }
      if (seen.has(session)) throw new EngineError("feedBatch got the same session twice");
      seen.add(session);
      checkIds(ids, this.config.vocabSize, session.position, this.contextLength);
    }
    const fresh = entries.map(({ ids }) => Array.from(ids));
    try {
      if (Date.now() - this.#lastCall > this.warmAfterMs) await this.#warm();
      let out: Float32Array[];
      try {
        out = await this.#run(
          entries.map(({ session }, e) => ({ id: session.id, pos: session.position, ids: fresh[e] })),
        );
      } catch (e) {
        if (!(e instanceof ShardError && (e.code === "lost" || e.retryable))) throw e;
        // a cache is gone (or a shard's connection broke: it may be restarting): empty these sessions
        // everywhere and feed their whole history again
        this.stats.recoveries++;
        await this.#warm(e.retryable ? 5 : 1); // evicted shards reload at once, not one after another as the rows reach them
        await this.#drop(entries.map(({ session }) => session.id));
        out = await this.#run(
          entries.map(({ session }, e) => ({ id: session.id, pos: 0, ids: [...session.ids, ...fresh[e]] })),
        );
      }
      entries.forEach(({ session }, e) => session.ids.push(...fresh[e]));
      return out;
    } catch (e) {
      for (const { session } of entries) session.ids.length = 0;
      await this.#drop(entries.map(({ session }) => session.id));
      throw e;
    }
  }

  /** Frees every session's caches. */
  async close(): Promise<void> {
    const ids = [...this.#sessions].map((s) => s.id);
    this.#sessions.clear();
    await this.#drop(ids);
  }

  /** Calls every shard at once (an evicted one reloads its part on its first call); `tries` for a restarting one. */
  async #warm(tries = 1): Promise<void> {
    this.#lastCall = Date.now();
    await Promise.all([...this.#embed, ...this.#layers, ...this.#head].map(async (s) => {
      for (let t = 1;; t++) {
        this.stats.calls++;
        try {
          return await s.link.info();
        } catch (e) {
          if (t >= tries || !(e instanceof ShardError && e.retryable)) throw e;
          await new Promise((r) => setTimeout(r, 200 * t));
        }
      }
    }));
  }

  /** Drops sessions on every layer shard; a shard that fails to hear it evicts them later. */
  async #drop(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    for (const id of ids) this.#epochs.delete(id), this.#next.forget(id);
    await Promise.allSettled(this.#layers.map((s) => (this.stats.calls++, s.link.drop(ids))));
  }

  /** Runs the rows of every entry (`ids` from position `pos`) through the stages, chunk by chunk, pipelined. */
  async #run(entries: { id: string; pos: number; ids: number[] }[]): Promise<Float32Array[]> {
    const chunks = chunksOf(entries, this.blockSize);
    const V = this.config.vocabSize;
    const out = entries.map(() => new Float32Array(V));
    const known = this.#next.take(entries.map((e) => e.id)); // embedding rows that came with the last logits
    // stage k takes chunk i only after chunk i-1 left it, whatever order the chunks reach it in:
    // left[k][i] resolves when chunk i is done with stage k (or failed there)
    const left = this.#layers.map(() => chunks.map(() => Promise.withResolvers<void>()));
    const jobs = chunks.map(async (c, i) => {
      let input: { tokens?: Int32Array; hidden?: Float32Array } = this.#tokensIn
        ? { tokens: c.tokens }
        : { hidden: await embedRows(this.#embed, c.tokens, known, this.config.hiddenSize, this.stats) };
      // a reply's rows are given back to its link once the next stage has answered (they were sent) or, for
      // logits, once copied out
      let reply: StepReply | undefined;
      const held: StepReply[] = [];
      try {
        for (let k = 0; k < this.#layers.length; k++) {
          if (i > 0) await left[k][i - 1].promise;
          try {
            reply = await this.#layerStep(k, { sessions: c.sessions, want: c.want, ...input });
          } finally {
            left[k][i].resolve();
          }
          held.shift()?.release?.();
          held.push(reply);
          input = { hidden: reply.hidden };
        }
        const logits: HeadRows[] = reply!.logits
          ? [{ h0: 0, rows: V, data: reply!.logits }]
          : await this.#headRows(c, input.hidden!, held);
        c.wantedBy.forEach((e, j) => {
          for (const { h0, rows, data } of logits) out[e].set(data.subarray(j * rows, (j + 1) * rows), h0);
          // copied: the replies are released; not for a session disposed meanwhile (nothing would forget them)
          if (this.#isOpen(entries[e].id)) this.#next.keep(entries[e].id, logits, j, this.config.hiddenSize);
        });
      } finally {
        for (const r of held) r.release?.();
      }
    });
    // a chunk that failed early lets the later ones through every stage (to fail there or finish)
    jobs.forEach((j, i) => j.catch(() => left.forEach((stage) => stage[i].resolve())));
    const settled = await Promise.allSettled(jobs);
    const failed = settled.find((s) => s.status === "rejected") as PromiseRejectedResult | undefined;
    if (failed) throw failed.reason;
    this.stats.rows += chunks.reduce((a, c) => a + c.tokens.length, 0);
    return out;
  }

  /**
   * A step on layer stage k. A session whose cache there has another epoch
   * than before, past position 0, was rebuilt behind our back: lost.
   */
  async #layerStep(k: number, req: Parameters<ShardLink["step"]>[0]): Promise<StepReply> {
    const r = await this.#call(this.#layers[k], req);
    req.sessions.forEach((s, j) => {
      if (!this.#isOpen(s.id)) return; // disposed meanwhile: its epochs were forgotten
      const known = this.#epochs.get(s.id) ?? this.#epochs.set(s.id, []).get(s.id)!;
      if (known[k] !== undefined && known[k] !== r.epochs[j] && s.pos > 0) {
        throw new ShardError(
          "lost",
          `session ${s.id}: its cache on layers ${this.#layers[k].info.part.layers.join("-")} was rebuilt`,
        );
      }
      known[k] = r.epochs[j];
    });
    return r;
  }

  #isOpen(id: string): boolean {
    for (const s of this.#sessions) if (s.id === id) return true;
    return false;
  }

  async #call(s: Stage, req: Parameters<ShardLink["step"]>[0]): Promise<StepReply> {
    this.stats.calls++;
    this.#lastCall = Date.now();
    const r = await s.link.step(req);
    try {
      return checkStep(s, req, r, this.config.hiddenSize);
    } catch (e) {
      r.release?.();
      throw e;
    }
  }

  /** The wanted rows' logits, from the lm_head slices in parallel; their replies are added to `held`. */
  async #headRows(
    c: Chunk,
    hidden: Float32Array,
    held: StepReply[],
  ): Promise<HeadRows[]> {
    if (c.wantedBy.length === 0) return [];
    const candidates = this.candidates ? { candidates: this.candidates } : {};
    return await Promise.all(this.#head.map(async (s) => {
      const r = await this.#call(s, { sessions: c.sessions, want: c.want, hidden, ...candidates });
      held.push(r);
      return { h0: s.info.part.head[0], rows: size(s.info.part.head), data: r.logits!, candidates: r.candidates };
    }));
  }
}
