/**
 * The chat page's static files, served at /assets/<name> (and the icon at
 * /favicon.ico): marked and DOMPurify as ESM (vendored from npm by
 * tools/vendor.ts), and the page's icon. Kept as strings so they ship in
 * the JSR package and bundle into the Worker like any module.
 * @module
 */

import { HttpError } from "./openai/errors.ts";
import { MARKED_JS } from "./vendor/marked.ts";
import { PURIFY_JS } from "./vendor/purify.ts";

const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">` +
  `<rect width="64" height="64" rx="14" fill="#1f5f8b"/>` +
  `<path d="M14 44 L32 14 L50 44 Z" fill="none" stroke="#fff" stroke-width="5" stroke-linejoin="round"/>` +
  `<circle cx="32" cy="36" r="5" fill="#f6c343"/></svg>`;

/** Every asset by name: its content type and body. */
export const ASSETS: Readonly<Record<string, { type: string; body: string }>> = {
  "marked.js": { type: "text/javascript; charset=utf-8", body: MARKED_JS },
  "purify.js": { type: "text/javascript; charset=utf-8", body: PURIFY_JS },
  "favicon.svg": { type: "image/svg+xml", body: FAVICON },
};

/** The asset's response (cached for a day: the names change with the package), or a 404. */
export function assetResponse(name: string, headers: Record<string, string>): Response {
  const a = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (!a) throw new HttpError(404, "Unknown asset.", "invalid_request_error", null, "not_found");
  return new Response(a.body, {
    headers: { "content-type": a.type, "cache-control": "public, max-age=86400", ...headers },
  });
}
