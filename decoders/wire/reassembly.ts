// IPv4 and IPv6 fragment reassembly, bounded in memory and in (capture) time.
//
// Overlaps follow Wireshark's reassemble.c so our datagrams match tshark's: fragments are kept sorted by offset
// (a fragment with the same offset as an earlier one goes after it); the datagram is built in that order and each
// fragment only contributes bytes beyond what is already there. So the lowest offset wins, and between equal
// offsets the first to arrive wins. The first last-fragment (MF=0) fixes the length; bytes past it are dropped.
// The datagram completes on the frame carrying the last missing fragment; that entry is then forgotten, so a
// later duplicate starts a new (never completed) reassembly, as in tshark.

/** Limits; every one is enforced by evicting the oldest datagrams in progress. */
export interface ReassemblyOptions {
  /** Fragment bytes held across all datagrams in progress (default 16 MiB). */
  maxBytes?: number;
  /** Datagrams in progress (default 4096). */
  maxDatagrams?: number;
  /** Capture-time seconds after a datagram's first fragment before it is dropped unfinished (default 30). */
  timeoutSec?: number;
}

export interface ReassemblyStats {
  inProgress: number;
  bytesHeld: number;
  completed: number;
  /** Dropped to respect maxBytes / maxDatagrams. */
  evicted: number;
  /** Dropped by the timeout. */
  timedOut: number;
  /** Fragments refused: past the 64 KiB datagram limit, or bigger than maxBytes alone. */
  rejected: number;
}

export interface ReassembledDatagram {
  /** The IP payload of the whole datagram (the transport header is at offset 0). */
  data: Uint8Array;
  /** Frame numbers of the fragments in arrival order. */
  frames: number[];
  /** Some fragments overlapped. */
  overlap: boolean;
  /** Overlapping bytes differed, or two last fragments disagreed on the length. */
  conflict: boolean;
}

interface Fragment {
  offset: number;
  data: Uint8Array;
}

interface Pending {
  frags: Fragment[];
  frames: number[];
  /** -1 until the last fragment (MF=0) is seen. */
  totalLength: number;
  bytes: number;
  firstTime: number;
  conflict: boolean;
}

/** Largest IP datagram payload a fragment may reach (16-bit lengths). */
export const MAX_DATAGRAM = 65535;

export class IpReassembler {
  readonly maxBytes: number;
  readonly maxDatagrams: number;
  readonly timeoutSec: number;
  readonly stats: ReassemblyStats = { inProgress: 0, bytesHeld: 0, completed: 0, evicted: 0, timedOut: 0, rejected: 0 };
  // Map iteration order is insertion order: the first entry is the oldest datagram.
  private readonly pending = new Map<string, Pending>();

  constructor(opts: ReassemblyOptions = {}) {
    this.maxBytes = opts.maxBytes ?? 16 * 1024 * 1024;
    this.maxDatagrams = opts.maxDatagrams ?? 4096;
    this.timeoutSec = opts.timeoutSec ?? 30;
  }

  /** Builds the key tshark uses: addresses and id (plus the protocol for IPv4, as the kernel does). */
  static key(version: 4 | 6, src: string, dst: string, protocol: number, id: number): string {
    return version === 4 ? `4|${src}|${dst}|${protocol}|${id}` : `6|${src}|${dst}|${id}`;
  }

  /**
   * Adds the fragment data b[start..end) found at byte `offset` of datagram `key`. `more` is the MF flag, `time`
   * the capture time in seconds. Returns the datagram when this fragment completes it, else null.
   */
  add(key: string, offset: number, more: boolean, b: Uint8Array, start: number, end: number, time: number,
    frame: number): ReassembledDatagram | null {
    const len = end - start;
    this.expire(time);
    if (len < 0 || offset + len > MAX_DATAGRAM || len > this.maxBytes) {
      this.stats.rejected++;
      return null;
    }
    let d = this.pending.get(key);
    if (d === undefined) {
      while (this.pending.size >= this.maxDatagrams) this.evictOldest();
      d = { frags: [], frames: [], totalLength: -1, bytes: 0, firstTime: time, conflict: false };
      this.pending.set(key, d);
      this.stats.inProgress = this.pending.size;
    }
    while (this.stats.bytesHeld + len > this.maxBytes) {
      let victim: string | undefined;
      for (const k of this.pending.keys()) if (k !== key) { victim = k; break; }
      if (victim === undefined) { // this datagram alone would exceed the bound: give it up
        this.evict(key);
        this.stats.rejected++;
        return null;
      }
      this.evict(victim);
    }
    if (!more) {
      if (d.totalLength < 0) d.totalLength = offset + len;
      else if (d.totalLength !== offset + len) d.conflict = true;
    }
    // Copy: frame bytes are views into a reader buffer that will be reused.
    const frag: Fragment = { offset, data: b.slice(start, end) };
    let i = d.frags.length;
    while (i > 0 && d.frags[i - 1].offset > offset) i--;
    d.frags.splice(i, 0, frag);
    d.frames.push(frame);
    d.bytes += len;
    this.stats.bytesHeld += len;
    if (d.totalLength < 0) return null;
    let covered = 0;
    for (const f of d.frags) {
      if (f.offset <= covered && f.offset + f.data.length > covered) covered = f.offset + f.data.length;
    }
    if (covered < d.totalLength) return null;
    this.remove(key, d);
    this.stats.completed++;
    return assemble(d);
  }

  /** Drops datagrams whose first fragment is older than the timeout (capture time). */
  expire(now: number): void {
    for (const [k, d] of this.pending) {
      if (now - d.firstTime <= this.timeoutSec) break;
      this.remove(k, d);
      this.stats.timedOut++;
    }
  }

  /** Forgets everything in progress (a new capture). */
  clear(): void {
    this.pending.clear();
    this.stats.inProgress = 0;
    this.stats.bytesHeld = 0;
  }

  private evictOldest(): void {
    const k = this.pending.keys().next().value as string;
    this.evict(k);
  }

  private evict(k: string): void {
    const d = this.pending.get(k);
    if (d === undefined) return;
    this.remove(k, d);
    this.stats.evicted++;
  }

  private remove(k: string, d: Pending): void {
    this.pending.delete(k);
    this.stats.bytesHeld -= d.bytes;
    this.stats.inProgress = this.pending.size;
  }
}

function assemble(d: Pending): ReassembledDatagram {
  const total = d.totalLength;
  const data = new Uint8Array(total);
  let pos = 0;
  let overlap = false;
  let conflict = d.conflict;
  for (const f of d.frags) {
    const fEnd = Math.min(f.offset + f.data.length, total);
    if (f.offset >= total) { overlap = true; continue; } // past the end fixed by the last fragment
    if (f.offset < pos) {
      // Compare the part already written by lower-offset (or earlier equal-offset) fragments.
      overlap = true;
      const cmpEnd = Math.min(pos, fEnd);
      for (let j = f.offset; j < cmpEnd; j++) {
        if (data[j] !== f.data[j - f.offset]) { conflict = true; break; }
      }
    }
    if (fEnd > pos) {
      data.set(f.data.subarray(pos - f.offset, fEnd - f.offset), pos);
      pos = fEnd;
    }
  }
  return { data, frames: d.frames, overlap, conflict };
}
