/**
 * Option objects checked by name: a misspelled option (`contextLenght`) is
 * an error that names it, never silently ignored.
 * @module
 */

/** The option names of `EngineOptions`. */
export const ENGINE_OPTIONS: readonly string[] = [
  "contextLength",
  "maxSessions",
  "kvCache",
  "lmHead",
  "blockSize",
  "maxMemoryBytes",
  "kernels",
  "ternaryTiles",
  "threads",
];

/**
 * Throws a TypeError naming every key of `options` that is not in `known`
 * (keys whose value is undefined are allowed, as TypeScript treats them).
 * @param options The options object given.
 * @param known The option names that exist.
 * @param where What the options are for, e.g. `"loadModel"`.
 */
export function checkOptionNames(options: object | undefined, known: readonly string[], where: string): void {
  if (options === undefined || options === null) return;
  if (typeof options !== "object") throw new TypeError(`${where}: options must be an object, got ${typeof options}`);
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length === 0) return;
  const near = (k: string) => known.find((n) => n.toLowerCase() === k.toLowerCase() || distance(n, k) <= 2);
  const named = unknown.map((k) => (near(k) ? `"${k}" (did you mean "${near(k)}"?)` : `"${k}"`));
  throw new TypeError(
    `${where}: unknown option${unknown.length > 1 ? "s" : ""} ${named.join(", ")}; known: ${known.join(", ")}`,
  );
}

/** Edit distance of two short strings (insertions, deletions, substitutions, adjacent swaps). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}
