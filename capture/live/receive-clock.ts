// Wall-clock timestamps with sub-microsecond resolution, for sources that do not deliver the kernel's timestamp
// (cap 0.2.1 passes only the packet bytes). Anchored once to performance.timeOrigin; pure (globalThis.performance).

export interface Timestamp {
  sec: number;
  nsec: number;
}

export class ReceiveClock {
  private readonly baseSec: number;
  private readonly baseFracMs: number;

  constructor(private readonly perf: { timeOrigin: number; now(): number } = performance) {
    // Split the origin so the per-call arithmetic works on small numbers (a double of epoch milliseconds has only
    // ~0.2 µs of precision left).
    this.baseSec = Math.floor(perf.timeOrigin / 1000);
    this.baseFracMs = perf.timeOrigin - this.baseSec * 1000;
  }

  /** Now, as whole seconds and nanoseconds since the Unix epoch. */
  now(out: Timestamp = { sec: 0, nsec: 0 }): Timestamp {
    const ms = this.baseFracMs + this.perf.now();
    const wholeSec = Math.floor(ms / 1000);
    let nsec = Math.round((ms - wholeSec * 1000) * 1e6);
    let sec = this.baseSec + wholeSec;
    if (nsec >= 1e9) { sec++; nsec -= 1e9; }
    out.sec = sec;
    out.nsec = nsec;
    return out;
  }
}
