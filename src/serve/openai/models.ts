/**
 * `GET /v1/models` and `GET /v1/models/{id}`: the one model this server has.
 * @module
 */

import { HttpError, json } from "./errors.ts";

/** The OpenAI model object for `id`. */
export function modelObject(id: string): Record<string, unknown> {
  return { id, object: "model", created: 0, owned_by: "falcon-e-edge" };
}

/** The model list. */
export function listModels(id: string, headers: Record<string, string>): Response {
  return json({ object: "list", data: [modelObject(id)] }, 200, headers);
}

/**
 * The model named by the path segment `encoded` (percent-encoded), if it is this one.
 * @throws {HttpError} 404 `model_not_found` otherwise, including for malformed percent-encoding.
 */
export function getModel(encoded: string, id: string | undefined, headers: Record<string, string>): Response {
  let name: string;
  try {
    name = decodeURIComponent(encoded);
  } catch {
    name = encoded;
  }
  if (id !== undefined && name === id) return json(modelObject(id), 200, headers);
  const shown = name.length > 200 ? `${name.slice(0, 200)}...` : name;
  throw new HttpError(404, `The model '${shown}' does not exist.`, "invalid_request_error", "model", "model_not_found");
}
