// The capture generator's engine: a scheduler that interleaves many concurrent flows (flows.ts) on one clock with
// exponential gaps between frames, and writes every frame to the requested formats as it is produced.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PcapFileWriter, PcapngFileWriter, type CaptureSink } from './capture-writers';
import { FrameBuilder } from './frame-builder';
import { dnsFlow, emptyStats, FOLLOW, quicFlow, tcpFlow, type Flow, type GenContext, type GenStats } from './flows';
import { Prng, RandomPool } from './prng';
import { World } from './world';

export type GenFormat = 'pcap' | 'pcapng';

export interface GenerateOptions {
  packets: number;
  /** Output path without extension: writes PREFIX.pcap, PREFIX.pcapng and PREFIX.json (manifest). */
  out: string;
  seed?: number;
  formats?: GenFormat[];
  /** Flows with a frame to send at any time (sleeping flows, waiting on a timer, come on top). */
  concurrency?: number;
  /** Mean gap between frames, microseconds. */
  gapUs?: number;
  /** Multiplier on the chances of TCP anomalies (losses, retransmissions, zero windows...), for small test files. */
  anomalies?: number;
}

export interface GenerateResult {
  /** Bumped whenever the output for the same options changes, so cached captures are regenerated. */
  generatorVersion: number;
  options: Required<GenerateOptions>;
  files: Record<string, { path: string; bytes: number }>;
  packets: number;
  frameBytes: number;
  tcpPackets: number;
  udpPackets: number;
  ipv6Packets: number;
  durationSec: number;
  stats: GenStats;
  elapsedMs: number;
}

export const GENERATOR_VERSION = 2;
/** 2025-11-24 00:00:00 UTC: the capture's first second. */
const START_SEC = 1763942400;

class Context implements GenContext {
  readonly fb = new FrameBuilder();
  readonly rng: Prng;
  readonly pool: RandomPool;
  readonly world: World;
  readonly stats = emptyStats();
  now = 0;
  frameLength = -1;
  constructor(seed: number, readonly tick: number, readonly anomalies: number) {
    this.rng = new Prng(seed);
    this.pool = new RandomPool(new Prng(seed ^ 0x5eed));
    this.world = new World(new Prng(seed ^ 0x3077));
  }
  emitted(frameLength: number): void {
    if (this.frameLength >= 0) throw new Error('generator bug: two frames emitted without a yield between them');
    this.frameLength = frameLength;
  }
}

/** Min-heap of sleeping flows by wake time. */
class WakeHeap {
  private readonly at: number[] = [];
  private readonly flows: Flow[] = [];
  get size(): number { return this.at.length; }
  peek(): number { return this.at[0]; }
  push(t: number, f: Flow): void {
    let i = this.at.length;
    this.at.push(t); this.flows.push(f);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.at[p] <= t) break;
      this.at[i] = this.at[p]; this.flows[i] = this.flows[p];
      i = p;
    }
    this.at[i] = t; this.flows[i] = f;
  }
  pop(): Flow {
    const top = this.flows[0];
    const t = this.at.pop()!, f = this.flows.pop()!;
    const n = this.at.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && this.at[c + 1] < this.at[c]) c++;
        if (this.at[c] >= t) break;
        this.at[i] = this.at[c]; this.flows[i] = this.flows[c];
        i = c;
      }
      this.at[i] = t; this.flows[i] = f;
    }
    return top;
  }
}

function newFlow(g: Context): Flow {
  const u = g.rng.next();
  if (u < 0.58) return tcpFlow(g, 'tls');
  if (u < 0.66) return tcpFlow(g, 'http');
  if (u < 0.78) return quicFlow(g);
  return dnsFlow(g);
}

export function generateCapture(opts: GenerateOptions): GenerateResult {
  const started = performance.now();
  const o: Required<GenerateOptions> = {
    packets: opts.packets, out: opts.out, seed: opts.seed ?? 12345, formats: opts.formats ?? ['pcap', 'pcapng'],
    concurrency: opts.concurrency ?? 400, gapUs: opts.gapUs ?? 20, anomalies: opts.anomalies ?? 1,
  };
  mkdirSync(dirname(o.out), { recursive: true });
  const sinks: CaptureSink[] = [];
  const files: GenerateResult['files'] = {};
  for (const f of o.formats) {
    const path = `${o.out}.${f}`;
    sinks.push(f === 'pcap' ? new PcapFileWriter(path) : new PcapngFileWriter(path));
    files[f] = { path, bytes: 0 };
  }
  const g = new Context(o.seed, o.concurrency * o.gapUs, o.anomalies);
  const ready: Flow[] = [];
  const sleeping = new WakeHeap();
  for (let i = 0; i < o.concurrency; i++) ready.push(newFlow(g));
  let follow: Flow | null = null;
  let written = 0, frameBytes = 0, tcp = 0, udp = 0, v6 = 0;
  let now = 0;
  const buf = g.fb.buf;
  while (written < o.packets) {
    now += Math.max(1, Math.round(g.rng.exp(o.gapUs)));
    while (sleeping.size > 0 && sleeping.peek() <= now) ready.push(sleeping.pop());
    let flow: Flow;
    if (follow) {
      flow = follow;
      follow = null;
    } else {
      if (ready.length === 0) { now = sleeping.peek() - 1; continue; }
      const i = Math.floor(g.rng.next() * ready.length);
      flow = ready[i];
      ready[i] = ready[ready.length - 1];
      ready.pop();
    }
    g.now = now;
    g.frameLength = -1;
    const step = flow.next();
    if (step.done) {
      if (ready.length < o.concurrency) ready.push(newFlow(g));
      continue;
    }
    const len = g.frameLength;
    if (len >= 0) {
      const sec = START_SEC + Math.floor(now / 1e6), usec = now % 1e6;
      for (const s of sinks) s.write(sec, usec, buf, len);
      written++;
      frameBytes += len;
      const ethType = (buf[12] << 8) | buf[13];
      if (ethType === 0x86dd) v6++;
      const proto = ethType === 0x86dd ? buf[20] : buf[23];
      if (proto === 6) tcp++; else if (proto === 17) udp++;
    }
    const hint = step.value;
    if (hint === FOLLOW) follow = flow;
    else if (hint > 0) {
      // A sleeping flow does not hold its slot, so that timers cannot starve the clock of frames.
      sleeping.push(now + hint, flow);
      if (ready.length < o.concurrency) ready.push(newFlow(g));
    } else ready.push(flow);
  }
  for (const s of sinks) s.close();
  for (let i = 0; i < sinks.length; i++) files[o.formats[i]].bytes = sinks[i].bytesWritten;
  const result: GenerateResult = {
    generatorVersion: GENERATOR_VERSION, options: o, files, packets: written, frameBytes, tcpPackets: tcp,
    udpPackets: udp, ipv6Packets: v6, durationSec: now / 1e6, stats: g.stats, elapsedMs: Math.round(performance.now() - started),
  };
  writeFileSync(`${o.out}.json`, JSON.stringify(result, null, 2) + '\n');
  return result;
}
