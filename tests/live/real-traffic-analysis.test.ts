// TCP analysis on REAL kernel traffic, frame by frame against tshark (root, tshark, tcpdump). Three namespaces the
// test creates, client — router — server; tbf on the router's egress toward the server drops real packets between
// a capture on the client's interface (the sender's view: retransmissions, dup ACKs with SACK) and one on the
// server's (the receiver's: holes, out-of-order). Also a slow reader (zero window, probes, window updates) and a run
// of connection endings (refused, abort, half-close, a source port used twice). Real traffic differs run to run, so
// nothing here names a frame: each file is compared with tshark 4.0.17's reading of the same file, and tshark's own
// counts show that the rules were really exercised.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { needRoot, needTshark } from '../support/require';
import { TCP_ANALYSIS_FLAGS, type TcpAnalysisFlagName, type TcpJson } from '../../decoders/analysis-json';
import { analyzeFile, killScripts, needNetns, needTool, RouterNet, runScript, startTcpdump, tsharkRecords } from './support';

const skip = needRoot() ?? needTshark() ?? needNetns() ?? needTool('tcpdump');

// The preferences ../shared/captures/oracle/build_oracle.py pins, so that both sides agree on the settings.
const TSHARK_PREFS = [
  '-n',
  '-o', 'tcp.relative_sequence_numbers:TRUE',
  '-o', 'tcp.analyze_sequence_numbers:TRUE',
  '-o', 'tcp.calculate_timestamps:TRUE',
  '-o', 'tcp.desegment_tcp_streams:TRUE',
  '-o', 'tcp.check_checksum:FALSE',
  '-o', 'tcp.track_bytes_in_flight:TRUE',
  '-o', 'tls.desegment_ssl_records:TRUE',
  '-o', 'tls.desegment_ssl_application_data:TRUE',
];
// tshark flags that our JSON has no key for; a frame flagged only by one of these is not a difference.
const NOT_COMPARED = ['reused_ports'];

type FlagCounts = Record<TcpAnalysisFlagName, number>;

interface TsharkStream {
  stream: number;
  frames: number[];
  client: string;
  server: string;
  handshake: { syn: number | null; synAck: number | null; ack: number | null; initialRtt: number | null };
  fin: { client: number[]; server: number[] };
  rst: { client: number[]; server: number[] };
  analysis: Record<TcpAnalysisFlagName, number[]>;
}

const truthy = (v: string) => v === '1' || v === 'True' || v === 'true';

/** tshark's view of every TCP stream in `file`, reshaped as build_oracle.py does (handshake, client, FIN/RST). */
function tsharkStreams(file: string): { streams: Map<number, TsharkStream>; unexplained: number[] } {
  const flagFields = [...TCP_ANALYSIS_FLAGS, ...NOT_COMPARED].map((f) => `tcp.analysis.${f}`);
  const fields = ['frame.number', 'tcp.stream', 'ip.src', 'ip.dst', 'tcp.srcport', 'tcp.dstport', 'tcp.flags.syn',
    'tcp.flags.ack', 'tcp.flags.fin', 'tcp.flags.reset', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.analysis.initial_rtt',
    'tcp.analysis.flags', ...flagFields];
  const rows = tsharkRecords(file, fields, [...TSHARK_PREFS, '-E', 'occurrence=l', '-Y', 'tcp and not icmp']);
  const byStream = new Map<number, Record<string, string>[]>();
  const unexplained: number[] = [];
  for (const r of rows) {
    const sid = Number(r['tcp.stream']);
    if (!byStream.has(sid)) byStream.set(sid, []);
    byStream.get(sid)!.push(r);
    // A frame tshark marks as analysed must carry one of the flags compared (or one we know we do not list).
    if (r['tcp.analysis.flags'] !== '' && flagFields.every((f) => r[f] === '')) unexplained.push(Number(r['frame.number']));
  }
  const streams = new Map<number, TsharkStream>();
  for (const [sid, pk] of byStream) {
    const ep = (r: Record<string, string>, which: 'src' | 'dst') =>
      `${r[`ip.${which}`]}:${r[which === 'src' ? 'tcp.srcport' : 'tcp.dstport']}`;
    const fn = (r: Record<string, string>) => Number(r['frame.number']);
    const isSyn = (r: Record<string, string>) => truthy(r['tcp.flags.syn']) && !truthy(r['tcp.flags.ack']);
    const isSynAck = (r: Record<string, string>) => truthy(r['tcp.flags.syn']) && truthy(r['tcp.flags.ack']);
    const syn = pk.find(isSyn);
    const synAck = syn ? pk.find((r) => isSynAck(r) && ep(r, 'src') === ep(syn, 'dst') && ep(r, 'dst') === ep(syn, 'src'))
      : pk.find(isSynAck);
    const [client, server] = syn ? [ep(syn, 'src'), ep(syn, 'dst')] : synAck ? [ep(synAck, 'dst'), ep(synAck, 'src')]
      : [ep(pk[0], 'src'), ep(pk[0], 'dst')];
    let ack: number | null = null;
    if (synAck) {
      const want = (Number(synAck['tcp.seq_raw']) + 1) % 2 ** 32;
      // As build_oracle.py: the client's first plain ACK after the SYN-ACK, if it acknowledges the SYN-ACK.
      const plain = pk.find((r) => fn(r) > fn(synAck) && ep(r, 'src') === client && truthy(r['tcp.flags.ack'])
        && !truthy(r['tcp.flags.syn']) && !truthy(r['tcp.flags.reset']));
      if (plain && Number(plain['tcp.ack_raw']) === want) ack = fn(plain);
    }
    const irtt = pk.find((r) => r['tcp.analysis.initial_rtt'] !== '')?.['tcp.analysis.initial_rtt'];
    const side = (r: Record<string, string>) => (ep(r, 'src') === client ? 'client' : 'server');
    const fin = { client: [] as number[], server: [] as number[] };
    const rst = { client: [] as number[], server: [] as number[] };
    for (const r of pk) {
      if (truthy(r['tcp.flags.fin'])) fin[side(r)].push(fn(r));
      if (truthy(r['tcp.flags.reset'])) rst[side(r)].push(fn(r));
    }
    const analysis = Object.fromEntries(TCP_ANALYSIS_FLAGS.map((f) =>
      [f, pk.filter((r) => r[`tcp.analysis.${f}`] !== '').map(fn)])) as Record<TcpAnalysisFlagName, number[]>;
    streams.set(sid, {
      stream: sid, frames: pk.map(fn), client, server,
      handshake: { syn: syn ? fn(syn) : null, synAck: synAck ? fn(synAck) : null, ack, initialRtt: irtt ? Number(irtt) : null },
      fin, rst, analysis,
    });
  }
  return { streams, unexplained };
}

const diffList = (what: string, theirs: number[], ours: number[]): string[] => {
  const t = new Set(theirs), o = new Set(ours);
  const tOnly = theirs.filter((f) => !o.has(f)), oOnly = ours.filter((f) => !t.has(f));
  if (tOnly.length === 0 && oOnly.length === 0 && theirs.length === ours.length) return [];
  return [`${what}: tshark ${theirs.length} frame(s), ours ${ours.length}; only tshark's: [${tOnly.slice(0, 20)}]` +
    `${tOnly.length > 20 ? '…' : ''}, only ours: [${oOnly.slice(0, 20)}]${oOnly.length > 20 ? '…' : ''}`];
};

/**
 * Every difference between tshark's and our TCP analysis of `file` (an empty list when they agree), and tshark's
 * count of frames per flag over the whole file.
 */
function compareWithTshark(file: string): { diffs: string[]; counts: FlagCounts; streams: Map<number, TsharkStream> } {
  const { streams, unexplained } = tsharkStreams(file);
  const ours: TcpJson[] = analyzeFile(file).tcp.toJson();
  const diffs: string[] = [];
  if (unexplained.length) diffs.push(`tshark flagged frames with a tcp.analysis flag this test does not compare: [${unexplained.slice(0, 20)}]`);
  const ourById = new Map(ours.map((s) => [s.stream, s]));
  const theirIds = [...streams.keys()].sort((x, y) => x - y), ourIds = [...ourById.keys()].sort((x, y) => x - y);
  if (theirIds.join() !== ourIds.join()) diffs.push(`tcp.stream set: tshark [${theirIds}] ours [${ourIds}]`);
  for (const [sid, t] of streams) {
    const o = ourById.get(sid);
    if (!o) continue;
    const at = `stream ${sid}`;
    if (o.firstFrame !== t.frames[0]) diffs.push(`${at} first frame: tshark ${t.frames[0]} ours ${o.firstFrame}`);
    if (o.frames !== t.frames.length) diffs.push(`${at} frame count: tshark ${t.frames.length} ours ${o.frames}`);
    if (o.client !== t.client || o.server !== t.server) diffs.push(`${at} endpoints: tshark ${t.client} → ${t.server}, ours ${o.client} → ${o.server}`);
    for (const k of ['syn', 'synAck', 'ack'] as const) {
      if (o.handshake[k] !== t.handshake[k]) diffs.push(`${at} handshake.${k}: tshark ${t.handshake[k]} ours ${o.handshake[k]}`);
    }
    const rttT = t.handshake.initialRtt, rttO = o.handshake.initialRtt;
    if ((rttT === null) !== (rttO === null) || (rttT !== null && rttO !== null && Math.abs(rttT - rttO) > 1e-6)) {
      diffs.push(`${at} initial RTT: tshark ${rttT} ours ${rttO}`);
    }
    for (const side of ['client', 'server'] as const) {
      diffs.push(...diffList(`${at} FIN from the ${side}`, t.fin[side], o.fin[side]));
      diffs.push(...diffList(`${at} RST from the ${side}`, t.rst[side], o.rst[side]));
    }
    for (const f of TCP_ANALYSIS_FLAGS) diffs.push(...diffList(`${at} ${f}`, t.analysis[f], o.analysis[f] ?? []));
  }
  const counts = Object.fromEntries(TCP_ANALYSIS_FLAGS.map((f) =>
    [f, [...streams.values()].reduce((n, s) => n + s.analysis[f].length, 0)])) as FlagCounts;
  return { diffs, counts, streams };
}

const summary = (counts: FlagCounts) => Object.entries(counts).filter(([, n]) => n > 0).map(([f, n]) => `${f}=${n}`).join(' ');

describe.skipIf(skip)('TCP analysis of real kernel traffic equals tshark, frame by frame (root)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-real-tcp-'));
  const net = new RouterNet('real', 100 + (process.pid % 100));
  const log = (msg: string) => console.log(`[real-traffic] ${msg}`);

  beforeAll(() => {
    net.create();
  });

  // The captures stay for a look when a test failed (or with PACKETFLOW_KEEP_CAPTURES=1).
  let keep = process.env.PACKETFLOW_KEEP_CAPTURES === '1';
  afterEach(({ task }) => {
    if (task.result?.state === 'fail') keep = true;
  });

  afterAll(() => {
    killScripts();
    net.destroy();
    if (keep) console.log(`[real-traffic] captures kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `traffic` with tcpdump on each named interface; returns the files once every capture is closed. */
  async function record(name: string, where: [string, string][], traffic: () => Promise<void>): Promise<string[]> {
    const caps = [];
    try {
      for (const [ns, dev] of where) caps.push(await startTcpdump(ns, dev, join(dir, `${name}-${dev}.pcap`)));
      await traffic();
    } finally {
      for (const c of caps) {
        const r = await c.stop();
        log(`${basename(c.file)}: ${r.captured} packets, ${r.dropped} dropped by the kernel`);
      }
    }
    return caps.map((c) => c.file);
  }

  async function serve(port: number, extra: string[] = []) {
    const srv = runScript('tcp-scenarios', ['server', '--host', net.serverIp, '--port', String(port), ...extra], net.server);
    await srv.port;
    return srv;
  }

  async function client(args: string[]) {
    const r = await runScript('tcp-scenarios', [...args, '--host', net.serverIp], net.client).done;
    expect(r.code, `tcp-scenarios ${args[0]}: ${r.stderr}`).toBe(0);
    return r;
  }

  it('bulk upload through a dropping router: sender and receiver captures both agree with tshark', async () => {
    // A tight queue on the router's egress toward the server: CUBIC overruns it, packets are really dropped.
    const attempts = [{ burst: '10kb', limit: '12kb' }, { burst: '5kb', limit: '6kb' }];
    let sender = '', receiver = '', counts!: { sender: FlagCounts; receiver: FlagCounts };
    try {
      for (const [i, q] of attempts.entries()) {
        net.tc(net.router, 'qdisc', 'replace', 'dev', net.routerServerDev, 'root', 'tbf', 'rate', '25mbit',
          'burst', q.burst, 'limit', q.limit);
        const port = 5001 + i;
        const srv = await serve(port);
        [sender, receiver] = await record(`bulk${i}`, [[net.client, net.clientDev], [net.server, net.serverDev]], async () => {
          await client(['bulk', '--port', String(port), '--bytes', '3000000']);
          await srv.done;
        });
        const s = compareWithTshark(sender), r = compareWithTshark(receiver);
        counts = { sender: s.counts, receiver: r.counts };
        log(`bulk (tbf limit ${q.limit}) sender: ${summary(s.counts)}`);
        log(`bulk (tbf limit ${q.limit}) receiver: ${summary(r.counts)}`);
        expect(s.diffs, `sender-side capture ${sender}`).toEqual([]);
        expect(r.diffs, `receiver-side capture ${receiver}`).toEqual([]);
        const exercised = s.counts.retransmission > 0 && s.counts.duplicate_ack > 0
          && r.counts.lost_segment + r.counts.out_of_order > 0;
        if (exercised) break;
        log(`bulk: too few drops with tbf limit ${q.limit}${i + 1 < attempts.length ? ', again with a tighter queue' : ''}`);
      }
    } finally {
      try { net.tc(net.router, 'qdisc', 'del', 'dev', net.routerServerDev, 'root'); } catch { /* never added */ }
    }
    // The comparison was not vacuous: the sender saw its retransmissions and the receiver's dup ACKs, the receiver
    // saw the holes the drops left.
    expect(counts.sender.retransmission).toBeGreaterThan(0);
    expect(counts.sender.duplicate_ack).toBeGreaterThan(0);
    expect(counts.receiver.lost_segment + counts.receiver.out_of_order).toBeGreaterThan(0);
  });

  it('a reader that stops for a second, then drains: zero window, probes and window updates agree with tshark', async () => {
    // A tiny receive buffer in the server's namespace (Node cannot set SO_RCVBUF), for this server only.
    const saved = net.sysctlRead(net.server, 'net.ipv4.tcp_rmem');
    net.sysctl(net.server, 'net.ipv4.tcp_rmem', '4096 8192 8192');
    let file: string;
    try {
      const srv = await serve(5011, ['--pause-ms', '1000']);
      [file] = await record('slow', [[net.client, net.clientDev]], async () => {
        await client(['bulk', '--port', '5011', '--bytes', '300000']);
        await srv.done;
      });
    } finally {
      net.sysctl(net.server, 'net.ipv4.tcp_rmem', saved);
    }
    const { diffs, counts } = compareWithTshark(file);
    log(`slow reader: ${summary(counts)}`);
    expect(diffs, `capture ${file}`).toEqual([]);
    expect(counts.zero_window).toBeGreaterThan(0);
    expect(counts.window_update).toBeGreaterThan(0);
    expect(counts.window_full).toBeGreaterThan(0);
    // Linux probes a zero window with a segment one byte below the next sequence number: a keep-alive to tshark.
    expect(counts.keep_alive).toBeGreaterThan(0);
  });

  it('refused, aborted, half-closed and port-reusing connections agree with tshark', async () => {
    const srv = await serve(5021, ['--count', '4']);
    // Below the ephemeral range, so no other connection of the run can get it by chance.
    const localPort = 20000 + (process.pid % 1000) * 2;
    const [file] = await record('endings', [[net.client, net.clientDev]], async () => {
      const r = await client(['endings', '--port', '5021', '--closed-port', '5029', '--local-port', String(localPort)]);
      log(`endings: ${r.stdout.trim().replace(/\n/g, '; ')}`);
      await srv.done;
    });
    const { diffs, counts, streams } = compareWithTshark(file);
    log(`endings: ${streams.size} streams; ${summary(counts)}`);
    expect(diffs, `capture ${file}`).toEqual([]);
    const list = [...streams.values()];
    const to = (port: number) => list.filter((s) => s.server.endsWith(`:${port}`));
    const rsts = (s: TsharkStream) => s.rst.client.length + s.rst.server.length;
    // Two refusals from the same source port: two streams, each a SYN answered by the server's RST.
    const refused = to(5029);
    expect(refused).toHaveLength(2);
    for (const s of refused) expect(s.rst.server).toHaveLength(1);
    // abort + half-close + the same source port twice = four streams to the server.
    const served = to(5021);
    expect(served).toHaveLength(4);
    const fromPort = served.filter((s) => s.client.endsWith(`:${localPort}`));
    expect(fromPort).toHaveLength(2); // tshark starts a new stream for the second SYN on the same ports
    expect(rsts(fromPort[0])).toBeGreaterThan(0);
    expect(fromPort[1].fin.client.length * fromPort[1].fin.server.length).toBe(1);
    const others = served.filter((s) => !s.client.endsWith(`:${localPort}`));
    expect(others.filter((s) => s.rst.client.length > 0)).toHaveLength(1); // the abort
    // The half-close: our FIN came first, the server's FIN (after its data) last.
    const half = others.find((s) => s.rst.client.length === 0)!;
    expect(half.fin.client[0]).toBeLessThan(half.fin.server[0]);
  });
});
