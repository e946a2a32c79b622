// Every DNS message of a capture for the JSON view, kept as its bytes (one growing arena and a few columns) rather
// than as parsed objects: a message costs its size (~100 bytes) instead of ~1 KB of objects and strings, and
// toJson() parses them again, with the same parser, when the JSON is asked for.
import type { DnsJson } from '../analysis-json';
import { grown, resized } from '../columns';
import { parseDnsMessage, type DnsMessage } from './message';

export type DnsTransport = 'udp' | 'tcp';
export type DnsProtoName = 'dns' | 'mdns' | 'llmnr';

const PROTOS: readonly DnsProtoName[] = ['dns', 'mdns', 'llmnr'];
/** Slots of the table that finds repeated messages (256 KiB while a capture is read). */
const REPEAT_SLOTS = 1 << 16;

export class DnsMessageLog {
  count = 0;
  private cap = 0;
  private frame = new Uint32Array(0);
  /** Where a message's bytes are in `bytes` (the earlier copy, for a message repeated but for its id). */
  private start: Float64Array | Uint32Array = new Float64Array(0);
  /** Each message's id (its first two bytes: a repeated message's stored copy may have another). */
  private id = new Uint16Array(0);
  /**
   * While messages are added: by hash of a message without its id, the last stored row with that hash, plus one
   * (a direct-mapped table: a typed array probe instead of a Map's; an overwritten slot only means one more copy).
   */
  private repeats: Int32Array | null = null;
  private length = new Uint32Array(0);
  /** proto index * 2 + (1 for TCP). */
  private kind = new Uint8Array(0);
  private bytes = new Uint8Array(0);
  private used = 0;

  add(frame: number, transport: DnsTransport, proto: DnsProtoName, message: Uint8Array): void {
    if (this.count === this.cap) {
      // offsets as Float64 until compact(): an arena may pass 4 GiB (and again should messages come after it)
      if (!(this.start instanceof Float64Array)) this.start = Float64Array.from(this.start);
      this.resize(Math.max(256, this.cap * 2));
    }
    const i = this.count++;
    const len = message.length;
    this.frame[i] = frame;
    this.length[i] = len;
    this.kind[i] = PROTOS.indexOf(proto) * 2 + (transport === 'tcp' ? 1 : 0);
    this.id[i] = len >= 2 ? (message[0] << 8) | message[1] : 0;
    // Clients ask the same questions and servers give the same answers again and again under new ids: such a
    // message points at the bytes already stored (about a third of a capture's DNS bytes).
    let slot = -1;
    if (len >= 2) {
      const table = this.repeats ??= new Int32Array(REPEAT_SLOTS);
      let hash = len;
      for (let k = 2; k < len; k++) hash = Math.imul(hash ^ message[k], 16777619);
      slot = (hash ^ (hash >>> 16)) & (REPEAT_SLOTS - 1);
      const j = table[slot] - 1;
      if (j >= 0 && this.length[j] === len && this.sameBody(this.start[j], message)) {
        this.start[i] = this.start[j];
        return;
      }
    }
    this.bytes = grown(this.bytes, this.used + len, 16384);
    this.start[i] = this.used;
    this.bytes.set(message, this.used);
    this.used += len;
    if (slot >= 0) this.repeats![slot] = i + 1;
  }

  /** The stored message at `at` has the bytes of `message` after the id. */
  private sameBody(at: number, message: Uint8Array): boolean {
    const b = this.bytes;
    for (let k = 2; k < message.length; k++) if (b[at + k] !== message[k]) return false;
    return true;
  }

  /** Message `row`'s bytes: a view of the stored copy, or a copy with the row's own id when it differs. */
  private messageBytes(row: number): Uint8Array {
    const at = this.start[row], len = this.length[row];
    const stored = this.bytes.subarray(at, at + len);
    if (len < 2) return stored;
    const id = this.id[row];
    if (((stored[0] << 8) | stored[1]) === id) return stored;
    const copy = stored.slice();
    copy[0] = id >> 8;
    copy[1] = id & 0xff;
    return copy;
  }

  /** Message `row` parsed again, with how it travelled. */
  parse(row: number): { message: DnsMessage; transport: DnsTransport; proto: DnsProtoName } {
    const proto = PROTOS[this.kind[row] >> 1];
    const message = parseDnsMessage(this.messageBytes(row), { mdns: proto === 'mdns' });
    return { message, transport: this.kind[row] & 1 ? 'tcp' : 'udp', proto };
  }

  /** The JSON rows in frame order (messages of one frame in the order they came). */
  toJson(): DnsJson[] {
    const rows: DnsJson[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) {
      const proto = PROTOS[this.kind[i] >> 1];
      const m = parseDnsMessage(this.messageBytes(i), { mdns: proto === 'mdns' });
      const entry: DnsJson = {
        frame: this.frame[i], transport: this.kind[i] & 1 ? 'tcp' : 'udp', proto, id: m.id, response: m.response,
        questions: m.questions.map((q) => ({ name: q.name, type: q.type })),
        answers: m.answers.map((r) => {
          const out: { name: string; type: number; ttl?: number; data?: string } = { name: r.name, type: r.type };
          if (r.type !== 41) out.ttl = r.ttl;
          if (r.data !== undefined) out.data = r.data;
          return out;
        }),
      };
      if (m.response) entry.rcode = m.rcode;
      rows[i] = entry;
    }
    // stable: rows of one frame keep their order
    return rows.sort((a, b) => a.frame - b.frame);
  }

  /** End of input: gives back the capacity grown for messages that never came (up to half of each column). */
  compact(): void {
    this.repeats = null;
    if (this.bytes.length > this.used) this.bytes = resized(this.bytes, this.used);
    if (this.cap > this.count) this.resize(this.count);
    // offsets below 4 GiB (always, in practice) fit 4 bytes
    if (this.start instanceof Float64Array && this.used <= 0xffffffff) this.start = Uint32Array.from(this.start);
  }

  /** Bytes held (for the memory benchmark). */
  retainedBytes(): number {
    return this.cap * (4 + this.start.BYTES_PER_ELEMENT + 2 + 4 + 1) + this.bytes.length;
  }

  /** The columns with room for `cap` rows (the first `count` kept). */
  private resize(cap: number): void {
    const n = this.count;
    this.frame = resized(this.frame, cap, n);
    this.start = resized(this.start, cap, n);
    this.id = resized(this.id, cap, n);
    this.length = resized(this.length, cap, n);
    this.kind = resized(this.kind, cap, n);
    this.cap = cap;
  }
}
