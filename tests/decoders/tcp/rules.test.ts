// Each tshark tcp.analysis rule on a small hand-built conversation (expectations in scenarios.ts, confirmed with
// tshark by tshark.test.ts), plus the facts the JSON and the timeline report about them.
import { describe, expect, it } from 'vitest';
import { analyze, framesWith, CLIENT, SERVER } from './builder';
import { SCENARIOS } from './scenarios';
import { TcpAnalysisFlag, tcpAnalysisNames, tcpAnalysisFieldNames } from '../../../decoders/tcp/analyzer';
import { TcpState } from '../../../decoders/tcp/events';
import type { DecodedPacket } from '../../../decoders/packet';

const scenario = (prefix: string) => {
  const s = SCENARIOS.find((x) => x.name.startsWith(prefix));
  if (!s) throw new Error(`no scenario ${prefix}`);
  return s;
};

describe('tcp.analysis flags per frame, as tshark shows them', () => {
  for (const sc of SCENARIOS) {
    it(sc.name, () => {
      const run = analyze(sc.segs);
      expect(run.flags).toEqual(sc.segs.map((_, i) => sc.flags[i + 1] ?? []));
      expect(run.conv.map((id) => run.table.list[id].tcpStream)).toEqual(sc.streams ?? sc.segs.map(() => 0));
    });
  }
});

describe('flag bits', () => {
  it('maps bits to tshark field names in the JSON order', () => {
    const bits = TcpAnalysisFlag.FAST_RETRANSMISSION | TcpAnalysisFlag.RETRANSMISSION | TcpAnalysisFlag.ACK_LOST_SEGMENT;
    expect(tcpAnalysisNames(bits)).toEqual(['retransmission', 'fast_retransmission', 'ack_lost_segment']);
    expect(tcpAnalysisFieldNames(TcpAnalysisFlag.REUSED_PORTS)).toEqual(['reused_ports']);
    expect(tcpAnalysisNames(0)).toEqual([]);
  });
});

describe('handshake, window scale, close', () => {
  it('reports the handshake frames, the iRTT from SYN to the ACK, window-scale shifts, FINs and the first closer', () => {
    const run = analyze(scenario('clean connection').segs);
    const [j] = run.analyzer.toJson();
    expect(j).toMatchObject({
      stream: 0, client: `${CLIENT.ip}:${CLIENT.port}`, server: `${SERVER.ip}:${SERVER.port}`,
      firstFrame: 1, lastFrame: 10, frames: 10,
      handshake: { syn: 1, synAck: 2, ack: 3 },
      windowScale: { client: 7, server: 8 },
      fin: { client: [8], server: [9] }, rst: { client: [], server: [] },
      firstCloser: 'client', bytes: { client: 100, server: 1000 },
    });
    expect(j.handshake.initialRtt).toBeCloseTo(0.04, 9);
    expect(j.analysis).toEqual({});
  });

  it('takes the iRTT from the last SYN before the SYN-ACK when the SYN was retransmitted', () => {
    const run = analyze(scenario('SYN retransmission').segs);
    const [j] = run.analyzer.toJson();
    expect(j.handshake).toMatchObject({ syn: 1, synAck: 3, ack: 4 });
    expect(j.handshake.initialRtt).toBeCloseTo(0.05, 9);
  });

  it('has no handshake and no iRTT when the capture starts mid-connection', () => {
    const run = analyze(scenario('handshake not captured').segs);
    const [j] = run.analyzer.toJson();
    expect(j.handshake).toEqual({ syn: null, synAck: null, ack: null, initialRtt: null });
    expect(j.windowScale).toEqual({ client: null, server: null });
    // the first sender is taken as the client
    expect(j.client).toBe(`${SERVER.ip}:${SERVER.port}`);
  });

  it('applies window scaling only when both SYNs carried the option, and not when the handshake is unseen', () => {
    const both = analyze(scenario('window full with window scaling').segs);
    expect(both.analyzer.windowBytes(0, 1, 500, false)).toBe(4000);
    expect(both.analyzer.windowBytes(0, 0, 1000, false)).toBe(4000);
    expect(both.analyzer.windowBytes(0, 0, 1000, true)).toBe(1000); // SYNs are never scaled
    const one = analyze(scenario('window scale option only in the SYN').segs);
    expect(one.analyzer.windowBytes(0, 0, 1000, false)).toBe(1000);
    expect(one.analyzer.details(0)!.sides[0].windowScaleApplied).toBe(0);
    expect(one.analyzer.toJson()[0].windowScale).toEqual({ client: 2, server: null });
    const none = analyze(scenario('handshake not captured').segs);
    expect(none.analyzer.details(0)!.sides[0].windowScaleApplied).toBeNull();
  });

  it('counts SYN and FIN as one sequence number each: relative numbers start at 1 and the last ACK is FIN + 1', () => {
    const sc = scenario('clean connection');
    const run = analyze(sc.segs);
    const seg = sc.segs[9];
    expect(run.analyzer.relativeSeq(0, 0, seg.seq)).toBe(102);
    expect(run.analyzer.relativeAck(0, 0, seg.ack!)).toBe(1002);
    expect(run.flags[9]).toEqual([]); // no ACKed-unseen: the FIN's byte was seen
  });

  it('handles relative numbers across the 2^32 wrap', () => {
    const sc = scenario('sequence numbers wrapping');
    const run = analyze(sc.segs);
    expect(run.analyzer.relativeSeq(0, 0, 0x7b9)).toBe(3001);
    expect(run.analyzer.relativeAck(0, 1, 0x3d1)).toBe(2001);
  });

  it('numbers duplicate ACKs and names the frame they duplicate', () => {
    const run = analyze(scenario('lost segment, duplicate ACKs').segs);
    const dups = run.events.filter((e) => e.kind === 'tcp.duplicate_ack');
    expect(dups.map((e) => [e.frame, e.a, e.b])).toEqual([[9, 1, 8], [10, 2, 8], [11, 3, 8]]);
    expect(run.events.find((e) => e.kind === 'tcp.fast_retransmission')?.frame).toBe(12);
    // a fast retransmission is one event, not also a plain retransmission event
    expect(run.events.filter((e) => e.kind === 'tcp.retransmission')).toEqual([]);
    expect(run.table.list[0].notes).toMatchObject({ duplicate_ack: 3, fast_retransmission: 1, retransmission: 1, lost_segment: 1 });
  });

  it('reports a refused connection: RST answering a SYN', () => {
    const run = analyze(scenario('connection refused').segs);
    const [j] = run.analyzer.toJson();
    expect(j.rst).toEqual({ client: [], server: [2] });
    expect(run.events.find((e) => e.kind === 'tcp.reset')).toMatchObject({ frame: 2, dir: 1, b: 1 });
    // tshark measures the iRTT to the RST/ACK too (it is the first ACK after the SYN)
    expect(j.handshake.initialRtt).toBeCloseTo(0.001, 9);
    expect(j.handshake.synAck).toBeNull();
  });

  it('tells an abort from a refusal', () => {
    const sc = scenario('clean connection');
    const run = analyze([...sc.segs.slice(0, 4), { from: 's', flags: 'RA', seq: 5001, ack: 1101, t: 0.3 }]);
    expect(run.events.find((e) => e.kind === 'tcp.reset')?.b).toBe(2);
    expect(run.analyzer.details(0)!.sides.map((s) => s.finalState)).toEqual([TcpState.CLOSED, TcpState.CLOSED]);
  });

  it('starts a new stream on port reuse and marks the SYN', () => {
    const run = analyze(scenario('port reuse').segs);
    const json = run.analyzer.toJson();
    expect(json.map((j) => [j.stream, j.firstFrame, j.lastFrame, j.handshake.syn])).toEqual([[0, 1, 6, 1], [1, 7, 9, 7]]);
    expect(run.events.find((e) => e.kind === 'tcp.port_reused')).toMatchObject({ frame: 7, a: 0, b: 1 });
  });

  it('simultaneous open: the first SYN sender is the client, its SYN-ACK partner the server', () => {
    const run = analyze(scenario('simultaneous open').segs);
    const [j] = run.analyzer.toJson();
    expect(j.client).toBe(`${CLIENT.ip}:${CLIENT.port}`);
    expect(j.handshake).toMatchObject({ syn: 1, synAck: 4, ack: 5 });
    expect(run.analyzer.details(0)!.sides.map((s) => s.finalState)).toEqual([TcpState.ESTABLISHED, TcpState.ESTABLISHED]);
  });

  it('takes the client from a SYN-ACK when the SYN was not captured', () => {
    const run = analyze([
      { from: 's', flags: 'SA', seq: 5000, ack: 1001, t: 0 },
      { from: 'c', flags: 'A', seq: 1001, ack: 5001, t: 0.01 },
    ]);
    const [j] = run.analyzer.toJson();
    expect(j.client).toBe(`${CLIENT.ip}:${CLIENT.port}`);
    expect(j.handshake).toMatchObject({ syn: null, synAck: 1, ack: 2, initialRtt: null });
    expect(run.dir).toEqual([1, 0]);
  });
});

describe('endpoint states and the timeline', () => {
  it('walks both endpoints through the handshake and the close; the first closer ends in TIME_WAIT', () => {
    const run = analyze(scenario('clean connection').segs);
    const states = run.events.filter((e) => e.kind === 'tcp.state_changed').map((e) => `${e.frame}:${e.a}:${e.b}`);
    const S = TcpState;
    expect(states).toEqual([
      `1:0:${S.SYN_SENT}`, `1:1:${S.LISTEN}`, `2:1:${S.SYN_RECEIVED}`, `2:0:${S.ESTABLISHED}`, `3:1:${S.ESTABLISHED}`,
      `8:0:${S.FIN_WAIT_1}`, `8:1:${S.CLOSE_WAIT}`, `9:0:${S.FIN_WAIT_2}`, `9:1:${S.LAST_ACK}`, `9:0:${S.TIME_WAIT}`,
      `10:1:${S.CLOSED}`,
    ]);
    expect(run.events.find((e) => e.kind === 'tcp.time_wait_entered')).toMatchObject({ frame: 9, a: 0 });
    const kinds = run.events.map((e) => e.kind);
    expect(kinds.filter((k) => k === 'tcp.data')).toHaveLength(2);
    expect(run.events.find((e) => e.kind === 'tcp.handshake_completed')).toMatchObject({ frame: 3, b: 1 });
    expect(run.events.find((e) => e.kind === 'tcp.handshake_completed')!.a).toBeCloseTo(0.04, 9);
    expect(run.events.find((e) => e.kind === 'tcp.syn_sent')).toMatchObject({ frame: 1, a: 1460, b: 7 });
    expect(run.events.filter((e) => e.kind === 'tcp.fin').map((e) => [e.frame, e.b])).toEqual([[8, 1], [9, 0]]);
  });

  it('a simultaneous close goes through CLOSING to TIME_WAIT on both sides', () => {
    const sc = scenario('clean connection');
    const run = analyze([
      ...sc.segs.slice(0, 3),
      { from: 'c', flags: 'FA', seq: 1001, ack: 5001, t: 0.1 },
      { from: 's', flags: 'FA', seq: 5001, ack: 1001, t: 0.1001 },
      { from: 'c', flags: 'A', seq: 1002, ack: 5002, t: 0.12 },
      { from: 's', flags: 'A', seq: 5002, ack: 1002, t: 0.1201 },
    ]);
    expect(run.analyzer.details(0)!.sides.map((s) => s.finalState)).toEqual([TcpState.TIME_WAIT, TcpState.TIME_WAIT]);
    expect(run.events.filter((e) => e.kind === 'tcp.state_changed' && e.b === TcpState.CLOSING)).toHaveLength(2);
  });

  it('a mid-connection capture starts both endpoints ESTABLISHED; a half-close keeps the other side sending', () => {
    const run = analyze([
      { from: 'c', flags: 'A', seq: 1001, ack: 5001, len: 10, t: 0 },
      { from: 'c', flags: 'FA', seq: 1011, ack: 5001, t: 0.01 },
      { from: 's', flags: 'A', seq: 5001, ack: 1012, t: 0.02 },
      { from: 's', flags: 'PA', seq: 5001, ack: 1012, len: 500, t: 0.03 },
    ]);
    expect(run.analyzer.details(0)!.sides.map((s) => s.finalState)).toEqual([TcpState.FIN_WAIT_2, TcpState.CLOSE_WAIT]);
    expect(run.events.filter((e) => e.kind === 'tcp.data').map((e) => e.frame)).toEqual([1, 4]);
  });

  it('reports window changes only when they are noticeable, and zero windows as their own event', () => {
    const run = analyze(scenario('zero window').segs);
    const adv = run.events.filter((e) => e.kind === 'tcp.window_advertised').map((e) => [e.frame, e.dir, e.a]);
    expect(adv).toEqual([[1, 0, 1000], [2, 1, 3000], [3, 0, 3000], [5, 1, 0], [8, 1, 2000]]);
    expect(run.events.find((e) => e.kind === 'tcp.window_update')).toMatchObject({ frame: 8, a: 2000, b: 0 });
    expect(run.events.find((e) => e.kind === 'tcp.zero_window_probe')).toMatchObject({ frame: 6, a: 1001, b: 1 });
  });

  it('records RTT samples (segment to the ACK that covers it exactly) and bytes in flight', () => {
    const run = analyze(scenario('clean connection').segs);
    const d = run.analyzer.details(0)!;
    // the client's SYN, data and FIN are acknowledged exactly by frames 2, 5 and 9, after 20 ms each
    expect(d.sides[0].rtt).toMatchObject({ samples: 3 });
    expect(d.sides[0].rtt!.min).toBeCloseTo(0.02, 9);
    expect(d.sides[0].rtt!.max).toBeCloseTo(0.02, 9);
    expect(d.sides[1].rtt!.samples).toBe(3); // the server's SYN-ACK, data and FIN
    expect(d.sides[1].maxBytesInFlight).toBe(1000);
    expect(d.sides[0].isn).toBe(1000);
    expect(d.sides[0].mss).toBe(1460);
    expect(d.sides[0].sackPermitted).toBe(true);
    expect(d.firstCloser).toBe(0);
  });

  it('needs no allocation-heavy result: lastDir and lastFlags describe the last packet', () => {
    const run = analyze(scenario('lost segment, duplicate ACKs').segs);
    expect(run.dir).toEqual([0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 1]);
    expect(framesWith(run, 'duplicate_ack')).toEqual([9, 10, 11]);
  });
});

describe('ICMP errors quoting TCP', () => {
  // tshark 4.0 gives the quoted segment a tcp.stream when 16+ bytes of its TCP header are quoted (checked with a
  // capture of: SYN A, ICMP error quoting SYN B in full, ICMP error quoting 8 bytes of SYN C, SYN-ACK A, SYN B:
  // streams 0, 1, none, 0, 1).
  function icmpError(quotedTcpBytes: number): DecodedPacket {
    const quotedIp = [0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, 0, 0, 10, 9, 9, 9, 10, 8, 8, 8];
    const tcp = [0x15, 0xb3, 0x01, 0xbb, 0, 0, 0, 7, 0, 0, 0, 0, 0x50, 0x02, 0x03, 0xe8, 0, 0, 0, 0].slice(0, quotedTcpBytes);
    const bytes = Uint8Array.from([...new Array(34).fill(0), 3, 3, 0, 0, 0, 0, 0, 0, ...quotedIp, ...tcp]);
    return {
      frame: { index: 2, timestamp: 0, tsSec: 1, tsNsec: 0, linkType: 1, bytes, originalLength: bytes.length, interface: 0, fileOffset: 0 },
      decoded: true, layers: ['eth', 'ipv4', 'icmp', 'ip', 'tcp'], ipVersion: 4, src: '10.7.7.7', dst: '10.9.9.9', ipProtocol: 1,
      ttl: 64, fragment: false, reassembled: false,
      icmp: { version: 4, type: 3, code: 3, offset: 34, quoted: { src: '10.9.9.9', dst: '10.8.8.8', protocol: 6, srcPort: 5555, dstPort: 443 } },
      payloadBytes: bytes, payloadStart: 42, payloadEnd: bytes.length, issues: [],
    };
  }

  it('numbers a stream for a fully quoted header, none for an 8-byte quote, and lists only streams with TCP frames', () => {
    const run = analyze([{ from: 'c', flags: 'S', seq: 1000, t: 0 }], { finish: false });
    expect(run.analyzer.onIcmpError(icmpError(8))).toBe(-1);
    const id = run.analyzer.onIcmpError(icmpError(20));
    expect(run.table.list[id].tcpStream).toBe(1);
    run.analyzer.finish();
    expect(run.analyzer.toJson().map((j) => j.stream)).toEqual([0]);
  });
});

describe('robustness', () => {
  it('never throws on arbitrary headers (any flags, numbers, lengths, options) and keeps every frame in a stream', () => {
    let x = 12345;
    const rnd = () => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return x / 2 ** 32; };
    const segs = Array.from({ length: 3000 }, (_, i) => ({
      from: (rnd() < 0.5 ? 'c' : 's') as 'c' | 's',
      flags: ['', 'S', 'SA', 'A', 'FA', 'R', 'RA', 'PA', 'F', 'SF', 'SR', 'FRA'][Math.floor(rnd() * 12)],
      seq: Math.floor(rnd() * 2 ** 32), ack: Math.floor(rnd() * 2 ** 32), len: Math.floor(rnd() * 3) * Math.floor(rnd() * 70000),
      payload: new Uint8Array(Math.floor(rnd() * 40)), win: Math.floor(rnd() * 65536), t: i * (rnd() < 0.1 ? 0 : 0.001),
      ws: rnd() < 0.1 ? Math.floor(rnd() * 256) : undefined, mss: rnd() < 0.1 ? Math.floor(rnd() * 65536) : undefined,
      src: { ip: `10.0.0.${1 + Math.floor(rnd() * 3)}`, port: 1 + Math.floor(rnd() * 3) },
      dst: { ip: `10.0.0.${1 + Math.floor(rnd() * 3)}`, port: 1 + Math.floor(rnd() * 3) },
    }));
    for (const mode of ['tshark', 'reorder'] as const) {
      let delivered = 0;
      const run = analyze(segs, { streamMode: mode, sink: { onData: (_c, _d, d) => { delivered += d.length; return true; }, onGap: () => {} } });
      expect(run.conv.every((id) => id >= 0 && run.table.list[id].protocol === 'tcp')).toBe(true);
      const json = run.analyzer.toJson();
      expect(json.reduce((n, j) => n + j.frames, 0)).toBe(segs.length);
      expect(delivered).toBeGreaterThan(0);
      for (let i = 0; i < run.timeline.count; i++) expect(Number.isFinite(run.timeline.aOf(i)) && Number.isFinite(run.timeline.bOf(i))).toBe(true);
    }
  });
});

describe('TCP headers the wire decoder rejects', () => {
  // tshark 4.0 on such frames (checked on a capture with the same segments): a header length of 12 still gets a
  // tcp.stream and is analysed without showing flags; a header longer than its segment shows its FIN.
  function raw(index: number, hdr: number[], payload = 0): DecodedPacket {
    const bytes = Uint8Array.from([...new Array(34).fill(0), ...hdr, ...new Array(payload).fill(0x61)]);
    return {
      frame: { index, timestamp: 0, tsSec: 1, tsNsec: index * 1000, linkType: 1, bytes, originalLength: bytes.length, interface: 0, fileOffset: 0 },
      decoded: true, layers: ['eth', 'ip', 'tcp'], ipVersion: 4, src: '10.0.0.9', dst: '10.0.0.2', ipProtocol: 6, ttl: 64,
      fragment: false, reassembled: false, payloadBytes: bytes, payloadStart: 34, payloadEnd: bytes.length, issues: [],
    };
  }
  const header = (offsetByte: number, flags: number) =>
    [0, 5, 0, 80, 0, 0, 0, 7, 0, 0, 0, 1, offsetByte, flags, 3, 232, 0, 0, 0, 0];

  it('gives a bogus header a stream number, counts its bytes, and shows no flags', () => {
    const run = analyze([{ from: 'c', flags: 'S', seq: 1000, t: 0 }], { finish: false });
    const id = run.analyzer.onUndecodedTcp(raw(2, header(0x30, 0x10), 8), 0.001);
    expect(run.analyzer.lastFlags).toBe(0);
    expect(run.table.list[id].tcpStream).toBe(1);
    run.analyzer.finish();
    const j = run.analyzer.toJson()[1];
    expect(j).toMatchObject({ stream: 1, firstFrame: 2, frames: 1, bytes: { client: 16, server: 0 } }); // 28 - 12
  });

  it('counts the FIN of a header longer than its segment, and ignores a header cut under 16 bytes', () => {
    const run = analyze([{ from: 'c', flags: 'S', seq: 1000, t: 0 }], { finish: false });
    run.analyzer.onUndecodedTcp(raw(2, header(0xf0, 0x11), 4), 0.001);
    expect(run.analyzer.toJson()[1].fin).toEqual({ client: [2], server: [] });
    const cut = raw(3, header(0x50, 0x10).slice(0, 15));
    expect(run.analyzer.onUndecodedTcp(cut, 0.002)).toBe(-1);
  });
});

describe('after finish()', () => {
  it('reports the same facts from the compacted state, and ignores later packets without throwing', () => {
    const segs = [
      { from: 'c' as const, flags: 'S', seq: 1000, t: 0, ws: 7, mss: 1460 },
      { from: 's' as const, flags: 'SA', seq: 5000, ack: 1001, t: 0.01, ws: 8 },
      { from: 'c' as const, flags: 'A', seq: 1001, ack: 5001, t: 0.02 },
      { from: 'c' as const, flags: 'PA', seq: 1001, ack: 5001, len: 100, t: 0.03 },
      { from: 's' as const, flags: 'A', seq: 5001, ack: 1101, t: 0.04 },
      { from: 'c' as const, flags: 'FA', seq: 1101, ack: 5001, t: 0.05 },
      { from: 's' as const, flags: 'RA', seq: 5001, ack: 1102, t: 0.06 },
    ];
    const live = analyze(segs, { finish: false });
    const done = analyze(segs);
    const id = done.conv[0];
    expect(done.analyzer.toJson()).toEqual(live.analyzer.toJson());
    expect(done.analyzer.details(id)).toEqual(live.analyzer.details(id));
    for (const dir of [0, 1] as const) {
      expect(done.analyzer.relativeSeq(id, dir, 123456)).toBe(live.analyzer.relativeSeq(id, dir, 123456));
      expect(done.analyzer.relativeAck(id, dir, 123456)).toBe(live.analyzer.relativeAck(id, dir, 123456));
      expect(done.analyzer.windowBytes(id, dir, 1000, false)).toBe(live.analyzer.windowBytes(id, dir, 1000, false));
    }
    expect(done.analyzer.details(id + 1)).toBeUndefined();
    expect(done.analyzer.relativeSeq(-1, 0, 5)).toBe(5);
  });
});
