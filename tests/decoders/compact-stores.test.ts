// The compact stores the analysis keeps instead of objects: they must behave exactly like the plain structures
// they replaced (a Map of string keys, a Map of refs, parsed JSON rows).
import { describe, expect, it } from 'vitest';
import { EndpointPairTable } from '../../decoders/udp-conversations';
import { Timeline } from '../../decoders/timeline';
import { FrameIndex } from '../../decoders/model';
import { DnsMessageLog } from '../../decoders/dns/message-log';
import { ConversationTable, HostTable } from '../../decoders/conversations';
import { parseDnsMessage } from '../../decoders/dns/message';
import { ipv4String, ipv6String } from '../../decoders/wire/addresses';

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

describe('Timeline facts', () => {
  it('gives back every a/b value exactly, int32 or not, before and after compact()', () => {
    const tl = new Timeline(16);
    const values = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), -(2 ** 31) + 1, 2 ** 31, 2 ** 32 - 1, 0.000123, -2.5, 1e15,
      NaN, Infinity, 65535, 1460];
    const pairs: [number, number][] = [];
    for (let i = 0; i < 5000; i++) {
      const a = values[i % values.length], b = values[(i * 7 + 3) % values.length] * (i % 2 ? 1 : 3);
      pairs.push([a, b]);
      tl.push('tcp.data', i + 1, i % 5, i % 3, a, b);
    }
    const check = () => pairs.forEach(([a, b], i) => {
      expect(tl.aOf(i)).toBe(a);
      expect(tl.bOf(i)).toBe(b);
      expect(tl.get(i)).toMatchObject({ frame: i + 1, conversation: i % 5, dir: i % 3 });
    });
    check();
    const before = tl.retainedBytes();
    tl.compact();
    expect(tl.retainedBytes()).toBeLessThan(before);
    check();
    tl.push('tcp.fin', 5001, 1, 0, 2 ** 33, 7); // appending after compact() still works
    expect([tl.aOf(5000), tl.bOf(5000), tl.count]).toEqual([2 ** 33, 7, 5001]);
  });
});

describe('Timeline conversations and directions', () => {
  it('gives back each event\'s own conversation and direction, derived from its frame or kept when different', () => {
    let s = 5;
    const rnd = (n: number) => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return (s >>> 8) % n; };
    const frames = new FrameIndex(16);
    const tl = new Timeline(16);
    tl.attachFrames(frames);
    const want: [number, number][] = [];
    for (let row = 0; row < 3000; row++) {
      frames.add();
      const conv = rnd(10) - 1, dir = conv < 0 ? 2 : rnd(2);
      const events = row === 1500 ? 300 : rnd(4); // one frame with more events than the pending room
      for (let k = 0; k < events; k++) {
        const own = rnd(6) === 0 ? [rnd(10) - 1, rnd(3)] : [conv, dir]; // some events belong elsewhere
        const frame = rnd(8) === 0 ? Math.max(1, row - rnd(5)) : row + 1; // some are stamped on an earlier frame
        tl.push('tcp.data', Math.max(frame, tl.count ? tl.frame[tl.count - 1] : 0), own[0], own[1]);
        want.push([own[0], own[1]]);
        // readable before the frame's columns are set
        expect([tl.conversationOf(tl.count - 1), tl.dirOf(tl.count - 1)]).toEqual(own);
      }
      frames.setPacket(row, row * 100, 60, 60, conv, dir, 1, 2, 3, 4);
      tl.seal();
    }
    tl.push('dns.timeout', 3000, 4, 1); // pushed at the end of the input, sealed by compact()
    want.push([4, 1]);
    const check = () => {
      want.forEach(([c, d], i) => expect([tl.conversationOf(i), tl.dirOf(i), tl.get(i).conversation]).toEqual([c, d, c]));
      expect(Array.from(tl.conversations())).toEqual(want.map((w) => w[0]));
      expect(Array.from(tl.conversations(100, 200))).toEqual(want.slice(100, 200).map((w) => w[0]));
    };
    check();
    tl.compact();
    check();
  });

  it('keeps every event\'s own values without a frame index', () => {
    const tl = new Timeline(16);
    for (let i = 0; i < 500; i++) tl.push('udp.datagram', i + 1, i % 9 - 1, i % 3);
    for (let i = 0; i < 500; i++) expect([tl.conversationOf(i), tl.dirOf(i)]).toEqual([i % 9 - 1, i % 3]);
  });
});

describe('FrameIndex', () => {
  it('gives back every frame\'s offset, lengths and endpoints as set, whatever was derived or kept sparse', () => {
    let s = 11;
    const rnd = (n: number) => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return (s >>> 8) % n; };
    const f = new FrameIndex(16);
    // conversation id -> [client host, server host, client port, server port]
    const convs = Array.from({ length: 40 }, (_, i) => [i % 7, 7 + (i % 5), 1024 + i, i % 2 ? 443 : 53]);
    type Row = { off: number; cap: number; orig: number; conv: number; dir: number; ends: number[] };
    const rows: Row[] = [];
    let off = 2 ** 32 - 5000;
    for (let row = 0; row < 20000; row++) {
      const kind = rnd(20);
      const conv = kind === 0 ? -1 : rnd(40);
      const dir = conv < 0 ? 2 : kind === 1 ? 2 : rnd(2);
      const c = conv < 0 ? [rnd(3) - 1, rnd(3) - 1, 0, 0] : convs[conv];
      let ends = dir === 1 ? [c[1], c[0], c[3], c[2]] : [c[0], c[1], c[2], c[3]];
      if (kind === 2) ends = [ends[0], ends[1], ends[2] + 1, ends[3]]; // a migrated path: differs from its conversation
      const cap = kind === 3 ? 65535 + rnd(200000) : kind === 4 ? 65535 : 40 + rnd(1500);
      const orig = kind === 5 ? cap + 1 + rnd(9000) : cap;
      f.add();
      f.setPacket(row, off, cap, orig, conv, dir, ends[0], ends[1], ends[2], ends[3]);
      rows.push({ off, cap, orig, conv, dir, ends });
      off += 16 + cap;
    }
    const check = () => {
      const cols = f.endpointColumns(), lens = f.originalLengths();
      rows.forEach((r, i) => {
        expect([f.fileOffsetOf(i), f.capturedLengthOf(i), f.originalLengthOf(i), f.conversation[i], f.dir[i]])
          .toEqual([r.off, r.cap, r.orig, r.conv, r.dir]);
        expect([f.srcHostOf(i), f.dstHostOf(i), f.srcPortOf(i), f.dstPortOf(i)]).toEqual(r.ends);
        expect([cols.src[i], cols.dst[i], cols.srcPort[i], cols.dstPort[i], lens[i]]).toEqual([...r.ends, r.orig]);
      });
      const part = f.endpointColumns(500, 700);
      expect(Array.from(part.srcPort)).toEqual(rows.slice(500, 700).map((r) => r.ends[2]));
    };
    check();
    const before = f.retainedBytes();
    f.compact();
    expect(f.retainedBytes()).toBeLessThanOrEqual(before);
    check();
  });
});

describe('ConversationTable', () => {
  it('gives back every conversation as opened and counted, after side swaps and compact(), like plain objects', () => {
    let s = 5;
    const rnd = (n: number) => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return (s >>> 8) % n; };
    const table = new ConversationTable(new HostTable());
    const addrs = ['10.0.0.1', '192.168.7.254', '2001:db8::1', '::ffff:1.2.3.4', 'fe80::1'];
    type Plain = { protocol: string; client: string; server: string; clientPort: number; serverPort: number;
      firstFrame: number; lastFrame: number; packets: number; bytes: number[]; tcpStream: number };
    const want: Plain[] = [];
    const ep = (a: string, p: number) => (a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);
    for (let frame = 1; frame <= 6000; frame++) {
      const op = rnd(10);
      if (op < 2 || want.length === 0) {
        const protocol = (['tcp', 'udp', 'quic', 'icmp'] as const)[rnd(4)];
        const ca = addrs[rnd(5)], sa = addrs[rnd(5)], cp = rnd(65536), sp = rnd(65536);
        const c = table.open(protocol, ca, cp, sa, sp, frame, protocol === 'tcp' ? frame : -1);
        expect(c.id).toBe(want.length);
        want.push({ protocol, client: ep(ca, cp), server: ep(sa, sp), clientPort: cp, serverPort: sp, firstFrame: frame,
          lastFrame: frame, packets: 0, bytes: [0, 0], tcpStream: protocol === 'tcp' ? frame : -1 });
      } else if (op === 2) {
        const id = rnd(want.length), w = want[id];
        table.swapSides(table.list[id]);
        [w.client, w.server, w.clientPort, w.serverPort, w.bytes] = [w.server, w.client, w.serverPort, w.clientPort, [w.bytes[1], w.bytes[0]]];
      } else {
        const id = rnd(want.length), dir = rnd(2), len = rnd(3) === 0 ? 2 ** 32 + rnd(9) : rnd(1500);
        table.count(table.list[id], frame, dir, len);
        want[id].packets++; want[id].lastFrame = frame; want[id].bytes[dir] += len;
      }
    }
    const check = () => table.list.forEach((c, i) => {
      const w = want[i];
      expect({ protocol: c.protocol, client: c.client, server: c.server, clientPort: c.clientPort, serverPort: c.serverPort,
        firstFrame: c.firstFrame, lastFrame: c.lastFrame, packets: c.packets, bytes: [...c.bytes], tcpStream: c.tcpStream })
        .toEqual(w);
      expect(table.hosts.names[c.clientHost]).toBe(w.client.slice(0, w.client.lastIndexOf(':')).replace(/^\[|\]$/g, ''));
    });
    check();
    const before = table.retainedBytes();
    table.compact();
    expect(table.retainedBytes()).toBeLessThan(before);
    check();
    table.open('udp', '10.0.0.9', 53, '10.0.0.1', 5353, 6001); // opening after compact() still works
    expect([table.list.length, table.list[table.list.length - 1].client]).toEqual([want.length + 1, '10.0.0.9:53']);
  });
});

describe('HostTable', () => {
  it('maps IPv4 and IPv6 addresses given as bits to the same ids as their text, through every growth', () => {
    const hosts = new HostTable();
    const byText = new Map<string, number>();
    /** Addresses interned from their bits: the index must know them from then on. */
    const asBits = new Set<string>();
    let s = 11;
    const rnd = (n: number) => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return (s >>> 8) % n; };
    const bytes = new Uint8Array(16);
    const words = new Int32Array(4);
    for (let i = 0; i < 30_000; i++) {
      // few distinct values per byte: addresses repeat, and keys share bits (clustered probes)
      for (let j = 0; j < 16; j++) bytes[j] = j < 12 && rnd(4) !== 0 ? 0 : rnd(40);
      const v6 = rnd(3) === 0;
      const text = v6 ? ipv6String(bytes, 0) : ipv4String(bytes, 12);
      let id: number;
      if (rnd(10) === 0) id = hosts.intern(text); // the text route (ICMP quotes, other decoders) first, sometimes
      else if (v6) {
        for (let w = 0; w < 4; w++) words[w] = (bytes[w * 4] << 24) | (bytes[w * 4 + 1] << 16) | (bytes[w * 4 + 2] << 8) | bytes[w * 4 + 3];
        const known = hosts.idOfV6(words);
        id = hosts.internV6(words, text);
        expect(known).toBe(asBits.has(text) ? id : -1);
        expect(hosts.idOfV6(words)).toBe(id);
        asBits.add(text);
      } else {
        const key = (bytes[12] << 24) | (bytes[13] << 16) | (bytes[14] << 8) | bytes[15];
        const known = hosts.idOfV4(key);
        id = hosts.internV4(key, text);
        expect(known).toBe(asBits.has(text) ? id : -1);
        expect(hosts.idOfV4(key)).toBe(id);
        asBits.add(text);
      }
      const before = byText.get(text);
      if (before === undefined) byText.set(text, id); else expect(id).toBe(before);
      expect(hosts.names[id]).toBe(text);
    }
    expect(hosts.names.length).toBe(byText.size);
    expect(byText.size).toBeGreaterThan(5000); // several growths of both indexes
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
