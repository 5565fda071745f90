/**
 * Loading: a Hugging Face Falcon-E checkpoint (`config.json` +
 * `model.safetensors`, sharded or not) or a pre-laid-out `.feimg` image,
 * from any {@linkcode ModelSource}, straight into the engine's WebAssembly
 * memory. Every header is checked against `config.json` before a weight byte
 * is written; errors name the tensor, field or file.
 *
 * @example
 * ```ts ignore
 * import { loadModel } from "./mod.ts";
 * const model = await loadModel("tests/fixtures/tiny-falcon-e", { contextLength: 512 });
 * console.log(model.config.numLayers, model.memory());
 * ```
 * @module
 */

export { imageLocation, loadModel, loadModelFrom } from "./load_model.ts";
export type { LoadOptions } from "./options.ts";
export { ConfigError, type ModelConfig, parseConfig, parseJsonFile } from "./config.ts";
export { CheckpointError, expectedTensors, PROJECTIONS, projectionShape, type TensorSpec } from "./checkpoint.ts";
export { SafetensorsError } from "./safetensors.ts";
export { IntegrityError } from "./safetensors_stream.ts";
export { EMBEDDED_FILES, IMAGE_EXTENSION, isImagePath, loadImageFrom, writeImage } from "./image.ts";
export * from "./source/mod.ts";
