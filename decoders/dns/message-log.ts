// Every DNS message of a capture for the JSON view, kept as its bytes (one growing arena and a few columns) rather
// than as parsed objects: a message costs its size (~100 bytes) instead of ~1 KB of objects and strings, and
// toJson() parses them again, with the same parser, when the JSON is asked for.
import type { DnsJson } from '../analysis-json';
import { parseDnsMessage, type DnsMessage } from './message';

export type DnsTransport = 'udp' | 'tcp';
export type DnsProtoName = 'dns' | 'mdns' | 'llmnr';

const PROTOS: readonly DnsProtoName[] = ['dns', 'mdns', 'llmnr'];

export class DnsMessageLog {
  count = 0;
  private cap = 0;
  private frame = new Uint32Array(0);
  private start = new Float64Array(0);
  private length = new Uint32Array(0);
  /** proto index * 2 + (1 for TCP). */
  private kind = new Uint8Array(0);
  private bytes = new Uint8Array(0);
  private used = 0;

  add(frame: number, transport: DnsTransport, proto: DnsProtoName, message: Uint8Array): void {
    if (this.count === this.cap) this.growRows();
    if (this.used + message.length > this.bytes.length) this.growBytes(message.length);
    const i = this.count++;
    this.frame[i] = frame;
    this.start[i] = this.used;
    this.length[i] = message.length;
    this.kind[i] = PROTOS.indexOf(proto) * 2 + (transport === 'tcp' ? 1 : 0);
    this.bytes.set(message, this.used);
    this.used += message.length;
  }

  /** Message `row` parsed again, with how it travelled. */
  parse(row: number): { message: DnsMessage; transport: DnsTransport; proto: DnsProtoName } {
    const proto = PROTOS[this.kind[row] >> 1];
    const at = this.start[row];
    const message = parseDnsMessage(this.bytes.subarray(at, at + this.length[row]), { mdns: proto === 'mdns' });
    return { message, transport: this.kind[row] & 1 ? 'tcp' : 'udp', proto };
  }

  /** The JSON rows in frame order (messages of one frame in the order they came). */
  toJson(): DnsJson[] {
    const rows: DnsJson[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) {
      const proto = PROTOS[this.kind[i] >> 1];
      const at = this.start[i];
      const m = parseDnsMessage(this.bytes.subarray(at, at + this.length[i]), { mdns: proto === 'mdns' });
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

  /** Bytes held (for the memory benchmark). */
  retainedBytes(): number {
    return this.cap * (4 + 8 + 4 + 1) + this.bytes.length;
  }

  private growRows(): void {
    const cap = Math.max(256, this.cap * 2);
    const grow = <T extends Uint8Array | Uint32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const n = make(cap); n.set(old as never); return n;
    };
    this.frame = grow(this.frame, (n) => new Uint32Array(n));
    this.start = grow(this.start, (n) => new Float64Array(n));
    this.length = grow(this.length, (n) => new Uint32Array(n));
    this.kind = grow(this.kind, (n) => new Uint8Array(n));
    this.cap = cap;
  }

  private growBytes(need: number): void {
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.used + need, 16384));
    next.set(this.bytes.subarray(0, this.used));
    this.bytes = next;
  }
}
