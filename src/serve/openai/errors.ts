/**
 * Errors in the OpenAI shape: `{"error": {"message", "type", "param", "code"}}`.
 * @module
 */

/** An error that becomes an HTTP response with the OpenAI error body. */
export class HttpError extends Error {
  /** Always `"HttpError"`. */
  override name = "HttpError";
  /**
   * @param status HTTP status.
   * @param message Shown to the client.
   * @param type OpenAI error type, e.g. `invalid_request_error`.
   * @param param The request field at fault, if any.
   * @param code A machine-readable code, e.g. `context_length_exceeded`.
   * @param headers Extra response headers (`Retry-After`, `Allow`).
   */
  constructor(
    readonly status: number,
    message: string,
    readonly type = "invalid_request_error",
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A 400 for a request field. */
export function badParam(
  param: string,
  message: string,
  code: string | null = "invalid_value",
): HttpError {
  return new HttpError(400, message, "invalid_request_error", param, code);
}

/** A JSON response. */
export function json(
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** Longest error message sent (a message built from a client's field never echoes all of it). */
const MAX_MESSAGE = 1000;

/** The response for an HttpError. */
export function errorResponse(e: HttpError): Response {
  const message = e.message.length > MAX_MESSAGE ? `${e.message.slice(0, MAX_MESSAGE)}...` : e.message;
  const param = e.param !== null && e.param.length > 200 ? `${e.param.slice(0, 200)}...` : e.param;
  return json(
    {
      error: { message, type: e.type, param, code: e.code },
    },
    e.status,
    e.headers,
  );
}

/** A 500 that says nothing of the internals (the error is logged instead). */
export function internalError(e: unknown): Response {
  console.error("internal error:", e);
  return errorResponse(
    new HttpError(
      500,
      "The server had an error while processing your request.",
      "server_error",
      null,
      "internal_error",
    ),
  );
}
