/**
 * The high-level API for the common case: load a model by repo id, path or
 * URL, then chat (streamed) or complete (whole).
 *
 * ```ts ignore
 * const llm = await FalconE.load("tiiuae/Falcon-E-1B-Instruct");
 * for await (const piece of llm.chat([{ role: "user", content: "Hello!" }], { maxTokens: 64 })) console.log(piece);
 * const { text, usage } = await llm.complete("Once upon a time", { maxTokens: 32 });
 * ```
 * @module
 */

import { checkOptionNames } from "../engine/options.ts";
import { downloadRepo, isRepoId } from "../load/source/hub.ts";
import type { ChatMessage } from "../text/chat_template.ts";
import { generate, type GenerationSummary } from "./generate.ts";
import { ContextError, fitHistory } from "./history.ts";
import { chatPromptIds } from "./prompt.ts";
import { Scheduler } from "./scheduler.ts";
import { constrain, type GrammarSpec } from "./structured.ts";
import type { ToolChoice, ToolFunction } from "../text/tools/format.ts";
import { type ParsedCall, ToolCallParser } from "../text/tools/parser.ts";
import { loadTextModel, TEXT_MODEL_OPTIONS, type TextModel, type TextModelOptions } from "./text_model.ts";

/** Options of {@linkcode FalconE.load}: the engine's, plus where hub repos go. */
export interface FalconELoadOptions extends TextModelOptions {
  /**
   * A Hugging Face repo id is downloaded once into this cache directory
   * (default `~/.cache/falcon-e-edge`, where there is a file system); `false`
   * streams it from the hub on every load instead.
   */
  cacheDir?: string | false;
  /** The hub for repo ids (default `HF_ENDPOINT`, or https://huggingface.co). */
  hubEndpoint?: string;
}

/** Sampling and limits, the same as the HTTP API's fields. */
export interface GenerationOptions {
  /** Most tokens to generate (default: what is left of the context). */
  maxTokens?: number;
  /** 0 is greedy; default 1. */
  temperature?: number;
  /** Nucleus sampling mass, in (0, 1]. */
  topP?: number;
  /** Keep only the k most likely tokens (0: off). */
  topK?: number;
  /** Drop tokens less likely than this fraction of the top one. */
  minP?: number;
  /** OpenAI frequency penalty, [-2, 2]. */
  frequencyPenalty?: number;
  /** OpenAI presence penalty, [-2, 2]. */
  presencePenalty?: number;
  /** transformers' repetition penalty, (0, 10]. */
  repetitionPenalty?: number;
  /** Same seed and request, same output. */
  seed?: number;
  /** Stop strings (up to 4): generation ends before them. */
  stop?: string | string[];
  /** Stops generation when it aborts. */
  signal?: AbortSignal;
  /** OpenAI's logit_bias: token id -> bias in [-100, 100] (-100 bans the token). */
  logitBias?: Record<number, number>;
  /**
   * Structured output: `"json_object"` (any JSON object), or JSON valid under
   * `schema` (with `strict`, schema keywords that would not be enforced are an error).
   */
  responseFormat?: "json_object" | { schema: Record<string, unknown> | boolean; strict?: boolean };
  /** Output in a grammar of XGrammar's EBNF (`root ::= ...`); not with `responseFormat`. */
  grammar?: string;
}

/** Options of {@linkcode FalconE.chat}. */
export interface ChatOptions extends GenerationOptions {
  /** Drop the oldest turns after the system prompt when the chat outgrows the context (default false: an error). */
  truncate?: boolean;
  /** Functions the model may call; its calls come back in `completion.toolCalls`, and only its text is streamed. */
  tools?: ToolFunction[];
  /** `"auto"` (default with tools), `"required"`, `"none"`, or `{ name }` of the function to call. */
  toolChoice?: ToolChoice;
  /** More than one call in an answer (default true). */
  parallelToolCalls?: boolean;
}

/** What a generation returned. */
export interface Completion {
  /** The generated text. */
  text: string;
  /** Why it ended: a stop (EOS or a stop string), tool calls, the length limit, or the signal. */
  finishReason: GenerationSummary["finishReason"] | "tool_calls";
  /** The tools the model called (chat with `tools`), in order; their `arguments` are JSON text. */
  toolCalls?: ParsedCall[];
  /** Token counts. */
  usage: { promptTokens: number; completionTokens: number; totalTokens: number; cachedTokens: number };
  /** Messages the history policy left out (`truncate`). */
  truncatedMessages?: number;
}

/** A streamed chat answer: iterate for the text pieces; `completion` resolves once it is done. */
export interface ChatStream extends AsyncIterable<string> {
  /** The whole answer, once the stream has been read to its end. */
  completion: Promise<Completion>;
}

const GENERATION_OPTIONS = [
  "maxTokens",
  "temperature",
  "topP",
  "topK",
  "minP",
  "frequencyPenalty",
  "presencePenalty",
  "repetitionPenalty",
  "seed",
  "stop",
  "signal",
  "logitBias",
  "responseFormat",
  "grammar",
];

/** The grammar of a generation's options, if any. */
function grammarOf(o: ChatOptions): GrammarSpec | undefined {
  if (o.responseFormat !== undefined && o.grammar !== undefined) {
    throw new TypeError("responseFormat and grammar cannot be used together");
  }
  const choice = o.toolChoice ?? (o.tools?.length ? "auto" : "none");
  if (choice !== "none") {
    if (o.responseFormat !== undefined || o.grammar !== undefined) {
      throw new TypeError("tools cannot be combined with responseFormat or grammar unless toolChoice is none");
    }
    if (!o.tools?.length) throw new TypeError(`toolChoice ${JSON.stringify(choice)} needs tools`);
    return { kind: "tool_calls", tools: o.tools, choice, parallel: o.parallelToolCalls !== false };
  }
  if (o.grammar !== undefined) return { kind: "ebnf", grammar: o.grammar };
  if (o.responseFormat === "json_object") return { kind: "json_object" };
  if (o.responseFormat !== undefined) {
    return { kind: "json_schema", schema: o.responseFormat.schema, strict: o.responseFormat.strict === true };
  }
  return undefined;
}

/** A loaded Falcon-E model with its tokenizer and chat template. */
export class FalconE {
  readonly #scheduler: Scheduler;

  private constructor(
    /** The model, tokenizer and chat template underneath. */
    readonly textModel: TextModel,
  ) {
    this.#scheduler = new Scheduler(textModel.model, 64);
  }

  /**
   * Loads a model: a Hugging Face repo id (`tiiuae/Falcon-E-1B-Instruct`), a
   * checkpoint directory, a URL base or a `.feimg` image.
   * @throws {TypeError} naming an option that does not exist.
   */
  static async load(model: string | URL, options: FalconELoadOptions = {}): Promise<FalconE> {
    checkOptionNames(options, [...TEXT_MODEL_OPTIONS, "cacheDir", "hubEndpoint"], "FalconE.load");
    const { cacheDir, hubEndpoint, ...load } = options;
    const spec = String(model);
    let location: string | URL = model;
    if (isRepoId(spec) && !(await isDirectory(spec))) {
      load.id ??= spec;
      location = cacheDir === false || !("Deno" in globalThis)
        ? new URL(`${(hubEndpoint ?? "https://huggingface.co").replace(/\/+$/, "")}/${spec}/resolve/main/`)
        : await downloadRepo(spec, { endpoint: hubEndpoint, ...(cacheDir ? { cacheDir } : {}) });
    }
    return new FalconE(await loadTextModel(location, load));
  }

  /** The high-level API over a model already loaded with {@linkcode loadTextModel}. */
  static from(textModel: TextModel): FalconE {
    return new FalconE(textModel);
  }

  /** The model's id (`model` in API terms). */
  get id(): string {
    return this.textModel.id;
  }

  /**
   * Streams the assistant's answer to `messages`, rendered with the model's chat template.
   * @throws {TypeError} naming an option that does not exist.
   */
  chat(messages: ChatMessage[], options: ChatOptions = {}): ChatStream {
    checkOptionNames(options, [...GENERATION_OPTIONS, "truncate", "tools", "toolChoice", "parallelToolCalls"], "chat");
    const { truncate, tools, toolChoice: _, parallelToolCalls: __, ...gen } = options;
    const tm = this.textModel;
    const opts = { tools: tools ?? [] };
    const prompt = () => {
      if (!truncate) return { ids: chatPromptIds(tm, messages, opts), dropped: undefined, maxTokens: gen.maxTokens };
      try {
        const fit = fitHistory(messages, (m) => chatPromptIds(tm, m, opts), tm.model.contextLength, gen.maxTokens);
        return { ids: fit.ids, dropped: fit.dropped, maxTokens: fit.maxTokens };
      } catch (e) {
        if (e instanceof ContextError) e.message += "; shorten the chat";
        throw e;
      }
    };
    return this.#stream(prompt, gen, grammarOf(options));
  }

  /**
   * Completes a plain prompt (no chat template) and returns the whole text.
   * @throws {TypeError} naming an option that does not exist.
   */
  async complete(prompt: string, options: GenerationOptions = {}): Promise<Completion> {
    checkOptionNames(options, GENERATION_OPTIONS, "complete");
    const s = this.stream(prompt, options);
    for await (const _ of s);
    return await s.completion;
  }

  /**
   * Streams a completion of a plain prompt (no chat template).
   * @throws {TypeError} naming an option that does not exist.
   */
  stream(prompt: string, options: GenerationOptions = {}): ChatStream {
    checkOptionNames(options, GENERATION_OPTIONS, "stream");
    return this.#stream(
      () => ({ ids: this.textModel.tokenizer.encode(prompt), maxTokens: options.maxTokens }),
      options,
      grammarOf(options),
    );
  }

  /** Releases the model (its memory and threads). */
  dispose(): void {
    this.textModel.model.dispose();
  }

  #stream(
    prompt: () => { ids: number[]; dropped?: number; maxTokens?: number },
    options: GenerationOptions,
    grammar?: GrammarSpec,
  ): ChatStream {
    let settle!: { resolve(c: Completion): void; reject(e: unknown): void };
    const completion = new Promise<Completion>((resolve, reject) => (settle = { resolve, reject }));
    completion.catch(() => {}); // the error reaches the iterating caller too
    const scheduler = this.#scheduler, tm = this.textModel;
    async function* pieces(): AsyncGenerator<string> {
      try {
        const p = prompt();
        const room = tm.model.contextLength - p.ids.length;
        const maxTokens = p.maxTokens ?? room;
        if (room < 1 || maxTokens > room) {
          throw new ContextError(p.ids.length, Math.max(1, maxTokens), tm.model.contextLength);
        }
        const constraint = grammar && await constrain(tm, grammar, tm.stopTokenIds);
        const calls = grammar?.kind === "tool_calls" ? new ToolCallParser() : undefined;
        const lease = await scheduler.acquire(options.signal).catch((e) => (constraint?.dispose(), Promise.reject(e)));
        let text = "";
        const toolCalls: ParsedCall[] = [];
        try {
          const { stop, maxTokens: _, logitBias, responseFormat: __, grammar: ___, ...sampling } = options;
          const gen = generate(tm, lease.session, p.ids, {
            ...sampling,
            maxTokens,
            stop: typeof stop === "string" ? [stop] : stop ?? [],
            ...(logitBias ? { logitBias: new Map(Object.entries(logitBias).map(([k, v]) => [Number(k), v])) } : {}),
            ...(constraint ? { constraint } : {}),
          });
          let r = await gen.next();
          for (; !r.done; r = await gen.next()) {
            const piece = calls ? contentOf(calls.push(r.value.text), toolCalls) : r.value.text;
            text += piece;
            if (piece) yield piece;
          }
          const rest = calls ? contentOf(calls.flush(), toolCalls) : "";
          if (rest) yield rest;
          text += rest;
          const s = r.value;
          settle.resolve({
            text,
            finishReason: toolCalls.length > 0 && s.finishReason === "stop" ? "tool_calls" : s.finishReason,
            ...(calls ? { toolCalls } : {}),
            usage: {
              promptTokens: s.promptTokens,
              completionTokens: s.completionTokens,
              totalTokens: s.promptTokens + s.completionTokens,
              cachedTokens: s.cachedTokens,
            },
            ...(p.dropped === undefined ? {} : { truncatedMessages: p.dropped }),
          });
        } finally {
          lease.release();
        }
      } catch (e) {
        settle.reject(e);
        throw e;
      }
    }
    return Object.assign(pieces(), { completion });
  }
}

/** The content of some tool-parser events; calls go into `calls`. */
function contentOf(events: ReturnType<ToolCallParser["push"]>, calls: ParsedCall[]): string {
  let text = "";
  for (const e of events) {
    if (e.type === "content") text += e.text;
    else if (e.type === "call") calls.push({ name: e.name, arguments: "" });
    else if (e.type === "arguments") calls[e.index].arguments += e.text;
  }
  return text;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}
