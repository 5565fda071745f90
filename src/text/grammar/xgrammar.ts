/**
 * The grammar library, XGrammar (its web build, vendored in ../vendor/ by
 * `deno task vendor`): its wasm compiled once per process, every call that
 * builds something serialized, with the library's log lines captured so that
 * a schema it cannot enforce or a grammar it rejects becomes an error naming
 * the reason. The library reports fatal errors by aborting its wasm instance;
 * such an instance is dropped and the next call starts a fresh one.
 * @module
 */

import * as xg from "../vendor/xgrammar.js";

export { CompiledGrammar, GrammarCompiler, GrammarMatcher, TokenizerInfo } from "../vendor/xgrammar.js";

/** A grammar, JSON schema or tool definition the engine cannot compile or enforce. */
export class GrammarError extends Error {
  /** Always `"GrammarError"`. */
  override name = "GrammarError";
}

let injected: WebAssembly.Module | undefined;
let compiled: Promise<WebAssembly.Module> | undefined;
/** Bumped each time an aborted instance is dropped: objects of older generations are dead. */
let generation = 0;

/**
 * Gives the grammar library its compiled `xgrammar.wasm`, for runtimes that
 * cannot compile wasm from bytes (Workers import it as a module). Elsewhere
 * it is fetched next to this package's sources when first needed.
 */
export function useGrammarWasm(module: WebAssembly.Module): void {
  injected = module;
}

async function wasmModule(): Promise<WebAssembly.Module> {
  if (injected) return injected;
  compiled ??= (async () => {
    const url = new URL("../vendor/xgrammar.wasm", import.meta.url);
    const res = await fetch(url);
    if (!res.ok) throw new Error(`cannot fetch the grammar library's wasm at ${url}: HTTP ${res.status}`);
    return await WebAssembly.compile(await res.arrayBuffer());
  })();
  try {
    return await compiled;
  } catch (e) {
    compiled = undefined; // a later call may try again
    throw e;
  }
}

let log: string[] | undefined;
xg.setLogSink((line) => {
  if (log) log.push(line);
});

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `fn` with the library to itself (calls are serialized), returning
 * what it returns and the library's warnings. A fatal error of the library
 * (its message in the log, the instance aborted) becomes a GrammarError with
 * that message, and the instance is replaced.
 */
export function withXGrammar<T>(fn: () => Promise<T>): Promise<{ value: T; warnings: string[]; generation: number }> {
  const run = async () => {
    xg.provideWasm(await wasmModule());
    const lines: string[] = [];
    log = lines;
    try {
      const value = await fn();
      return { value, warnings: lines.filter((l) => l.includes("[WARNING]")).map(clean), generation };
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError || /Aborted\(/.test(String(e))) {
        renewXGrammar();
        const fatal = lines.find((l) => l.includes("[FATAL]"));
        throw new GrammarError(fatal ? clean(fatal) : `the grammar library failed: ${(e as Error).message}`);
      }
      throw e;
    } finally {
      log = undefined;
    }
  };
  const result = queue.then(run, run);
  queue = result.catch(() => {});
  return result;
}

/**
 * A JSON schema as EBNF, compact (no free whitespace, these separators),
 * strict (no unlisted properties). XGrammar 0.1.27 writes the characters of
 * a string with `minLength`/`maxLength` as `[^"\\\r\n]`, which lets raw
 * control characters (U+0000-U+001F) into JSON strings, where JSON forbids
 * them; the class is narrowed here (inside JSON strings it is the only
 * meaning it can have).
 */
export async function jsonSchemaToEbnf(schema: string, separators: [string, string]): Promise<string> {
  const ebnf = await xg.Testings._jsonSchemaToEBNF(schema, false, -1, separators, true);
  return ebnf.replaceAll(LOOSE_STRING_CHAR, JSON_STRING_CHAR);
}

const LOOSE_STRING_CHAR = '[^"\\\\\\r\\n]';
const JSON_STRING_CHAR = '[^"\\\\\\r\\n\\0-\\x1f]';

/**
 * Drops the library's wasm instance, so that the next call starts a fresh
 * one: after a fatal error, or to give back a memory that has grown (a wasm
 * memory never shrinks; the old one is freed once the matchers still using
 * it are gone). Objects of the old instance's generation are dead.
 */
export function renewXGrammar(): void {
  xg.resetInstance();
  generation++;
}

/**
 * Bytes of the grammar library's wasm memory in this isolate: 0 until a
 * request first uses a grammar; it grows with the grammars compiled and never
 * shrinks (it counts against a Worker's memory limit beside the JS heap).
 */
export function grammarMemoryBytes(): number {
  return xg.memoryBytes();
}

/** The instance generation now (objects from an older one must be rebuilt). */
export function xgrammarGeneration(): number {
  return generation;
}

/** A library log line without its source location: `[FATAL] /path/x.cc:12: msg` -> `msg`. */
function clean(line: string): string {
  return line.replace(/^\[(FATAL|WARNING|INFO)\]\s*\S+:\d+:\s*/, "").trim();
}
