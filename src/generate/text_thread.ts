/**
 * The text thread (`text_worker.ts`), from this side: grammar constraints
 * that behave as in-process ones, over messages (accepting a token is a
 * message that needs no answer, and the next mask is asked for right away,
 * so the grammar works while the model runs the token's forward pass), and
 * the tokenization of long prompts.
 * @module
 */

import { spawnWorker, type WorkerHandle } from "../engine/threads.ts";
import type { GrammarConstraint } from "../text/grammar/constraint.ts";
import { GrammarError, type GrammarSpec, type GrammarVocabulary } from "../text/grammar/engine.ts";
import type { PromptPiece } from "../text/pieces.ts";
import type { TextTokenizer } from "../text/tokenizer.ts";

/** The runtime cannot start the text thread (no Workers): its work is done in this thread instead. */
export class TextThreadUnavailable extends Error {
  /** Always `"TextThreadUnavailable"`. */
  override name = "TextThreadUnavailable";
}

interface Pending {
  resolve(v: Record<string, unknown>): void;
  reject(e: unknown): void;
}

/** The text thread of this process, started when first needed. */
class TextThread {
  #worker?: Promise<WorkerHandle>;
  #handle?: WorkerHandle;
  #next = 1;
  #vocabs = new WeakMap<GrammarVocabulary, number>();
  #tokenizers = new WeakMap<TextTokenizer, number>();
  readonly #pending = new Map<string, Pending>();
  /** The grammar library's wasm memory in the thread, bytes, as its last "constrain" answer said. */
  grammarMemory = 0;

  #start(): Promise<WorkerHandle> {
    this.#worker ??= (async () => {
      try {
        const url = new URL("./text_worker.ts", import.meta.url); // not at import: bundles may lack import.meta.url
        return this.#handle = await spawnWorker(url, (m) => this.#answer(m), (e) => this.#fail(e));
      } catch (e) {
        throw new TextThreadUnavailable(`no text thread here: ${(e as Error)?.message ?? e}`);
      }
    })();
    return this.#worker;
  }

  #answer(m: Record<string, unknown>): void {
    const key = m.seq === undefined ? `c${m.id}` : `m${m.id}:${m.seq}`;
    if (typeof m.grammarMemory === "number") this.grammarMemory = m.grammarMemory;
    const p = this.#pending.get(key);
    this.#pending.delete(key);
    if (this.#pending.size === 0) this.#handle?.keepAlive(false); // idle: the process may end
    if (!p) return;
    if (typeof m.error === "string") p.reject(new GrammarError(m.error));
    else p.resolve(m);
  }

  #fail(e: unknown): void {
    const err = new GrammarError(`the text thread failed: ${(e as Error)?.message ?? e}`);
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
    this.#worker = this.#handle = undefined; // the next request starts a new one
    this.grammarMemory = 0;
    this.#vocabs = new WeakMap();
    this.#tokenizers = new WeakMap();
  }

  #ask(key: string, msg: Record<string, unknown>, w: WorkerHandle): Promise<Record<string, unknown>> {
    const answer = new Promise<Record<string, unknown>>((resolve, reject) =>
      this.#pending.set(key, { resolve, reject })
    );
    w.keepAlive(true); // an answer is awaited
    w.post(msg);
    return answer;
  }

  /** A constraint of `vocab`'s model following `spec`, made in the grammar thread. */
  async constrain(
    vocab: GrammarVocabulary,
    defaultStops: readonly number[],
    spec: GrammarSpec,
    stops: readonly number[],
  ): Promise<GrammarConstraint> {
    const w = await this.#start();
    let vocabId = this.#vocabs.get(vocab);
    if (vocabId === undefined) {
      vocabId = this.#next++;
      this.#vocabs.set(vocab, vocabId);
      w.post({ op: "vocab", vocabId, vocab, stops: [...defaultStops] });
    }
    const id = this.#next++;
    await this.#ask(`c${id}`, { op: "constrain", id, vocabId, spec, stops: [...stops] }, w);
    return new RemoteConstraint(id, w, (key, msg) => this.#ask(key, msg, w));
  }

  /** The ids of prompt pieces, encoded in the text thread. */
  async encode(tokenizer: TextTokenizer, pieces: PromptPiece[]): Promise<number[]> {
    const w = await this.#start();
    let tokId = this.#tokenizers.get(tokenizer);
    if (tokId === undefined) {
      tokId = this.#next++;
      this.#tokenizers.set(tokenizer, tokId);
      w.post({ op: "tokenizer", tokId, json: tokenizer.files.json, config: tokenizer.files.config });
    }
    const id = this.#next++;
    return (await this.#ask(`c${id}`, { op: "encode", id, tokId, pieces }, w)).ids as number[];
  }
}

/** A constraint living in the grammar thread. */
class RemoteConstraint implements GrammarConstraint {
  #seq = 0;
  #ahead?: Promise<Int32Array>;
  #disposed = false;

  constructor(
    readonly id: number,
    readonly worker: WorkerHandle,
    readonly ask: (key: string, msg: Record<string, unknown>) => Promise<Record<string, unknown>>,
  ) {
    this.#ahead = this.#request(); // the first mask, while the prompt is prefilled
  }

  #request(): Promise<Int32Array> {
    const seq = this.#seq++;
    const p = this.ask(`m${this.id}:${seq}`, { op: "mask", id: this.id, seq }).then((m) => m.mask as Int32Array);
    p.catch(() => {}); // may be dropped unread (the generation ended)
    return p;
  }

  allowed(): Promise<Int32Array> {
    if (this.#disposed) return Promise.reject(new GrammarError("the constraint was disposed"));
    const p = this.#ahead ?? this.#request();
    this.#ahead = undefined;
    return p;
  }

  accept(id: number): void {
    if (this.#disposed) throw new GrammarError("the constraint was disposed");
    this.worker.post({ op: "accept", id: this.id, token: id });
    this.#ahead = this.#request(); // computed while the model runs this token
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.worker.post({ op: "dispose", id: this.id });
  }
}

let thread: TextThread | undefined;

/** Whether this runtime may run text work in a thread of its own (it may still fail to start one). */
export function textThreadSupported(): boolean {
  const g = globalThis as { Worker?: unknown; Deno?: unknown; process?: unknown };
  return typeof g.Worker !== "undefined" || g.Deno !== undefined || g.process !== undefined;
}

/** A constraint made in the process's text thread. */
export function constrainInThread(
  vocab: GrammarVocabulary,
  defaultStops: readonly number[],
  spec: GrammarSpec,
  stops: readonly number[],
): Promise<GrammarConstraint> {
  thread ??= new TextThread();
  return thread.constrain(vocab, defaultStops, spec, stops);
}

/** The grammar library's wasm memory in the text thread, bytes (0 before it compiled a grammar). */
export function threadGrammarMemoryBytes(): number {
  return thread?.grammarMemory ?? 0;
}

/** Prompt pieces encoded in the process's text thread. */
export function encodeInThread(tokenizer: TextTokenizer, pieces: PromptPiece[]): Promise<number[]> {
  thread ??= new TextThread();
  return thread.encode(tokenizer, pieces);
}
