/**
 * Selection over logits without sorting the vocabulary: the top k ids (a
 * heap), and the k-th largest value (a partition), for the samplers' top-k,
 * top-p and min-p truncation and for top logprobs.
 * @module
 */

/** `a` ranks above `b`: larger value, then smaller id (so ties go to the lowest id, like argmax). */
function above(x: Float32Array, a: number, b: number): boolean {
  return x[a] > x[b] || (x[a] === x[b] && a < b);
}

/**
 * The `k` highest-ranked ids of `x`, best first, with a size-k min-heap: O(V log k).
 * @param x Values.
 * @param k How many (<= x.length).
 * @returns The ids.
 */
export function topIds(x: Float32Array, k: number): Int32Array {
  const heap = new Int32Array(k);
  let n = 0;
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let w = i;
      if (l < n && above(x, heap[w], heap[l])) w = l;
      if (r < n && above(x, heap[w], heap[r])) w = r;
      if (w === i) return;
      [heap[i], heap[w]] = [heap[w], heap[i]];
      i = w;
    }
  };
  for (let id = 0; id < x.length; id++) {
    if (n < k) {
      let i = n++;
      heap[i] = id;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!above(x, heap[p], heap[i])) break;
        [heap[i], heap[p]] = [heap[p], heap[i]];
        i = p;
      }
    } else if (above(x, id, heap[0])) {
      heap[0] = id;
      down(0);
    }
  }
  return heap.sort((a, b) => (above(x, a, b) ? -1 : 1));
}

/**
 * The k-th largest of `e`: a size-k min-heap (in `tmp`) for small k, where
 * nearly every value fails the one comparison with the heap's root; else
 * {@linkcode selectFloor}.
 */
export function kthLargest(e: Float64Array, k: number, tmp: Float64Array): number {
  if (k > 256) {
    tmp.set(e);
    return selectFloor(tmp, e.length, k, false);
  }
  const h = tmp.subarray(0, k);
  for (let i = 0; i < k; i++) h[i] = e[i];
  h.sort();
  for (let i = k; i < e.length; i++) {
    const v = e[i];
    if (v <= h[0]) continue;
    let j = 0; // sift v down from the root
    for (;;) {
      const l = 2 * j + 1, r = l + 1;
      let c = l;
      if (l >= k) break;
      if (r < k && h[r] < h[l]) c = r;
      if (h[c] >= v) break;
      h[j] = h[c];
      j = c;
    }
    h[j] = v;
  }
  return h[0];
}

/**
 * The largest threshold `t` such that the values `>= t` among `v[0, len)`
 * weigh at least `need` (weight = the value itself, or 1 each when not
 * `weighted`): the top-p cut or the k-th largest value. A quickselect with
 * a three-way partition, expected O(len); it reorders `v`.
 */
export function selectFloor(
  v: Float64Array,
  len: number,
  need: number,
  weighted: boolean,
): number {
  let lo = 0, hi = len;
  for (;;) {
    const pivot = v[lo + ((hi - lo) >> 1)];
    // [lo, gt) > pivot, [gt, i) == pivot, [lt, hi) < pivot
    let gt = lo, i = lo, lt = hi, wGt = 0, wEq = 0;
    while (i < lt) {
      const a = v[i];
      if (a > pivot) {
        v[i++] = v[gt];
        v[gt++] = a;
        wGt += weighted ? a : 1;
      } else if (a < pivot) {
        v[i] = v[--lt];
        v[lt] = a;
      } else {
        i++;
        wEq += weighted ? a : 1;
      }
    }
    if (wGt >= need && gt > lo) {
      hi = gt;
    } else if (wGt + wEq >= need || lt >= hi) {
      return pivot;
    } else {
      need -= wGt + wEq;
      lo = lt;
    }
  }
}
