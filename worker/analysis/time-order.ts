/**
 * Fast deterministic ordering of records by (time, id).
 *
 * A comparator sort of a million indices costs over a second in V8, so the indices are first sorted
 * numerically on a packed key — floor((t − tMin) / resolution) × 2^bits + index, exact in a double —
 * and then only runs sharing a time bucket (usually a handful of messages in the same second) are re-sorted
 * with the full comparator (time, then id, then index). The result is exactly the comparator order, so it
 * does not depend on the order of the input array (except for records with identical time and id).
 */

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const MAX_SAFE = 2 ** 53;

/**
 * Sorts `indices` (each < 2^31) in place by times[i], then idOf(i), then i. `times` is indexed by the
 * values in `indices` and must hold finite numbers for them.
 */
export function sortByTimeThenId(
  indices: Int32Array,
  times: Float64Array,
  idOf: (i: number) => string,
): void {
  const n = indices.length;
  if (n < 2) return;
  const full = (a: number, b: number): number => {
    const x = times[a]!;
    const y = times[b]!;
    return x < y ? -1 : x > y ? 1 : compareStrings(idOf(a), idOf(b)) || a - b;
  };
  let tMin = Number.POSITIVE_INFINITY;
  let tMax = Number.NEGATIVE_INFINITY;
  let maxIndex = 0;
  for (let k = 0; k < n; k++) {
    const i = indices[k]!;
    const t = times[i]!;
    if (t < tMin) tMin = t;
    if (t > tMax) tMax = t;
    if (i > maxIndex) maxIndex = i;
  }
  const slots = 2 ** Math.ceil(Math.log2(maxIndex + 2));
  const buckets = Math.floor(MAX_SAFE / slots) - 1;
  const resolution = Math.max(1, Math.ceil((tMax - tMin + 1) / buckets));
  const keys = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const i = indices[k]!;
    keys[k] = Math.floor((times[i]! - tMin) / resolution) * slots + i;
  }
  keys.sort();
  for (let k = 0; k < n; k++) indices[k] = keys[k]! % slots;
  // Re-sort runs that share a bucket with the full comparator.
  let runStart = 0;
  let runBucket = Math.floor(keys[0]! / slots);
  for (let k = 1; k <= n; k++) {
    const bucket = k < n ? Math.floor(keys[k]! / slots) : Number.NaN;
    if (bucket === runBucket) continue;
    if (k - runStart > 1) indices.subarray(runStart, k).sort(full);
    runStart = k;
    runBucket = bucket;
  }
}
