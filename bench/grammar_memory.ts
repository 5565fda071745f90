/**
 * How big the grammar library's wasm memory grows as distinct JSON schemas
 * fill the grammar cache (64 entries), over the synthetic Falcon-E-1B's
 * 32768-token vocabulary: with no bound, and with the bound used where
 * grammars run in the serving isolate (a Worker: `INLINE_GRAMMAR_MEMORY`).
 * A wasm memory never shrinks, so its size after the cache filled is what a
 * Worker keeps holding. Prints one JSON line per 8 schemas and limit.
 *
 *   deno run -A bench/grammar_memory.ts [--model DIR] [--schemas 80]
 * @module
 */

import { flag } from "./args.ts";
import { machine } from "./machine.ts";
import { TextTokenizer } from "../src/text/tokenizer.ts";
import { GrammarEngine, grammarVocabulary, INLINE_GRAMMAR_MEMORY } from "../src/text/grammar/engine.ts";
import { grammarMemoryBytes, renewXGrammar } from "../src/text/grammar/xgrammar.ts";
import { parseConfig } from "../src/load/config.ts";

const DIR = flag("model", "/tmp/falcon-e-synth/falcon-e-1b");
const SCHEMAS = Number(flag("schemas", "80"));
const read = (f: string) => Deno.readTextFileSync(`${DIR}/${f}`);
const tok = TextTokenizer.fromFiles(read("tokenizer.json"), read("tokenizer_config.json"));
const vocab = grammarVocabulary(tok, parseConfig(read("config.json")).vocabSize);
const mib = (b: number) => +(b / 2 ** 20).toFixed(1);
/** The i-th schema: small, each distinct (a cache miss). */
const schema = (i: number) => ({
  type: "object",
  properties: {
    [`field${i}`]: { type: "string", maxLength: 8 + i },
    n: { type: "integer", minimum: 0, maximum: i + 5 },
    tags: { type: "array", items: { enum: [`a${i}`, "b", "c"] } },
  },
  required: [`field${i}`, "n"],
  additionalProperties: false,
});

for (const limit of [Infinity, INLINE_GRAMMAR_MEMORY]) {
  renewXGrammar(); // each limit starts from a fresh instance
  const engine = new GrammarEngine(vocab, tok.specialIds(), { memoryLimit: limit });
  let peak = 0;
  for (let i = 0; i < SCHEMAS; i++) {
    const t = performance.now();
    const c = await engine.constrain({ kind: "json_schema", schema: schema(i), strict: true });
    await c.allowed();
    c.dispose();
    const ms = performance.now() - t;
    peak = Math.max(peak, grammarMemoryBytes());
    if ((i + 1) % 8 === 0 || i === SCHEMAS - 1) {
      console.log(JSON.stringify({
        limitMiB: limit === Infinity ? null : mib(limit),
        schemas: i + 1,
        cached: engine.cached,
        renewals: engine.renewals,
        memoryMiB: mib(grammarMemoryBytes()),
        peakMiB: mib(peak),
        lastCompileMs: Math.round(ms),
        vocab: vocab.length,
        machine: machine(1),
      }));
    }
  }
}
