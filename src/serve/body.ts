/**
 * Reading a JSON request body with a size limit.
 * @module
 */

import { HttpError } from "./openai/errors.ts";

/**
 * Reads at most `limit` bytes of the body and parses them as a JSON object.
 * @throws {HttpError} 413 when larger (Content-Length or actual bytes), 400 when not a JSON object.
 */
export async function readJsonBody(
  req: Request,
  limit: number,
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
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (req.body) {
    const reader = req.body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) bytes.set(c, at), at += c.length;
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
