/**
 * Where checkpoint files come from. Every source hands out a sequential byte
 * reader per file that fills caller-given views (the final places in wasm
 * memory), so weight bytes are copied at most once and never held twice:
 * a local directory, an `http(s):` URL base (Range requests, resume after a
 * dropped connection), an R2-style bucket, in-memory files or one-shot
 * streams, and Hugging Face repo ids downloaded into a local cache.
 * @module
 */

export { type ByteReader, type ModelSource, readExactly, SourceError } from "./types.ts";
export { DirectorySource } from "./directory.ts";
export { UrlSource } from "./url.ts";
export { type R2BucketLike, type R2ObjectLike, R2Source } from "./r2.ts";
export { type FileInput, FilesSource } from "./files.ts";
export { modelIdOf, openSource } from "./open.ts";
export { DEFAULT_ENDPOINT, type DownloadProgress, downloadRepo, type HubOptions, hubUrlBase, isRepoId } from "./hub.ts";
