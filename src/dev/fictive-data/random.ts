/**
 * Deterministic pseudo-random numbers (mulberry32): the same seed gives the same sequence on every machine, so that
 * demo data and generated benchmark data are reproducible. Not for anything secret.
 */
export function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Picks among items with cumulative weights (ascending, last = total) by binary search. */
export function pickWeighted<T>(items: readonly T[], cumulative: Float64Array, random: () => number): T {
  const target = random() * (cumulative[cumulative.length - 1] as number);
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((cumulative[middle] as number) > target) high = middle;
    else low = middle + 1;
  }
  return items[low] as T;
}

/** Running sums of the weights, for pickWeighted. */
export function cumulativeWeights(weights: readonly number[]): Float64Array {
  const sums = new Float64Array(weights.length);
  let total = 0;
  weights.forEach((weight, index) => {
    total += weight;
    sums[index] = total;
  });
  return sums;
}
