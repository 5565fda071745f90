/**
 * Hugging Face repo ids (`tiiuae/Falcon-E-1B-Instruct`): resolved to
 * `<endpoint>/<id>/resolve/<revision>/<file>`, downloaded once into a local
 * cache with a progress bar, resumed with Range after an interruption.
 * @module
 */

import { envVar } from "../../engine/env.ts";
import { SourceError } from "./source.ts";

/** Default hub. Overridden by `--hub-endpoint` or `HF_ENDPOINT`. */
export const DEFAULT_ENDPOINT = "https://huggingface.co";

/** Files a Falcon-E checkpoint needs (the optional ones may be absent). */
const REQUIRED = ["config.json", "tokenizer.json", "tokenizer_config.json"];
const OPTIONAL = ["generation_config.json"];

/** The hub in use: the given one, else `HF_ENDPOINT`, else the default; no trailing slash. */
function hubEndpoint(endpoint?: string): string {
  return (endpoint ?? envVar("HF_ENDPOINT") ?? DEFAULT_ENDPOINT).replace(/\/+$/, "");
}

/** The URL base a repo's files are read from: `<endpoint>/<id>/resolve/<revision>/`. */
export function hubUrlBase(
  id: string,
  endpoint?: string,
  revision = "main",
): URL {
  return new URL(`${hubEndpoint(endpoint)}/${id}/resolve/${revision}/`);
}

/** Whether `s` looks like a hub repo id (`owner/name`) rather than a path or URL. */
export function isRepoId(s: string): boolean {
  return /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/.test(s) && !s.startsWith(".") &&
    !s.includes("..");
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
  /** Progress output (default stderr); `null` for silence. */
  progress?: ((line: string, done: boolean) => void) | null;
  /** fetch to use. */
  fetch?: typeof fetch;
}

function defaultCache(): string {
  const base = envVar("XDG_CACHE_HOME") ?? `${envVar("HOME") ?? "."}/.cache`;
  return `${base}/falcon-e-edge`;
}

function stderrProgress(line: string, done: boolean): void {
  const enc = new TextEncoder();
  Deno.stderr.writeSync(enc.encode(`\r${line.padEnd(78)}${done ? "\n" : ""}`));
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
export async function downloadRepo(
  id: string,
  options: HubOptions = {},
): Promise<string> {
  const endpoint = hubEndpoint(options.endpoint);
  const revision = options.revision ?? "main";
  const base = hubUrlBase(id, endpoint, revision);
  const dir = `${options.cacheDir ?? defaultCache()}/${id.replace("/", "--")}/${revision}`;
  const token = options.token ?? envVar("HF_TOKEN");
  const f = options.fetch ?? fetch;
  const progress = options.progress === undefined ? stderrProgress : options.progress;
  await Deno.mkdir(dir, { recursive: true });
  const url = (file: string) => new URL(file, base).href;
  const get = async (
    file: string,
    headers: Record<string, string> = {},
  ): Promise<Response> => {
    try {
      return await f(url(file), {
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
      });
    } catch (e) {
      throw new SourceError(
        `cannot reach ${endpoint} to download ${id} (${(e as Error).message}). Without network, copy the checkpoint ` +
          `to a directory (config.json, model.safetensors, tokenizer.json, tokenizer_config.json) and pass --model /path/to/that/dir`,
      );
    }
  };
  const fetchFile = async (
    file: string,
    optional: boolean,
  ): Promise<boolean> => {
    const path = `${dir}/${file}`;
    if (await exists(path)) return true;
    const part = `${path}.part`;
    let have = (await Deno.stat(part).catch(() => null))?.size ?? 0;
    for (let attempt = 0;; attempt++) {
      const res = await get(file, have > 0 ? { range: `bytes=${have}-` } : {});
      if (res.status === 404 && optional) {
        await res.body?.cancel();
        return false;
      }
      if (res.status === 401 || res.status === 403) {
        await res.body?.cancel();
        throw new SourceError(
          `${url(file)}: HTTP ${res.status}; the repo may be gated: set HF_TOKEN`,
        );
      }
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        throw new SourceError(`${url(file)}: HTTP ${res.status}`);
      }
      if (res.status !== 206) have = 0; // the server sent the whole file
      const total = res.status === 206
        ? Number(res.headers.get("content-range")?.split("/")[1] ?? NaN)
        : Number(res.headers.get("content-length") ?? NaN);
      const type = res.headers.get("content-type") ?? "";
      if (type.startsWith("text/html")) {
        await res.body.cancel();
        throw new SourceError(
          `${url(file)}: the server sent an HTML page, not the file (a login or error page?)`,
        );
      }
      using out = await Deno.open(part, {
        write: true,
        create: true,
        append: have > 0,
        truncate: have === 0,
      });
      const t0 = performance.now();
      let got = have;
      let last = 0;
      try {
        for await (const chunk of res.body) {
          for (let o = 0; o < chunk.length;) {
            o += await out.write(chunk.subarray(o));
          }
          got += chunk.length;
          const now = performance.now();
          if (progress && now - last > 200) {
            last = now;
            progress(
              bar(file, got, total, (got - have) / ((now - t0) / 1000)),
              false,
            );
          }
        }
      } catch (e) {
        have = got;
        if (attempt < 5) continue; // resume with Range from what is on disk
        throw new SourceError(
          `${url(file)}: the download failed after ${got} bytes: ${(e as Error).message}`,
        );
      }
      if (Number.isFinite(total) && got !== total) {
        have = got;
        if (got < total && attempt < 5) continue;
        throw new SourceError(
          `${url(file)}: got ${got} bytes, expected ${total} (truncated download)`,
        );
      }
      progress?.(
        bar(
          file,
          got,
          total,
          (got - have) / Math.max(1e-3, (performance.now() - t0) / 1000),
        ),
        true,
      );
      await Deno.rename(part, path);
      return true;
    }
  };
  for (const file of REQUIRED) await fetchFile(file, false);
  for (const file of OPTIONAL) await fetchFile(file, true);
  if (await fetchFile("model.safetensors.index.json", true)) {
    const idx = JSON.parse(
      await Deno.readTextFile(`${dir}/model.safetensors.index.json`),
    );
    for (
      const shard of new Set(Object.values(idx.weight_map ?? {}) as string[])
    ) {
      if (!/^[\w.-]+$/.test(shard)) {
        throw new SourceError(
          `bad shard name ${JSON.stringify(shard)} in the index`,
        );
      }
      await fetchFile(shard, false);
    }
  } else {
    await fetchFile("model.safetensors", false);
  }
  return dir;
}

function bar(file: string, got: number, total: number, rate: number): string {
  const mb = (n: number) => (n / 1e6).toFixed(1);
  if (!Number.isFinite(total) || total <= 0) {
    return `${file} ${mb(got)} MB ${mb(rate)} MB/s`;
  }
  const frac = Math.min(1, got / total);
  const width = 20;
  const fill = Math.round(frac * width);
  return `${file} [${"#".repeat(fill)}${".".repeat(width - fill)}] ${(frac * 100).toFixed(0)}% ${mb(got)}/${
    mb(total)
  } MB ${mb(rate)} MB/s`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
