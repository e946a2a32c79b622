// Reassembles one direction's CRYPTO stream at one encryption level (RFC 9000 §19.6): frames arrive by offset,
// possibly out of order, split over packets and datagrams, or retransmitted. Contiguous bytes are cut into TLS
// handshake messages (type, 24-bit length, body). Memory is bounded: data beyond `maxBytes` past the delivered
// point is dropped and reported.

export interface HandshakeMessage {
  type: number;
  /** Message body, after the 4-byte header. */
  body: Uint8Array;
}

/** At most this many bytes wait (out of order, or a message in progress) per stream. */
export const CRYPTO_STREAM_CAP = 256 * 1024;

export class CryptoStream {
  /** Offset of the first byte not yet delivered to `pending`. */
  private delivered = 0;
  /** Contiguous bytes delivered but not yet forming a whole handshake message. */
  private pending: Uint8Array = new Uint8Array(0);
  /** Out-of-order fragments by offset (each starts after `delivered`). */
  private readonly gaps = new Map<number, Uint8Array>();
  private gapBytes = 0;
  /** Set once data had to be dropped (cap reached or a message too large to hold). */
  overflowed = false;

  constructor(private readonly maxBytes = CRYPTO_STREAM_CAP) {}

  /** Stream offset up to which data has been received contiguously. */
  get deliveredOffset(): number {
    return this.delivered;
  }

  /** Bytes held right now (for memory accounting). */
  get heldBytes(): number {
    return this.pending.length + this.gapBytes;
  }

  /** Adds a CRYPTO frame's data; returns the handshake messages this completed (usually none or one). */
  add(offset: number, data: Uint8Array): HandshakeMessage[] {
    if (this.overflowed || data.length === 0) return [];
    let start = offset, bytes = data;
    const end = offset + data.length;
    if (end <= this.delivered) return []; // retransmission of data already delivered
    if (start < this.delivered) {
      bytes = bytes.subarray(this.delivered - start);
      start = this.delivered;
    }
    if (start > this.delivered) {
      if (end - this.delivered > this.maxBytes || this.gapBytes + bytes.length > this.maxBytes) {
        this.overflow();
        return [];
      }
      const old = this.gaps.get(start);
      if (!old || old.length < bytes.length) {
        this.gapBytes += bytes.length - (old?.length ?? 0);
        this.gaps.set(start, bytes.slice());
      }
      return [];
    }
    this.append(bytes);
    this.drainGaps();
    return this.cutMessages();
  }

  private append(bytes: Uint8Array): void {
    if (this.pending.length + bytes.length > this.maxBytes) {
      this.overflow();
      return;
    }
    const next = new Uint8Array(this.pending.length + bytes.length);
    next.set(this.pending, 0);
    next.set(bytes, this.pending.length);
    this.pending = next;
    this.delivered += bytes.length;
  }

  /** Moves fragments that now touch the delivered point into `pending`. */
  private drainGaps(): void {
    let moved = true;
    while (moved && this.gaps.size > 0 && !this.overflowed) {
      moved = false;
      for (const [off, frag] of this.gaps) {
        if (off > this.delivered) continue;
        this.gaps.delete(off);
        this.gapBytes -= frag.length;
        const fragEnd = off + frag.length;
        if (fragEnd > this.delivered) this.append(frag.subarray(this.delivered - off));
        moved = true;
      }
    }
  }

  private cutMessages(): HandshakeMessage[] {
    const out: HandshakeMessage[] = [];
    let p = 0;
    const b = this.pending;
    while (b.length - p >= 4) {
      const len = (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
      if (len > this.maxBytes) { this.overflow(); return out; }
      if (b.length - p - 4 < len) break;
      out.push({ type: b[p], body: b.slice(p + 4, p + 4 + len) });
      p += 4 + len;
    }
    if (p > 0) this.pending = b.slice(p);
    return out;
  }

  private overflow(): void {
    this.overflowed = true;
    this.pending = new Uint8Array(0);
    this.gaps.clear();
    this.gapBytes = 0;
  }

  /** Frees everything (the level's keys were discarded or the connection is gone). */
  release(): void {
    this.pending = new Uint8Array(0);
    this.gaps.clear();
    this.gapBytes = 0;
  }
}
