// The bytes one side of a TCP connection has yet to send: explicit messages and runs of opaque (random) bytes,
// pulled out segment by segment so that big responses are never built in memory.
import type { RandomPool } from './prng';

/** A run of opaque bytes: pool bytes from `base`, so that re-reading (a probe, a retransmission) gives the same. */
interface OpaqueRun { length: number; base: number }

export class ByteStream {
  private readonly chunks: (Uint8Array | OpaqueRun)[] = [];
  private head = 0;
  private offset = 0;
  remaining = 0;

  constructor(private readonly pool: RandomPool) {}

  /** Appends explicit bytes, or a count of opaque bytes. */
  push(chunk: Uint8Array | number): void {
    const c = typeof chunk === 'number' ? { length: chunk, base: this.pool.base() } : chunk;
    if (c.length === 0) return;
    this.chunks.push(c);
    this.remaining += c.length;
  }

  /** Copies the next n bytes (n <= remaining) to out at `at`; consumes them unless peeking. */
  take(n: number, out: Uint8Array, at: number, peek = false): void {
    let head = this.head, offset = this.offset, left = n;
    while (left > 0) {
      const c = this.chunks[head];
      const k = Math.min(left, c.length - offset);
      if (c instanceof Uint8Array) out.set(c.subarray(offset, offset + k), at);
      else this.pool.copyAt(out, at, c.base + offset, k);
      at += k;
      left -= k;
      offset += k;
      if (offset === c.length) { head++; offset = 0; }
    }
    if (peek) return;
    this.remaining -= n;
    if (head > 64) { this.chunks.splice(0, head); head = 0; } // keep the array short
    this.head = head;
    this.offset = offset;
  }
}
