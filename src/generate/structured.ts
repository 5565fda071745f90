/**
 * Structured output for a loaded model: the constraint of one generation,
 * made by the grammar engine in a thread of its own where the runtime has
 * Workers (`text_thread.ts`: compiling never stalls the model's thread,
 * and masks are computed during forward passes), else in this one (Workers
 * on Cloudflare have no threads). The grammar library is loaded when first
 * needed, so models that never constrain their output never load it.
 * @module
 */

import {
  GrammarEngine,
  type GrammarSpec,
  type GrammarVocabulary,
  grammarVocabulary,
  INLINE_GRAMMAR_MEMORY,
} from "../text/grammar/engine.ts";
import type { GrammarConstraint } from "../text/grammar/constraint.ts";
import { grammarMemoryBytes } from "../text/grammar/xgrammar.ts";
import {
  constrainInThread,
  textThreadSupported,
  TextThreadUnavailable,
  threadGrammarMemoryBytes,
} from "./text_thread.ts";
import type { TextModel } from "./text_model.ts";

export { GrammarError, type GrammarSpec } from "../text/grammar/engine.ts";

const vocabs = new WeakMap<TextModel, GrammarVocabulary>();
const engines = new WeakMap<TextModel, GrammarEngine>();

function vocabOf(tm: TextModel): GrammarVocabulary {
  let v = vocabs.get(tm);
  if (!v) vocabs.set(tm, v = grammarVocabulary(tm.tokenizer, tm.model.config.vocabSize));
  return v;
}

/**
 * The in-process grammar engine over a model's vocabulary (one per model):
 * it shares this isolate's memory with everything else, so the library's
 * memory is bounded ({@linkcode INLINE_GRAMMAR_MEMORY}).
 */
export function grammarEngine(tm: TextModel): GrammarEngine {
  let e = engines.get(tm);
  if (!e) engines.set(tm, e = new GrammarEngine(vocabOf(tm), tm.stopTokenIds, { memoryLimit: INLINE_GRAMMAR_MEMORY }));
  return e;
}

/** Where grammars run: `"thread"` (a Worker of their own) or `"inline"` (this thread). */
export type GrammarPlace = "thread" | "inline";

let noThread = false;

/** Where this runtime runs grammars (inline once a thread failed to start). */
export function grammarPlace(): GrammarPlace {
  return textThreadSupported() && !noThread ? "thread" : "inline";
}

/**
 * Where grammars run and the grammar library's wasm memory there, bytes (0
 * until a grammar was compiled). Inline, it counts against this isolate's
 * memory (a Worker's 128 MB) beside the JS heap; in the text thread, it is
 * that thread's, as of its last compile.
 */
export function grammarMemory(): { place: GrammarPlace; bytes: number } {
  const place = grammarPlace();
  return { place, bytes: place === "thread" ? threadGrammarMemoryBytes() : grammarMemoryBytes() };
}

/**
 * A constraint for one generation of `tm` following `spec`.
 * @param stopTokenIds The generation's stop tokens: where the grammar may end, these may come.
 * @param place Where to run it (default: {@linkcode grammarPlace}).
 * @throws {GrammarError} when the spec cannot be compiled or (strict) enforced.
 */
export async function constrain(
  tm: TextModel,
  spec: GrammarSpec,
  stopTokenIds: readonly number[],
  place: GrammarPlace = grammarPlace(),
): Promise<GrammarConstraint> {
  if (place === "thread") {
    try {
      return await constrainInThread(vocabOf(tm), tm.stopTokenIds, spec, stopTokenIds);
    } catch (e) {
      if (!(e instanceof TextThreadUnavailable)) throw e;
      noThread = true; // e.g. workerd: process exists, Workers do not
    }
  }
  return await grammarEngine(tm).constrain(spec, stopTokenIds);
}
