// The compact stores the analysis keeps instead of objects: they must behave exactly like the plain structures
// they replaced (a Map of string keys, a Map of refs, parsed JSON rows).
import { describe, expect, it } from 'vitest';
import { EndpointPairTable } from '../../decoders/udp-conversations';
import { Timeline } from '../../decoders/timeline';
import { DnsMessageLog } from '../../decoders/dns/message-log';
import { parseDnsMessage } from '../../decoders/dns/message';

describe('EndpointPairTable', () => {
  it('finds, replaces and deletes endpoint pairs in either order like a Map of canonical keys', () => {
    const table = new EndpointPairTable();
    const map = new Map<string, number>();
    const key = (a: number, p: number, b: number, q: number) =>
      (a < b || (a === b && p <= q)) ? `${a},${p},${b},${q}` : `${b},${q},${a},${p}`;
    let s = 7;
    const rnd = (n: number) => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return (s >>> 8) % n; };
    for (let i = 0; i < 50_000; i++) {
      const a = rnd(60), p = rnd(4), b = rnd(60), q = rnd(4), op = rnd(3);
      if (op === 0) { const v = rnd(1000); table.set(a, p, b, q, v); map.set(key(a, p, b, q), v); }
      else if (op === 1) { table.delete(b, q, a, p); map.delete(key(a, p, b, q)); }
      else expect(table.get(b, q, a, p)).toBe(map.get(key(a, p, b, q)) ?? -1);
    }
  });

  it('tells whether the first endpoint given is the lower one', () => {
    const t = new EndpointPairTable();
    t.set(5, 80, 3, 443, 1);
    expect(t.lowFirst).toBe(false);
    expect(t.get(3, 443, 5, 80)).toBe(1);
    expect(t.lowFirst).toBe(true);
  });
});

describe('Timeline refs', () => {
  it('returns stored refs by event, and lazily built ones from their key, undefined for the others', () => {
    const tl = new Timeline(16);
    const built: number[] = [];
    const resolve = (k: number) => { built.push(k); return { rebuilt: k }; };
    for (let i = 0; i < 1000; i++) {
      if (i % 3 === 0) tl.push('udp.datagram', i + 1, 0, 0, 0, 0, { stored: i });
      else if (i % 3 === 1) tl.pushLazy('dns.query', i + 1, 0, 0, 0, 0, resolve, i * 10);
      else tl.push('udp.datagram', i + 1, 0, 0);
    }
    expect(built).toEqual([]); // nothing is built until read
    expect(tl.get(300).ref).toEqual({ stored: 300 });
    expect(tl.get(301).ref).toEqual({ rebuilt: 3010 });
    expect(tl.get(302).ref).toBeUndefined();
    expect(tl.eventsOfFrame(5)[0].ref).toEqual({ rebuilt: 40 });
    expect(tl.refs.size).toBe(334);
  });
});

describe('DnsMessageLog', () => {
  it('gives back every message as the parser reads it, in frame order', () => {
    // query for example.com A, id 0x1234 (RFC 1035 layout)
    const q = Uint8Array.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 7, ...Buffer.from('example'), 3,
      ...Buffer.from('com'), 0, 0, 1, 0, 1]);
    const log = new DnsMessageLog();
    log.add(5, 'udp', 'dns', q);
    log.add(2, 'tcp', 'mdns', q);
    const rows = log.toJson();
    expect(rows.map((r) => [r.frame, r.transport, r.proto])).toEqual([[2, 'tcp', 'mdns'], [5, 'udp', 'dns']]);
    expect(rows[1]).toEqual({ frame: 5, transport: 'udp', proto: 'dns', id: 0x1234, response: false,
      questions: [{ name: 'example.com', type: 1 }], answers: [] });
    expect(log.parse(0).message).toEqual(parseDnsMessage(q));
  });
});
