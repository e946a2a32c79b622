// Helpers for the typed-array columns the model keeps: growing them and searching the ascending ones (events by
// frame, sparse rows by row).

type Column = Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array;

/** A new column of `cap` elements holding the first `keep` elements of `a` (to grow, or to give back room). */
export function resized<T extends Column>(a: T, cap: number, keep = a.length): T {
  const b = new (a.constructor as new (n: number) => T)(cap);
  b.set(a.subarray(0, Math.min(keep, cap)) as never);
  return b;
}

/** `a` itself when it holds `need` elements, else a copy doubled (from at least `min`) until it does. */
export function grown<T extends Column>(a: T, need: number, min = 1024): T {
  if (need <= a.length) return a;
  let cap = Math.max(min, a.length * 2);
  while (cap < need) cap *= 2;
  return resized(a, cap);
}

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
