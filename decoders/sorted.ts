// Binary searches over the ascending typed-array columns the model keeps (events by frame, sparse rows by row).

/** Index of the first element of the ascending a[0..n) that is >= v (n when none). */
export function lowerBound(a: ArrayLike<number>, n: number, v: number): number {
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < v) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** Index of v in the ascending a[0..n), or -1. */
export function indexOfSorted(a: ArrayLike<number>, n: number, v: number): number {
  const i = lowerBound(a, n, v);
  return i < n && a[i] === v ? i : -1;
}
