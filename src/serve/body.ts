/**
 * Reading a JSON request body with a size limit and a deadline. The bytes
 * are copied into one buffer as they come (grown by doubling, never past the
 * limit): a body sent a byte at a time must not pin a runtime buffer per
 * byte (in Deno 2.9 each small chunk is a view into a 64 KiB one).
 * @module
 */

import { HttpError } from "./openai/errors.ts";

/** How long a body may take to arrive, by default. */
export const BODY_TIMEOUT_MS = 30_000;

/** The body's bytes, copied into one buffer; `tooLarge()` past `limit`, a 408 past the deadline. */
async function readCapped(
  req: Request,
  limit: number,
  timeoutMs: number,
  tooLarge: () => HttpError,
): Promise<Uint8Array> {
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  let buf = new Uint8Array(Math.min(limit, 16 * 1024));
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new HttpError(
          408,
          `The request body did not arrive within ${timeoutMs / 1000} s.`,
          "invalid_request_error",
          null,
          "request_timeout",
          { connection: "close" },
        ),
      );
    }, timeoutMs);
  });
  try {
    for (;;) {
      const { value, done } = await Promise.race([reader.read(), late]);
      if (done) break;
      if (size + value.length > limit) throw tooLarge();
      if (size + value.length > buf.length) {
        const grown = new Uint8Array(Math.min(limit, Math.max(buf.length * 2, size + value.length)));
        grown.set(buf.subarray(0, size));
        buf = grown;
      }
      buf.set(value, size); // a copy: the chunk's own buffer is not kept
      size += value.length;
    }
    return buf.subarray(0, size);
  } catch (e) {
    await reader.cancel().catch(() => {});
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads at most `limit` bytes of the body, within `timeoutMs`, and parses them as a JSON object.
 * @throws {HttpError} 413 when larger (Content-Length or actual bytes), 408 when it comes too slowly,
 *   400 when not a JSON object.
 */
export async function readJsonBody(
  req: Request,
  limit: number,
  timeoutMs: number = BODY_TIMEOUT_MS,
): Promise<Record<string, unknown>> {
  const tooLarge = () =>
    new HttpError(
      413,
      `The request body is larger than ${limit} bytes.`,
      "invalid_request_error",
      null,
      "request_too_large",
    );
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > limit) {
    await req.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  const type = req.headers.get("content-type") ?? "";
  if (type && !/^application\/json\b/i.test(type) && !/\+json\b/i.test(type)) {
    await req.body?.cancel().catch(() => {});
    throw new HttpError(
      400,
      `Content-Type must be application/json, got "${type}".`,
    );
  }
  const bytes = await readCapped(req, limit, timeoutMs, tooLarge);
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw new HttpError(
      400,
      `The request body is not valid JSON: ${(e as Error).message}`,
      "invalid_request_error",
      null,
      "invalid_json",
    );
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new HttpError(
      400,
      "The request body must be a JSON object.",
      "invalid_request_error",
      null,
      "invalid_json",
    );
  }
  return v as Record<string, unknown>;
}
