// The TLS record layer over one direction of a reassembled TCP stream: cuts the bytes into records (RFC 5246 §6.2,
// RFC 8446 §5.1), whatever the segment boundaries, and recognises an SSLv2-format ClientHello at the start.
// Memory: at most one incomplete record is buffered (records are ≤ 2^14 + 2048 bytes).

export const ContentType = { CHANGE_CIPHER_SPEC: 20, ALERT: 21, HANDSHAKE: 22, APPLICATION_DATA: 23, HEARTBEAT: 24 } as const;

/** Largest TLSCiphertext.length allowed (RFC 5246 §6.2.3: 2^14 + 2048). */
export const MAX_RECORD = 16384 + 2048;

export interface TlsRecord {
  type: number;
  /** Record-layer version (0x0002 for an SSLv2-format record). */
  version: number;
  payload: Uint8Array;
  /** The whole record including its header (for SSLv2 parsing). */
  raw: Uint8Array;
  /** Frame that completed the record: the latest frame that had supplied bytes of this direction by then. */
  frame: number;
  /** Byte offset of the record in the direction's stream (counting bytes delivered, gaps included). */
  offset: number;
  sslv2: boolean;
}

/** A plausible TLS record header at b[o..o+5): type 20–24, version 3.0–3.4, length within limits. */
export function looksLikeRecordHeader(b: Uint8Array, o = 0): boolean {
  if (b.length - o < 3) return false;
  const t = b[o];
  if (t < 20 || t > 24 || b[o + 1] !== 3 || b[o + 2] > 4) return false;
  if (b.length - o < 5) return true;
  const len = (b[o + 3] << 8) | b[o + 4];
  return len <= MAX_RECORD;
}

/** An SSLv2-format ClientHello at the start of b (2-byte header with the top bit set, msg type 1, version ≥ 2.0). */
export function looksLikeSslv2Hello(b: Uint8Array): boolean {
  if (b.length < 5 || !(b[0] & 0x80)) return false;
  const len = ((b[0] & 0x7f) << 8) | b[1];
  if (len < 9 || b[2] !== 1) return false;
  return (b[3] === 0x00 && b[4] === 0x02) || (b[3] === 0x03 && b[4] <= 0x04);
}

const EMPTY = new Uint8Array(0);

/**
 * The record handed to onRecord: one object per stream, refilled for every record, whose byte views are made
 * only when asked for (most records are looked at for their type alone). Valid during the call only.
 */
class RecordView implements TlsRecord {
  type = 0;
  version = 0;
  frame = 0;
  offset = 0;
  sslv2 = false;
  /** The record is buf[start, end), its payload after `header` bytes. */
  buf: Uint8Array = EMPTY;
  start = 0;
  end = 0;
  header = 0;

  get payload(): Uint8Array {
    return this.buf.subarray(this.start + this.header, this.end);
  }

  get raw(): Uint8Array {
    return this.buf.subarray(this.start, this.end);
  }
}

export type StreamState = 'detect' | 'records' | 'resync' | 'stopped';

export class RecordStream {
  state: StreamState = 'detect';
  /** Why the stream stopped being parsed, if it did. */
  stopReason = '';
  gaps = 0;
  /** Allocated on first use and released when the stream stops (most streams of a big capture are not TLS). */
  private buf: Uint8Array = EMPTY;
  private start = 0;
  private end = 0;
  private maxFrame = 0;
  /** Stream offset of buf[start]. */
  private offset = 0;
  private view: RecordView | null = null;

  private record(type: number, version: number, b: Uint8Array, start: number, len: number, header: number,
    sslv2: boolean): TlsRecord {
    const v = this.view ??= new RecordView();
    v.type = type; v.version = version; v.frame = this.maxFrame; v.offset = this.offset - len; v.sslv2 = sslv2;
    v.buf = b; v.start = start; v.end = start + len; v.header = header;
    return v;
  }

  /**
   * Feeds in-order bytes; calls `onRecord` for every record they complete. `onRecord` returns false to stop parsing
   * (the rest is ignored). Returns false once the stream is stopped (not TLS, lost, or the consumer is done).
   */
  push(data: Uint8Array, frame: number, onRecord: (r: TlsRecord) => boolean): boolean {
    if (this.state === 'stopped') return false;
    if (frame > this.maxFrame) this.maxFrame = frame;
    if (this.state === 'resync') {
      // after a gap: only a segment that starts with a record header brings us back in step
      if (!looksLikeRecordHeader(data)) { this.offset += data.length; return true; }
      this.state = 'records';
    }
    // Nothing buffered: parse straight from `data` (no copy) and keep only an incomplete record's bytes after.
    const owned = this.buf;
    const borrowed = this.end === this.start;
    if (borrowed) {
      this.buf = data;
      this.start = 0;
      this.end = data.length;
    } else {
      this.append(data);
    }
    const more = this.parse(onRecord);
    if (this.view) this.view.buf = EMPTY; // the bytes were the caller's: not kept past the call
    if (borrowed && !this.isStopped()) {
      const left = this.end - this.start;
      const rest = data.subarray(this.start, this.end);
      this.buf = owned;
      this.start = this.end = 0;
      if (left > 0) this.append(rest);
    }
    return more;
  }

  private parse(onRecord: (r: TlsRecord) => boolean): boolean {
    while (!this.isStopped()) {
      const avail = this.end - this.start;
      const b = this.buf, s = this.start;
      if (this.state === 'detect') {
        if (avail < 5) {
          // decide early on the bytes we have, so a plain-text protocol is dropped at once
          if (avail >= 1 && !(b[s] & 0x80) && (b[s] < 20 || b[s] > 24)) return this.stop('not TLS');
          if (avail >= 2 && !(b[s] & 0x80) && b[s + 1] !== 3) return this.stop('not TLS');
          if (avail >= 3 && !(b[s] & 0x80) && b[s + 2] > 4) return this.stop('not TLS');
          break;
        }
        const view = b.subarray(s, this.end);
        if (looksLikeSslv2Hello(view)) {
          const len = 2 + (((b[s] & 0x7f) << 8) | b[s + 1]);
          if (avail < len) break;
          this.state = 'records';
          this.consume(len);
          if (!onRecord(this.record(ContentType.HANDSHAKE, 0x0002, b, s, len, 2, true))) return this.stop('done');
          continue;
        }
        if (!looksLikeRecordHeader(view)) return this.stop('not TLS');
        this.state = 'records';
      }
      if (avail < 5) break;
      if (!looksLikeRecordHeader(b, s)) return this.stop('lost record boundary');
      const len = (b[s + 3] << 8) | b[s + 4];
      if (avail < 5 + len) break;
      this.consume(5 + len);
      if (!onRecord(this.record(b[s], (b[s + 1] << 8) | b[s + 2], b, s, 5 + len, 5, false))) return this.stop('done');
    }
    return !this.isStopped();
  }

  isStopped(): boolean {
    return this.state === 'stopped';
  }

  /**
   * Bytes are missing: whatever was buffered is lost; parsing resumes at the next segment that starts a record.
   * Also before any record was seen: bytes after a gap are the middle of something, not proof the stream is not TLS.
   */
  gap(length: number): void {
    if (this.state === 'stopped') return;
    this.gaps++;
    this.offset += this.end - this.start + length;
    this.start = this.end = 0;
    this.state = 'resync';
  }

  stop(reason: string): false {
    if (this.state !== 'stopped') { this.state = 'stopped'; this.stopReason = reason; }
    this.buf = EMPTY;
    this.start = this.end = 0;
    return false;
  }

  /** Bytes held for an incomplete record. */
  get buffered(): number {
    return this.end - this.start;
  }

  private consume(n: number): void {
    this.start += n;
    this.offset += n;
    if (this.start === this.end) this.start = this.end = 0;
  }

  private append(data: Uint8Array): void {
    const need = this.end - this.start + data.length;
    if (this.end + data.length > this.buf.length) {
      // compact, grow when needed (a record is bounded, so the buffer stays ≤ MAX_RECORD + one segment)
      const size = Math.max(need, this.buf.length);
      const next = size > this.buf.length ? new Uint8Array(Math.max(size, this.buf.length * 2, 256)) : this.buf;
      next.set(this.buf.subarray(this.start, this.end), 0);
      this.buf = next;
      this.end -= this.start;
      this.start = 0;
    }
    this.buf.set(data, this.end);
    this.end += data.length;
  }
}
