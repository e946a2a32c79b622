// Drives a RecordParser over chunks: whole records are parsed straight out of each chunk (zero copy); only the bytes
// of a record cut by a chunk boundary are carried over, so memory stays bounded by the largest record.
import type { RawFrame } from './frame';
import type { RecordParser } from './capture-info';

/** Bytes handed at once to a parser that is scanning damaged data (instead of byte by byte through the carry). */
const GREEDY_TAKE = 65536;

export class ChunkFeeder {
  private carry = new Uint8Array(0);
  private carryLen = 0;
  /** Stream offset of carry[0]. */
  private carryBase = 0;
  /** Stream offset of the next chunk's first byte. */
  private streamPos = 0;

  constructor(private readonly parser: RecordParser) {}

  /** Bytes held over from earlier chunks (part of one unfinished record). */
  get carried(): number {
    return this.carryLen;
  }

  /** Bytes seen so far. */
  get position(): number {
    return this.streamPos;
  }

  push(chunk: Uint8Array, out: RawFrame[]): void {
    const p = this.parser;
    const n = chunk.length;
    const chunkBase = this.streamPos;
    this.streamPos += n;
    if (p.stopped) return;
    let pos = 0;
    // First complete the record started in an earlier chunk, taking only the bytes it needs.
    while (this.carryLen > 0 && pos < n) {
      const want = p.greedy ? Math.max(p.need - this.carryLen, GREEDY_TAKE) : p.need - this.carryLen;
      const take = Math.min(Math.max(want, 1), n - pos);
      this.append(chunk, pos, take);
      pos += take;
      if (this.carryLen < p.need) break;
      const used = p.parse(this.carry, 0, this.carryLen, this.carryBase, true, out);
      if (p.stopped) { this.carryLen = 0; return; }
      this.consumeCarry(used);
    }
    if (this.carryLen > 0 || pos === n) return;
    const used = p.parse(chunk, pos, n, chunkBase, false, out);
    if (p.stopped || used === n) return;
    this.carryBase = chunkBase + used;
    this.carryLen = 0;
    this.append(chunk, used, n - used);
  }

  end(out: RawFrame[]): void {
    const p = this.parser;
    if (p.stopped) return;
    p.finish(this.carry, 0, this.carryLen, this.carryBase, out);
    this.carryLen = 0;
    this.carry = new Uint8Array(0);
  }

  private append(src: Uint8Array, from: number, count: number): void {
    const needed = this.carryLen + count;
    if (needed > this.carry.length) {
      const grown = new Uint8Array(Math.max(needed, this.parser.need, Math.min(this.carry.length * 2, 1 << 20), 256));
      grown.set(this.carry.subarray(0, this.carryLen));
      this.carry = grown;
    }
    this.carry.set(src.subarray(from, from + count), this.carryLen);
    this.carryLen = needed;
  }

  private consumeCarry(used: number): void {
    if (used === 0) return;
    // Frames parsed from the carry were copied out of it, so it can be overwritten.
    this.carry.copyWithin(0, used, this.carryLen);
    this.carryLen -= used;
    this.carryBase += used;
  }
}
