/**
 * Index of the largest value (first one on ties), as torch.argmax.
 * @module
 */

/** Index of the largest value of `v` (the first on ties). */
export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}
