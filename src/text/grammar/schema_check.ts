/**
 * Which JSON Schema keywords the grammar library enforces, so that a strict
 * request (`response_format.json_schema.strict`, a tool's `strict`) is
 * refused with the keyword named instead of being silently loosened. The
 * lists follow XGrammar 0.1.27's JSON schema converter: what it turns into
 * grammar rules, what it reads as annotations, and what it warns it ignores
 * (`not`, `if`/`then`/`else`, `dependentRequired`, `dependentSchemas`,
 * `uniqueItems`, `contains`, `minContains`, `maxContains`, `multipleOf` on
 * numbers, `allOf` with more than one schema, `oneOf` whose branches may
 * overlap). This is a check of keyword names, not a schema compiler.
 * @module
 */

/** Keywords that carry no constraint (documentation, identifiers). */
const ANNOTATIONS = new Set([
  "title",
  "description",
  "default",
  "examples",
  "deprecated",
  "readOnly",
  "writeOnly",
  "$comment",
  "$schema",
  "$id",
  "$anchor",
]);

/** Keywords turned into grammar rules. */
const ENFORCED = new Set([
  "type",
  "enum",
  "const",
  "$ref",
  "$defs",
  "definitions",
  "anyOf",
  "oneOf",
  "allOf",
  // objects
  "properties",
  "required",
  "additionalProperties",
  "patternProperties",
  "propertyNames",
  "minProperties",
  "maxProperties",
  "unevaluatedProperties",
  // arrays
  "items",
  "prefixItems",
  "minItems",
  "maxItems",
  "unevaluatedItems",
  // strings
  "minLength",
  "maxLength",
  "pattern",
  "format",
  // numbers
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
]);

/** `format` values enforced as patterns. */
const FORMATS = new Set([
  "email",
  "date",
  "time",
  "date-time",
  "duration",
  "ipv4",
  "ipv6",
  "hostname",
  "uuid",
  "uri",
  "uri-reference",
  "uri-template",
  "json-pointer",
  "relative-json-pointer",
]);

/** Keywords whose value is one schema, a list of schemas, or a map of names to schemas. */
const ONE = ["additionalProperties", "unevaluatedProperties", "propertyNames", "unevaluatedItems", "items"];
const LIST = ["anyOf", "oneOf", "allOf", "prefixItems"];
const MAP = ["properties", "patternProperties", "$defs", "definitions"];

/** One keyword the engine would not enforce, and where it is (a JSON pointer into the schema). */
export interface UnsupportedKeyword {
  keyword: string;
  path: string;
}

const pointer = (path: string, key: string) => `${path}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;

/**
 * The keywords of `schema` that would not be enforced, depth first, at most `max`.
 * @param schema A JSON schema (object or boolean).
 */
export function unsupportedKeywords(schema: unknown, max = 20): UnsupportedKeyword[] {
  const out: UnsupportedKeyword[] = [];
  const visit = (s: unknown, path: string) => {
    if (out.length >= max || typeof s !== "object" || s === null || Array.isArray(s)) return;
    const obj = s as Record<string, unknown>;
    for (const [key, value] of Object.entries(obj)) {
      if (ANNOTATIONS.has(key)) continue;
      if (!ENFORCED.has(key)) out.push({ keyword: key, path: path || "/" });
      else if (key === "format" && typeof value === "string" && !FORMATS.has(value)) {
        out.push({ keyword: `format: ${value}`, path: path || "/" });
      } else if (key === "multipleOf" && !isIntegerOnly(obj)) {
        out.push({ keyword: "multipleOf (on a non-integer type)", path: path || "/" });
      } else if (key === "allOf" && Array.isArray(value) && value.length > 1) {
        out.push({ keyword: "allOf (with more than one schema)", path: path || "/" });
      }
    }
    for (const k of ONE) if (k in obj) visit(obj[k], pointer(path, k));
    for (const k of LIST) {
      if (Array.isArray(obj[k])) {
        (obj[k] as unknown[]).forEach((x, i) => visit(x, pointer(pointer(path, k), String(i))));
      }
    }
    for (const k of MAP) {
      const m = obj[k];
      if (typeof m === "object" && m !== null && !Array.isArray(m)) {
        for (const [name, x] of Object.entries(m)) visit(x, pointer(pointer(path, k), name));
      }
    }
  };
  visit(schema, "");
  return out.slice(0, max);
}

function isIntegerOnly(obj: Record<string, unknown>): boolean {
  return obj.type === "integer";
}

/** "`uniqueItems` at /properties/tags, `not` at /" for a message. */
export function describeKeywords(list: UnsupportedKeyword[]): string {
  return list.map((k) => `'${k.keyword}' at ${k.path}`).join(", ");
}
