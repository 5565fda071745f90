/**
 * The engine: a Falcon-E model in one WebAssembly instance's memory, its
 * session slots (KV caches), and the binding of the Rust kernels. Loaders
 * (`../load/mod.ts`) lay a model out with {@linkcode createEngine} and write
 * its weights in place.
 *
 * @example Greedy next token
 * ```ts ignore
 * import { loadModel } from "../../mod.ts";
 * import { argmax } from "./mod.ts";
 * const model = await loadModel("tests/fixtures/tiny-falcon-e");
 * using session = model.createSession();
 * console.log(argmax(session.feed([1, 2, 3])));
 * ```
 * @module
 */

export { type MemoryReport, Model, type ModelInfo } from "./model.ts";
export { chooseTiles, type FormRatios, type TileChoice, type TileForm, type TileReport } from "./tiles.ts";
export { startTeam, type Team, type ThreadSupport, threadSupport } from "./threads.ts";
export { type FeedOptions, Session } from "./session.ts";
export { EngineError, UnavailableError } from "./errors.ts";
export type { EngineSession, ServedModel } from "./served.ts";
export type { ModelConfig } from "./model_config.ts";
export { createEngine, type Engine, type EngineOptions, finishEngine, type LayoutPart } from "./create.ts";
export {
  defaultKernelPath,
  instantiateKernels,
  instantiateTestKernels,
  kernelError,
  kernelModule,
  type KernelPath,
  relaxedSimdSupported,
  wasmUrl,
} from "./kernels.ts";
export type { KernelExports, KernelTestExports } from "./exports.ts";
export * from "./abi.ts";
export { argmax } from "./argmax.ts";
