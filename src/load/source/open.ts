/**
 * A source for a location given as a string: a directory path, or an
 * `http(s):` / `file:` URL base.
 * @module
 */

import { DirectorySource } from "./directory.ts";
import type { ModelSource } from "./types.ts";
import { UrlSource } from "./url.ts";

/** A source for a directory path, or an `http(s):`/`file:` URL base. */
export function openSource(location: string | URL, fetchImpl?: typeof fetch): ModelSource {
  const s = String(location);
  if (/^https?:\/\//i.test(s)) return new UrlSource(new URL(s), fetchImpl);
  if (/^file:\/\//i.test(s)) return new DirectorySource(decodeURIComponent(new URL(s).pathname));
  return new DirectorySource(s);
}

/**
 * The name a model at `location` is served under: a Hugging Face repo id as
 * it is (also inside a hub `.../<owner>/<name>/resolve/<rev>/` URL), else the
 * last path segment of a directory, URL or bucket prefix, without `.feimg`;
 * `"falcon-e"` when the location has no path (a bare host).
 */
export function modelIdOf(location: string): string {
  const hub = location.match(/^https?:\/\/[^/]+\/([\w.-]+\/[\w.-]+)\/resolve\/[^/]+\/?$/);
  if (hub) return hub[1];
  const path = /^(https?|file):\/\//i.test(location) ? decodeURIComponent(new URL(location).pathname) : location;
  const last = path.replace(/^r2:/, "").replace(/\/+$/, "").split("/").pop() ?? "";
  return last.replace(/\.feimg$/, "") || "falcon-e";
}
