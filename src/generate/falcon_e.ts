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
}

/** Options of {@linkcode FalconE.chat}. */
export interface ChatOptions extends GenerationOptions {
  /** Drop the oldest turns after the system prompt when the chat outgrows the context (default false: an error). */
  truncate?: boolean;
}

/** What a generation returned. */
export interface Completion {
  /** The generated text. */
  text: string;
  /** Why it ended: a stop (EOS or a stop string), the length limit, or the signal. */
  finishReason: GenerationSummary["finishReason"];
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
];

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
    checkOptionNames(options, [...GENERATION_OPTIONS, "truncate"], "chat");
    const { truncate, ...gen } = options;
    const tm = this.textModel;
    const prompt = () => {
      if (!truncate) return { ids: chatPromptIds(tm, messages), dropped: undefined, maxTokens: gen.maxTokens };
      try {
        const fit = fitHistory(messages, (m) => chatPromptIds(tm, m), tm.model.contextLength, gen.maxTokens);
        return { ids: fit.ids, dropped: fit.dropped, maxTokens: fit.maxTokens };
      } catch (e) {
        if (e instanceof ContextError) e.message += "; shorten the chat";
        throw e;
      }
    };
    return this.#stream(prompt, gen);
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
    );
  }

  /** Releases the model (its memory and threads). */
  dispose(): void {
    this.textModel.model.dispose();
  }

  #stream(
    prompt: () => { ids: number[]; dropped?: number; maxTokens?: number },
    options: GenerationOptions,
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
        const lease = await scheduler.acquire(options.signal);
        let text = "";
        try {
          const { stop, maxTokens: _, ...sampling } = options;
          const gen = generate(tm, lease.session, p.ids, {
            ...sampling,
            maxTokens,
            stop: typeof stop === "string" ? [stop] : stop ?? [],
          });
          let r = await gen.next();
          for (; !r.done; r = await gen.next()) {
            text += r.value.text;
            if (r.value.text) yield r.value.text;
          }
          const s = r.value;
          settle.resolve({
            text,
            finishReason: s.finishReason,
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

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}
