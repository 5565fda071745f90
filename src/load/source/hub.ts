/**
 * Hugging Face repo ids (`tiiuae/Falcon-E-1B-Instruct`): resolved to
 * `<endpoint>/<id>/resolve/<revision>/<file>`, downloaded once into a local
 * cache, resumed with Range after an interruption.
 * @module
 */

import { envVar } from "../../engine/env.ts";
import { SourceError } from "./types.ts";

/** Default hub. Overridden by `--hub-endpoint` or `HF_ENDPOINT`. */
export const DEFAULT_ENDPOINT = "https://huggingface.co";

/** Files a Falcon-E checkpoint needs (the optional ones may be absent). */
const REQUIRED = ["config.json", "tokenizer.json", "tokenizer_config.json"];
const OPTIONAL = ["generation_config.json"];
/** Attempts to resume one file (with Range, from what is on disk) before giving up. */
const RESUMES = 5;

/** The hub in use: the given one, else `HF_ENDPOINT`, else the default; no trailing slash. */
function hubEndpoint(endpoint?: string): string {
  return (endpoint ?? envVar("HF_ENDPOINT") ?? DEFAULT_ENDPOINT).replace(/\/+$/, "");
}

/** The URL base a repo's files are read from: `<endpoint>/<id>/resolve/<revision>/`. */
export function hubUrlBase(id: string, endpoint?: string, revision = "main"): URL {
  return new URL(`${hubEndpoint(endpoint)}/${id}/resolve/${revision}/`);
}

/** Whether `s` looks like a hub repo id (`owner/name`) rather than a path or URL. */
export function isRepoId(s: string): boolean {
  return /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/.test(s) && !s.startsWith(".") && !s.includes("..");
}

/** Where a download stands: file name, bytes so far, total (NaN if unknown), bytes per second. */
export interface DownloadProgress {
  /** The file being downloaded. */
  file: string;
  /** Bytes on disk so far. */
  got: number;
  /** The file's size, NaN when the server does not say. */
  total: number;
  /** Bytes per second of this attempt. */
  rate: number;
  /** Whether the file is complete. */
  done: boolean;
}

/** Options of {@linkcode downloadRepo}. */
export interface HubOptions {
  /** Hub base URL (default `HF_ENDPOINT` or https://huggingface.co). */
  endpoint?: string;
  /** Branch, tag or commit (default `main`). */
  revision?: string;
  /** Cache directory (default `$XDG_CACHE_HOME/falcon-e-edge` or `~/.cache/falcon-e-edge`). */
  cacheDir?: string;
  /** Bearer token for gated repos (default `HF_TOKEN`). */
  token?: string;
  /** Called as bytes arrive (at most every 200 ms) and once per finished file. */
  onProgress?: (p: DownloadProgress) => void;
  /** fetch to use. */
  fetch?: typeof fetch;
}

function defaultCache(): string {
  const base = envVar("XDG_CACHE_HOME") ?? `${envVar("HOME") ?? "."}/.cache`;
  return `${base}/falcon-e-edge`;
}

/** One repo download: where files come from and go to. */
interface Download {
  id: string;
  endpoint: string;
  base: URL;
  dir: string;
  token?: string;
  fetch: typeof fetch;
  onProgress?: (p: DownloadProgress) => void;
}

/** GET of one file of the repo (from byte `from` on); a network failure says how to work offline. */
async function get(d: Download, file: string, from: number): Promise<Response> {
  const headers: Record<string, string> = {};
  if (d.token) headers.authorization = `Bearer ${d.token}`;
  if (from > 0) headers.range = `bytes=${from}-`;
  try {
    return await d.fetch(new URL(file, d.base).href, { headers });
  } catch (e) {
    throw new SourceError(
      `cannot reach ${d.endpoint} to download ${d.id} (${
        (e as Error).message
      }). Without network, copy the checkpoint ` +
        `to a directory (config.json, model.safetensors, tokenizer.json, tokenizer_config.json) and pass --model /path/to/that/dir`,
    );
  }
}

/** Refuses responses that are not the file; returns its total size (NaN if unknown), or undefined for a 404 of an optional file. */
async function checkResponse(res: Response, url: string, optional: boolean): Promise<number | undefined> {
  const refuse = async (why: string) => {
    await res.body?.cancel();
    throw new SourceError(`${url}: ${why}`);
  };
  if (res.status === 404 && optional) {
    await res.body?.cancel();
    return undefined;
  }
  if (res.status === 401 || res.status === 403) await refuse(`HTTP ${res.status}; the repo may be gated: set HF_TOKEN`);
  if (!res.ok || !res.body) await refuse(`HTTP ${res.status}`);
  if ((res.headers.get("content-type") ?? "").startsWith("text/html")) {
    await refuse("the server sent an HTML page, not the file (a login or error page?)");
  }
  return res.status === 206
    ? Number(res.headers.get("content-range")?.split("/")[1] ?? NaN)
    : Number(res.headers.get("content-length") ?? NaN);
}

/** Appends the body to `part` from `have` on; returns the bytes on disk, or throws the stream's error with them. */
async function appendBody(d: Download, file: string, res: Response, part: string, have: number, total: number) {
  using out = await Deno.open(part, { write: true, create: true, append: have > 0, truncate: have === 0 });
  const t0 = performance.now();
  let got = have, last = 0;
  try {
    for await (const chunk of res.body!) {
      for (let o = 0; o < chunk.length;) o += await out.write(chunk.subarray(o));
      got += chunk.length;
      const now = performance.now();
      if (now - last > 200) {
        last = now;
        d.onProgress?.({ file, got, total, rate: (got - have) / ((now - t0) / 1000), done: false });
      }
    }
  } catch (e) {
    return { got, error: e as Error, rate: 0 };
  }
  return { got, rate: (got - have) / Math.max(1e-3, (performance.now() - t0) / 1000) };
}

/** Downloads one file into the cache (resuming a `.part` file); false for an absent optional file. */
async function fetchFile(d: Download, file: string, optional: boolean): Promise<boolean> {
  const path = `${d.dir}/${file}`;
  if (await exists(path)) return true;
  const part = `${path}.part`;
  const url = new URL(file, d.base).href;
  let have = (await Deno.stat(part).catch(() => null))?.size ?? 0;
  for (let attempt = 0;; attempt++) {
    const res = await get(d, file, have);
    const total = await checkResponse(res, url, optional);
    if (total === undefined) return false;
    if (res.status !== 206) have = 0; // the server sent the whole file
    const r = await appendBody(d, file, res, part, have, total);
    const short = Number.isFinite(total) && r.got < total;
    if ((r.error || short) && attempt < RESUMES) {
      have = r.got; // resume with Range from what is on disk
      continue;
    }
    if (r.error) throw new SourceError(`${url}: the download failed after ${r.got} bytes: ${r.error.message}`);
    if (Number.isFinite(total) && r.got !== total) {
      throw new SourceError(`${url}: got ${r.got} bytes, expected ${total} (truncated download)`);
    }
    d.onProgress?.({ file, got: r.got, total, rate: r.rate, done: true });
    await Deno.rename(part, path);
    return true;
  }
}

/** The weight files: the shards an index lists, or model.safetensors. */
async function weightFiles(d: Download): Promise<string[]> {
  if (!await fetchFile(d, "model.safetensors.index.json", true)) return ["model.safetensors"];
  const idx = JSON.parse(await Deno.readTextFile(`${d.dir}/model.safetensors.index.json`));
  const shards = [...new Set(Object.values(idx.weight_map ?? {}) as string[])];
  for (const shard of shards) {
    if (!/^[\w.-]+$/.test(shard)) throw new SourceError(`bad shard name ${JSON.stringify(shard)} in the index`);
  }
  return shards;
}

/**
 * Downloads a hub repo's checkpoint files into the cache (skipping complete
 * ones) and returns the local directory.
 *
 * @param id Repo id, e.g. `tiiuae/Falcon-E-1B-Instruct`.
 * @param options Endpoint, revision, cache, token, progress.
 * @returns The directory holding the files.
 * @throws {SourceError} with a plain hint when the hub cannot be reached.
 */
export async function downloadRepo(id: string, options: HubOptions = {}): Promise<string> {
  const endpoint = hubEndpoint(options.endpoint);
  const revision = options.revision ?? "main";
  const d: Download = {
    id,
    endpoint,
    base: hubUrlBase(id, endpoint, revision),
    dir: `${options.cacheDir ?? defaultCache()}/${id.replace("/", "--")}/${revision}`,
    token: options.token ?? envVar("HF_TOKEN"),
    fetch: options.fetch ?? fetch,
    onProgress: options.onProgress,
  };
  await Deno.mkdir(d.dir, { recursive: true });
  for (const file of REQUIRED) await fetchFile(d, file, false);
  for (const file of OPTIONAL) await fetchFile(d, file, true);
  for (const file of await weightFiles(d)) await fetchFile(d, file, false);
  return d.dir;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
