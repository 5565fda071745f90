/**
 * CORS: allowed origins echoed on responses, preflight requests answered.
 * @module
 */

/** Which origins may call the API: a list, or `"*"` for any. */
export interface CorsOptions {
  /** Allowed origins (`"*"` for any). */
  origins: string[] | "*";
}

/** The CORS headers for a request's origin (none when CORS is off or the origin is not allowed). */
export function corsHeaders(req: Request, cors: CorsOptions | undefined): Record<string, string> {
  const origin = req.headers.get("origin");
  if (!cors || !origin) return {};
  if (cors.origins !== "*" && !cors.origins.includes(origin)) return {};
  return { "access-control-allow-origin": cors.origins === "*" ? "*" : origin, vary: "origin" };
}

/** The answer to a preflight `OPTIONS` request. */
export function preflight(headers: Record<string, string>): Response {
  return new Response(null, {
    status: 204,
    headers: {
      ...headers,
      "access-control-allow-methods": "GET, POST, OPTIONS",
      "access-control-allow-headers": "authorization, content-type",
      "access-control-max-age": "86400",
    },
  });
}
