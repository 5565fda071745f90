/**
 * Falcon-E (BitNet b1.58 ternary) language models on WebAssembly SIMD.
 *
 * Loads a Hugging Face Falcon-E checkpoint straight into WebAssembly memory,
 * computes transformers-exact logits with Rust-compiled SIMD kernels, and
 * serves them through an OpenAI-compatible `fetch` handler.
 *
 * @example Chat in three lines
 * ```ts ignore
 * import { FalconE } from "@falcon-e/edge";
 * const llm = await FalconE.load("tiiuae/Falcon-E-1B-Instruct");
 * for await (const piece of llm.chat([{ role: "user", content: "Hello!" }])) console.log(piece);
 * ```
 *
 * @example Serve a model
 * ```ts ignore
 * import { createHandler, loadTextModel } from "@falcon-e/edge";
 * Deno.serve(createHandler({ model: loadTextModel("./Falcon-E-1B-Instruct") }).fetch);
 * ```
 *
 * @example Logits of a prompt
 * ```ts ignore
 * import { loadModel } from "@falcon-e/edge";
 * const model = await loadModel("./Falcon-E-1B-Instruct");
 * using session = model.createSession();
 * const logits = session.feed([1, 2, 3]);
 * ```
 *
 * The layers underneath have subpath exports of their own: `./engine`,
 * `./load`, `./text`, `./generate`, `./serve`.
 * @module
 */

export {
  type ChatOptions,
  type ChatStream,
  type Completion,
  FalconE,
  type FalconELoadOptions,
  type GenerationOptions,
} from "./src/generate/mod.ts";
export type { ChatMessage, ParsedCall, ToolChoice, ToolFunction } from "./src/text/mod.ts";
export { createHandler, type Handler, type HandlerOptions } from "./src/serve/mod.ts";
export { configFromEnv, type ServeConfig } from "./src/serve/mod.ts";
export { loadTextModel, loadTextModelFrom, type TextModel, type TextModelOptions } from "./src/generate/mod.ts";
export { generate, type GeneratedPiece, type GenerateOptions, type GenerationSummary } from "./src/generate/mod.ts";
export { CheckpointError, loadModel, loadModelFrom, type LoadOptions } from "./src/load/mod.ts";
export { ConfigError, IntegrityError, type ModelConfig, SafetensorsError } from "./src/load/mod.ts";
export {
  type ByteReader,
  DirectorySource,
  type DownloadProgress,
  downloadRepo,
  type FileInput,
  FilesSource,
  type HubOptions,
  type ModelSource,
  openSource,
  type R2BucketLike,
  type R2ObjectLike,
  R2Source,
  SourceError,
  UrlSource,
} from "./src/load/mod.ts";
export {
  EngineError,
  type EngineOptions,
  type FeedOptions,
  type MemoryReport,
  type Model,
  type ModelInfo,
  type Session,
} from "./src/engine/mod.ts";
export { ChatTemplate, TextTokenizer } from "./src/text/mod.ts";
export type { SamplerOptions } from "./src/text/mod.ts";
