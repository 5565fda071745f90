/**
 * The text thread: the slow text work runs here, off the thread that serves
 * requests and drives the model. XGrammar, so compiling a schema (seconds on
 * a 32768-token vocabulary) never stalls other generations and each token's
 * mask is computed while the model runs the token's forward pass; and the
 * tokenizer, for long prompts (tokenizers.js takes ~1 ms per 300 characters).
 * Started by `text_thread.ts`; one per process, holding each model's
 * vocabulary and tokenizer.
 *
 * Messages in: `{op: "vocab", vocab, vocabId, stops}`, `{op: "constrain", id,
 * vocabId, spec, stops}`, `{op: "mask", id, seq}`, `{op: "accept", id, token}`,
 * `{op: "dispose", id}`, `{op: "tokenizer", tokId, json, config}`, `{op:
 * "encode", id, tokId, pieces}`. Out: `{id, ok}` / `{id, ids}` / `{id, error}`,
 * `{id, seq, mask}` / `{id, seq, error}` for masks; answers to "constrain"
 * also carry `grammarMemory`, the grammar library's wasm memory in bytes.
 * @module
 */

import { GrammarEngine, GrammarError } from "../text/grammar/engine.ts";
import { grammarMemoryBytes } from "../text/grammar/xgrammar.ts";
import type { GrammarConstraint } from "../text/grammar/constraint.ts";
import { encodePieces, type PromptPiece } from "../text/pieces.ts";
import { TextTokenizer } from "../text/tokenizer.ts";

type Port = { postMessage(m: unknown, transfer?: Transferable[]): void };
type Msg = Record<string, unknown>;

const engines = new Map<number, GrammarEngine>();
const tokenizers = new Map<number, TextTokenizer>();
const constraints = new Map<number, { c: GrammarConstraint; failed?: string }>();

const message = (e: unknown) => e instanceof GrammarError ? e.message : `grammar thread: ${(e as Error)?.message ?? e}`;

async function handle(m: Msg, port: Port): Promise<void> {
  const id = m.id as number;
  switch (m.op) {
    case "vocab":
      engines.set(m.vocabId as number, new GrammarEngine(m.vocab as string[], m.stops as number[]));
      return;
    case "constrain":
      try {
        const engine = engines.get(m.vocabId as number);
        if (!engine) throw new Error(`no vocabulary ${m.vocabId}`);
        constraints.set(id, { c: await engine.constrain(m.spec as never, m.stops as number[]) });
        port.postMessage({ id, ok: true, grammarMemory: grammarMemoryBytes() });
      } catch (e) {
        port.postMessage({
          id,
          error: message(e),
          grammar: e instanceof GrammarError,
          grammarMemory: grammarMemoryBytes(),
        });
      }
      return;
    case "accept": {
      const entry = constraints.get(id);
      if (!entry || entry.failed) return;
      try {
        entry.c.accept(m.token as number);
      } catch (e) {
        entry.failed = message(e); // told with the next mask
      }
      return;
    }
    case "mask": {
      const entry = constraints.get(id);
      try {
        if (!entry) throw new Error(`no constraint ${id}`);
        if (entry.failed) throw new GrammarError(entry.failed);
        const mask = await entry.c.allowed();
        port.postMessage({ id, seq: m.seq, mask }, [mask.buffer as ArrayBuffer]);
      } catch (e) {
        port.postMessage({ id, seq: m.seq, error: message(e) });
      }
      return;
    }
    case "dispose":
      constraints.get(id)?.c.dispose();
      constraints.delete(id);
      return;
    case "tokenizer":
      tokenizers.set(m.tokId as number, TextTokenizer.fromFiles(m.json as string, m.config as string | undefined));
      return;
    case "encode":
      try {
        const tok = tokenizers.get(m.tokId as number);
        if (!tok) throw new Error(`no tokenizer ${m.tokId}`);
        port.postMessage({ id, ids: encodePieces(tok, m.pieces as PromptPiece[]) });
      } catch (e) {
        port.postMessage({ id, error: `text thread: ${(e as Error)?.message ?? e}` });
      }
      return;
  }
}

// Messages are handled in order: a mask asked for after an accept sees it.
let queue: Promise<void> = Promise.resolve();
function receive(m: Msg, port: Port): void {
  queue = queue.then(() => handle(m, port));
}

const node = await import("node:worker_threads").catch(() => undefined);
if (node?.parentPort) {
  const port = node.parentPort;
  port.on("message", (m: Msg) => receive(m, port as unknown as Port));
} else {
  const self = globalThis as unknown as Port & { onmessage: ((e: MessageEvent<Msg>) => void) | null };
  self.onmessage = (e) => receive(e.data, self);
}
