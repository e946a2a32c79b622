// The in-process measurements, each run in its own child process (so that its peak RSS is its own): reading only,
// reading + wire decoding of every layer, the TCP analysis alone (Analyzer scope 'tcp') and the full analysis.
import { captureFileSize, readCaptureFileSync } from '../../capture/node-file-source';
import { Analyzer, expectedFramesForBytes } from '../../decoders/analyzer';
import { PacketDecoder } from '../../decoders/decode';
import { vmHwmKb } from './proc';

export type PhaseName = 'read' | 'decode' | 'analyze' | 'tcp';

/** Marks the line of a child's stdout that holds its JSON result. */
export const RESULT_TAG = 'PF-BENCH-RESULT ';

export interface PhaseResult {
  phase: PhaseName;
  file: string;
  frames: number;
  /** In-process time of the pass (no Node start-up), ms. */
  ms: number;
  /**
   * From the process's start to the end of the pass: Node start-up included, the benchmark's own memory measuring
   * not (the gc() before the pass, for the baseline heap, is subtracted; everything after the pass is later).
   */
  untilDoneMs: number;
  /** analyze/tcp: Analyzer.trim() after the pass (what the app does once the result is shown; not in `ms`). */
  trimMs?: number;
  framesPerSec: number;
  /** Peak RSS of the process (VmHWM), MB; and the largest RSS sampled during the pass. */
  peakRssMb: number | null;
  sampledRssMb: number;
  /** Counts to check the pass against the generator's manifest. */
  counts: Record<string, number>;
  /** analyze: retained memory after the pass. */
  retained?: RetainedMemory;
  warnings: number;
  fatal: string | null;
}

export interface RetainedMemory {
  /** model.frames.retainedBytes() + model.timeline.retainedBytes() + the conversation table's bytes. */
  modelBytes: number;
  framesBytes: number;
  timelineBytes: number;
  conversations: number;
  conversationBytes: number;
  timelineEvents: number;
  /** heapUsed + arrayBuffers after gc(), minus the same before the analyzer was created. */
  heapDeltaBytes: number;
  modelBytesPerPacket: number;
  heapBytesPerPacket: number;
  /** The per-frame and per-event columns (frames + timeline) per packet: what grows with every packet. */
  columnBytesPerPacket: number;
  /** Everything else the heap kept (conversation objects, per-conversation analysis state, tables) per conversation. */
  heapBytesPerConversation: number;
}

const gc = (): void => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) { g(); g(); }
};

export function runPhase(phase: PhaseName, file: string): PhaseResult {
  let sampled = process.memoryUsage().rss;
  let batches = 0;
  const sample = () => { if ((++batches & 15) === 0) sampled = Math.max(sampled, process.memoryUsage().rss); };
  const counts: Record<string, number> = {};
  let retained: RetainedMemory | undefined;
  let frames = 0;
  let ms = 0;
  /** Since the process started (performance.now()'s origin), when the pass ended: before any measuring. */
  let untilDoneMs = 0;
  let trimMs: number | undefined;
  let info;
  if (phase === 'read') {
    let bytes = 0;
    const t0 = performance.now();
    info = readCaptureFileSync(file, (batch) => {
      frames += batch.length;
      for (let i = 0; i < batch.length; i++) bytes += batch[i].bytes.length;
      sample();
    });
    ms = performance.now() - t0;
    untilDoneMs = performance.now();
    counts.frameBytes = bytes;
  } else if (phase === 'decode') {
    const decoder = new PacketDecoder({ reassembleIp: true });
    let tcp = 0, udp = 0, v6 = 0, issues = 0;
    const t0 = performance.now();
    info = readCaptureFileSync(file, (batch) => {
      for (let i = 0; i < batch.length; i++) {
        const p = decoder.decode(batch[i]);
        if (p.tcp) tcp++; else if (p.udp) udp++;
        if (p.ipVersion === 6) v6++;
        if (p.issues.length) issues++;
      }
      frames += batch.length;
      sample();
    });
    ms = performance.now() - t0;
    untilDoneMs = performance.now();
    Object.assign(counts, { tcp, udp, ipv6: v6, withIssues: issues });
  } else {
    const g0 = performance.now();
    gc();
    const m0 = process.memoryUsage();
    const measuringMs = performance.now() - g0; // the harness's, not the analysis's: left out of untilDoneMs
    // timed from the Analyzer's construction: the first one of a process runs the JIT warm-up (decoders/warm-up.ts)
    const t0 = performance.now();
    const an = new Analyzer({ fileName: file, scope: phase === 'tcp' ? 'tcp' : 'all',
      expectedFrames: expectedFramesForBytes(captureFileSize(file)) });
    info = readCaptureFileSync(file, (batch) => {
      an.push(batch);
      frames += batch.length;
      sample();
    });
    an.finish();
    ms = performance.now() - t0;
    const doneAt = performance.now();
    untilDoneMs = doneAt - measuringMs;
    // the retained memory is what a kept model holds: after trim() (timed apart: `packetflow analyze` skips it)
    an.trim();
    trimMs = performance.now() - doneAt;
    sampled = Math.max(sampled, process.memoryUsage().rss);
    gc();
    const m1 = process.memoryUsage();
    const model = an.model;
    const framesBytes = model.frames.retainedBytes();
    const timelineBytes = model.timeline.retainedBytes();
    const conversationBytes = an.conversationBytes();
    const modelBytes = framesBytes + timelineBytes + conversationBytes;
    const heapDeltaBytes = (m1.heapUsed + m1.arrayBuffers) - (m0.heapUsed + m0.arrayBuffers);
    const conversations = model.conversations.length;
    retained = {
      modelBytes, framesBytes, timelineBytes, conversations, conversationBytes,
      timelineEvents: model.timeline.count, heapDeltaBytes,
      modelBytesPerPacket: frames ? modelBytes / frames : 0, heapBytesPerPacket: frames ? heapDeltaBytes / frames : 0,
      columnBytesPerPacket: frames ? (framesBytes + timelineBytes) / frames : 0,
      heapBytesPerConversation: conversations ? (heapDeltaBytes - framesBytes - timelineBytes) / conversations : 0,
    };
    let tcpConversations = 0, quic = 0;
    for (const c of model.conversations) {
      if (c.protocol === 'tcp') tcpConversations++;
      else if (c.protocol === 'quic') quic++;
    }
    Object.assign(counts, { conversations: model.conversations.length, tcpConversations, quicConversations: quic,
      hosts: model.hosts.length, timelineEvents: model.timeline.count });
  }
  const hwm = vmHwmKb();
  return {
    phase, file, frames, ms, untilDoneMs, trimMs, framesPerSec: ms > 0 ? frames / (ms / 1000) : 0,
    peakRssMb: hwm === null ? null : hwm / 1024, sampledRssMb: sampled / 1048576, counts, retained,
    warnings: info.warnings.length, fatal: info.fatal,
  };
}
