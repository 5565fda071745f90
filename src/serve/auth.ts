/**
 * Bearer-token authorization for the API routes, compared in constant time.
 * @module
 */

import { HttpError } from "./openai/errors.ts";

/** Compares two strings in time that depends only on their lengths. */
export function timingSafeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a), y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/**
 * Passes when no key is configured or the request carries it as
 * `Authorization: Bearer <key>`.
 * @throws {HttpError} 401 `invalid_api_key` with `WWW-Authenticate: Bearer`.
 */
export function authorize(req: Request, apiKey: string | undefined): void {
  if (!apiKey) return;
  const m = req.headers.get("authorization")?.match(/^Bearer\s+(.+)$/i);
  if (m && timingSafeEqual(m[1].trim(), apiKey)) return;
  throw new HttpError(
    401,
    "Incorrect API key provided. Send it as 'Authorization: Bearer <key>'.",
    "invalid_request_error",
    null,
    "invalid_api_key",
    { "www-authenticate": "Bearer" },
  );
}
