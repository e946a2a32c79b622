// The TLS rows of the JSON view, kept column-wise until toJson(): a capture's hellos repeat a handful of
// (ALPN, versions, JA3, JA4) combinations, so a row keeps its frame, stream, message type, a template index and
// its SNI (~25 bytes) instead of an object per handshake message (~120 bytes). toJson() builds the same rows,
// with their keys in the same order, as the objects this replaces.
import type { TlsJson } from '../analysis-json';
import { resized } from '../columns';
import { handshakeTypeName } from './names';
import { ListIds, TEMPLATE_LIMIT } from './fact-store';

/** The fields of a row after frame/tcpStream/type/sni, in the contract's key order. */
type Extra = Omit<TlsJson, 'frame' | 'tcpStream' | 'type' | 'sni'>;


export class TlsJsonLog {
  count = 0;
  private frame = new Uint32Array(0);
  private stream = new Int32Array(0);
  private type = new Uint8Array(0);
  /** Index in `templates`, -1 for a row without extra fields. */
  private extra = new Int32Array(0);
  /** SNI per row (undefined when absent); a plain array: most rows of a TLS capture are hellos. */
  private sni: (string | undefined)[] = [];
  private readonly templates: Extra[] = [];
  private templateIds = new Map<string, number>();
  /** Ids of the (shared) lists seen: a template's key names its lists by identity, not by content. */
  private readonly lists = new ListIds();

  /** Appends a row without SNI; `extra`'s arrays and strings are kept as they are (shared values: never mutated). */
  add(frame: number, tcpStream: number, type: number, extra?: Extra): void {
    this.addRow(frame, tcpStream, type, undefined, extra ? this.template(type, extra) : -1);
  }

  /** Appends a row with a template from template() (-1: none). */
  addRow(frame: number, tcpStream: number, type: number, sni: string | undefined, template: number): void {
    if (this.count === this.frame.length) this.grow(Math.max(256, this.count * 2));
    const i = this.count++;
    this.frame[i] = frame;
    this.stream[i] = tcpStream;
    this.type[i] = type;
    this.extra[i] = template;
    this.sni.push(sni);
  }

  /** The rows in frame order (stable: rows of one frame keep the order they came in). */
  toJson(): TlsJson[] {
    const out: TlsJson[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) {
      const j: TlsJson = { frame: this.frame[i], tcpStream: this.stream[i], type: handshakeTypeName(this.type[i]) };
      const sni = this.sni[i];
      if (sni !== undefined) j.sni = sni;
      const x = this.extra[i];
      if (x >= 0) Object.assign(j, this.templates[x]);
      out[i] = j;
    }
    return out.sort((a, b) => a.frame - b.frame);
  }

  /** End of input: no more rows; drop the lookup table and the unused capacity. */
  compact(): void {
    this.templateIds = new Map();
    this.lists.forget();
    if (this.frame.length > this.count) this.grow(this.count);
    this.sni = this.sni.slice(); // without the spare slots push() grew
  }


  /** The template of a row of `type` with these fields after the SNI (the same one for the same fields). */
  template(type: number, x: Extra): number {
    // every field and whether it is present (the key order follows from the type and the fields present)
    const key = [type, this.lists.id(x.alpn), this.lists.id(x.supportedVersions), x.cipherSuite ?? '-',
      x.helloRetryRequest === undefined ? '-' : x.helloRetryRequest ? 1 : 0, x.ja3 ?? '-', x.ja4 ?? '-'].join('|');
    let id = this.templateIds.get(key);
    if (id === undefined) {
      id = this.templates.length;
      this.templates.push(x);
      // bounded lookups: past the limit a row gets its own template (still correct, just not shared)
      if (this.templateIds.size < TEMPLATE_LIMIT) this.templateIds.set(key, id);
    }
    return id;
  }

  private grow(cap: number): void {
    const n = this.count;
    this.frame = resized(this.frame, cap, n); this.stream = resized(this.stream, cap, n);
    this.type = resized(this.type, cap, n); this.extra = resized(this.extra, cap, n);
  }
}
