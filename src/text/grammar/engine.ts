/**
 * Grammars over one model's vocabulary: what a request may constrain its
 * output to (`GrammarSpec`), compiled by XGrammar against the tokenizer's
 * vocabulary once per distinct spec (a bounded cache), and a `Constraint`
 * per generation that says which tokens may come next.
 * @module
 */

import type { TextTokenizer } from "../tokenizer.ts";
import { toolCallTag, type ToolChoice, type ToolFunction } from "../tools/format.ts";
import { anyAllowed, Constraint } from "./constraint.ts";
import { describeKeywords, unsupportedKeywords } from "./schema_check.ts";
import { Utf8Guard } from "./utf8_guard.ts";
import {
  type CompiledGrammar,
  GrammarCompiler,
  GrammarError,
  GrammarMatcher,
  grammarMemoryBytes,
  jsonSchemaToEbnf,
  renewXGrammar,
  TokenizerInfo,
  withXGrammar,
  xgrammarGeneration,
} from "./xgrammar.ts";

export { GrammarError } from "./xgrammar.ts";

/** What the output must be. */
export type GrammarSpec =
  /** Any JSON object (`response_format: {"type": "json_object"}`). */
  | { kind: "json_object" }
  /** JSON valid under a schema; `strict` refuses keywords that would not be enforced. */
  | { kind: "json_schema"; schema: unknown; strict: boolean }
  /** A grammar in XGrammar's EBNF (GBNF-like: `root ::= ...`). */
  | { kind: "ebnf"; grammar: string }
  /** An XGrammar structural tag (tags whose contents follow grammars or schemas). */
  | { kind: "structural_tag"; tag: Record<string, unknown> }
  /** Tool calls in the format of `tools/format.ts`, their arguments following each function's schema. */
  | { kind: "tool_calls"; tools: ToolFunction[]; choice: Exclude<ToolChoice, "none">; parallel: boolean };

/** JSON is generated compactly, with these separators: no free whitespace for a model to wander in. */
export const JSON_SEPARATORS: [string, string] = [", ", ": "];

/** Compiled grammars kept per model. */
const CACHE_ENTRIES = 64;

/**
 * What a grammar engine may let the library's wasm memory grow to before it
 * starts a fresh instance, where grammars run in the isolate that serves
 * (a Worker: 128 MB for everything). Measured on the synthetic Falcon-E-1B's
 * 32768-token vocabulary: 16.2 MiB for the first 9 small schemas, 84 MiB once
 * the 64-entry cache was full (bench/grammar_memory.ts).
 */
export const INLINE_GRAMMAR_MEMORY: number = 32 * 2 ** 20;

/** Options of a {@linkcode GrammarEngine}. */
export interface GrammarEngineOptions {
  /**
   * When the library's wasm memory has grown past this many bytes after a
   * compile, the cache is emptied and the library restarted with a fresh,
   * small memory (its old one is freed when the generations using it end),
   * at the cost of building the vocabulary's tables again (a few hundred ms
   * for 32768 tokens). Default: no bound but the cache's 64 entries.
   */
  memoryLimit?: number;
}

/**
 * A model's vocabulary as the grammar library reads it: one byte-level token
 * string per row of the logits; special tokens and unused rows are empty
 * (never allowed by a grammar, but as stop tokens where it may end).
 */
export type GrammarVocabulary = readonly string[];

/** The grammar vocabulary of a tokenizer, over `vocabSize` rows of logits. */
export function grammarVocabulary(tokenizer: TextTokenizer, vocabSize: number): GrammarVocabulary {
  const special = new Set(tokenizer.specialIds());
  return Array.from({ length: vocabSize }, (_, id) => special.has(id) ? "" : tokenizer.idToToken(id) ?? "");
}

/** A JSON schema's text, checked to be one (an object or a boolean). */
function schemaText(schema: unknown): string {
  if (typeof schema !== "boolean" && (typeof schema !== "object" || schema === null || Array.isArray(schema))) {
    throw new GrammarError("a JSON schema must be an object or a boolean");
  }
  return JSON.stringify(schema);
}

/** The grammars of one model: its vocabulary, compiler and cache. */
export class GrammarEngine {
  #info?: TokenizerInfo;
  #compiler?: GrammarCompiler;
  #generation = -1;
  #guard?: Utf8Guard;
  readonly #cache = new Map<string, CompiledGrammar>();
  readonly #memoryLimit: number;
  /** Times the library was restarted to give back its memory (`memoryLimit`). */
  renewals = 0;

  /**
   * @param vocab The model's vocabulary ({@linkcode grammarVocabulary}).
   * @param stopTokenIds Tokens that end generation (the grammar allows them only where it may end).
   */
  constructor(
    readonly vocab: GrammarVocabulary,
    readonly stopTokenIds: readonly number[],
    options: GrammarEngineOptions = {},
  ) {
    this.#memoryLimit = options.memoryLimit ?? Infinity;
  }

  /** Rows of the logits. */
  get vocabSize(): number {
    return this.vocab.length;
  }

  /**
   * Checks a spec and compiles it (or takes it from the cache), then starts a
   * constraint for one generation.
   * @param spec What the output must be.
   * @param stopTokenIds The generation's stop tokens (default: the engine's).
   * @throws {GrammarError} for a schema or grammar that cannot be compiled, or,
   *   when strict, one with keywords that would not be enforced.
   */
  async constrain(spec: GrammarSpec, stopTokenIds: readonly number[] = this.stopTokenIds): Promise<Constraint> {
    const key = JSON.stringify(spec);
    checkStrict(spec);
    const { value, warnings } = await withXGrammar(async () => {
      const compiler = await this.#current();
      let grammar = this.#cache.get(key);
      const fresh = grammar === undefined;
      if (grammar === undefined) grammar = await compile(compiler, spec);
      this.#cache.delete(key); // most recently used last
      this.#cache.set(key, grammar);
      while (this.#cache.size > CACHE_ENTRIES) {
        const [oldest, g] = this.#cache.entries().next().value!;
        this.#cache.delete(oldest);
        g.dispose();
      }
      const matcher = await GrammarMatcher.createGrammarMatcher(grammar, [...stopTokenIds]);
      if (grammarMemoryBytes() > this.#memoryLimit) {
        // the matcher keeps the old instance alive until its generation ends; the next compile starts afresh
        for (const g of this.#cache.values()) g.dispose();
        this.#cache.clear();
        renewXGrammar();
        this.renewals++;
      }
      return { matcher, fresh };
    });
    const strict = (spec.kind === "json_schema" && spec.strict) ||
      (spec.kind === "tool_calls" && spec.tools.some((t) => t.strict));
    if (strict && value.fresh && warnings.length > 0) {
      value.matcher.dispose();
      this.#cache.delete(key);
      throw new GrammarError(`the schema cannot be enforced exactly: ${warnings.join("; ")}`);
    }
    this.#guard ??= new Utf8Guard(this.vocab);
    const c = new Constraint(value.matcher, this.#guard, this.vocabSize);
    if (!anyAllowed(await c.allowed())) {
      c.dispose();
      throw new GrammarError("the grammar accepts no text: no token can begin it");
    }
    return c;
  }

  /** How many compiled grammars are cached. */
  get cached(): number {
    return this.#cache.size;
  }

  /** The compiler of the library's current instance (rebuilt, with an empty cache, after an abort). */
  async #current(): Promise<GrammarCompiler> {
    if (this.#compiler && this.#generation === xgrammarGeneration()) return this.#compiler;
    this.#cache.clear();
    this.#info = await TokenizerInfo.createTokenizerInfo([...this.vocab], "byte_level", false, this.vocabSize, [
      ...this.stopTokenIds,
    ]);
    this.#compiler = await GrammarCompiler.createGrammarCompiler(this.#info, false);
    this.#generation = xgrammarGeneration();
    return this.#compiler;
  }
}

/** Refuses, for a strict spec, schema keywords that would not be enforced. */
function checkStrict(spec: GrammarSpec): void {
  const check = (schema: unknown, what: string) => {
    schemaText(schema); // an object or a boolean
    const bad = unsupportedKeywords(schema);
    if (bad.length > 0) {
      throw new GrammarError(`${what} uses keywords that cannot be enforced: ${describeKeywords(bad)}`);
    }
  };
  if (spec.kind === "json_schema") {
    if (spec.strict) check(spec.schema, "the schema");
    else schemaText(spec.schema);
  }
  if (spec.kind === "tool_calls") {
    for (const t of spec.tools) {
      t.strict ? check(t.parameters, `function ${t.name}'s parameters`) : schemaText(t.parameters);
    }
  }
}

async function compile(compiler: GrammarCompiler, spec: GrammarSpec): Promise<CompiledGrammar> {
  switch (spec.kind) {
    case "json_object":
      // strict mode off: any properties, of any JSON type
      return await compiler.compileJSONSchema('{"type": "object"}', false, -1, JSON_SEPARATORS, false);
    case "json_schema":
      return await compiler.compileGrammar(await jsonSchemaToEbnf(schemaText(spec.schema), JSON_SEPARATORS), "root");
    case "ebnf":
      return await compiler.compileGrammar(spec.grammar, "root");
    case "structural_tag":
      return await compiler.compileStructuralTag(spec.tag);
    case "tool_calls": {
      const grammars = new Map<string, string>();
      for (const t of spec.tools) {
        grammars.set(t.name, await jsonSchemaToEbnf(schemaText(t.parameters), JSON_SEPARATORS));
      }
      const tag = toolCallTag(spec.tools, spec.choice, spec.parallel, (t) => grammars.get(t.name)!);
      return await compiler.compileStructuralTag(tag);
    }
  }
}
