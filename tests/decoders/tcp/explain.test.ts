// Learner explanations are built from each event's stored facts: every TCP event the scenarios produce gets a
// sentence that names what happened, and the costly ones say what they cost in round trips.
import { describe, expect, it } from 'vitest';
import { analyze } from './builder';
import { SCENARIOS } from './scenarios';
import { explainTcpEvent } from '../../../decoders/tcp/explain';
import type { TimelineEvent } from '../../../decoders/timeline';

function explained(prefix: string): Map<string, string[]> {
  const sc = SCENARIOS.find((s) => s.name.startsWith(prefix))!;
  const run = analyze(sc.segs);
  const out = new Map<string, string[]>();
  for (const e of run.events) {
    const list = out.get(e.kind) ?? [];
    list.push(explainTcpEvent(e, run.table.list[e.conversation]));
    out.set(e.kind, list);
  }
  return out;
}

describe('explainTcpEvent', () => {
  it('explains every event of every scenario in plain sentences built from its facts', () => {
    for (const sc of SCENARIOS) {
      const run = analyze(sc.segs);
      for (const e of run.events) {
        const text = explainTcpEvent(e, run.table.list[e.conversation]);
        expect(text, `${sc.name}: ${e.kind}`).toMatch(/^[A-Z].*\.$/s);
        expect(text, `${sc.name}: ${e.kind}`).not.toMatch(/undefined|NaN|\[object/);
      }
    }
  });

  it('says what the handshake costs and what a zero window means', () => {
    const clean = explained('clean connection');
    expect(clean.get('tcp.handshake_completed')![0]).toMatch(/40\.0 ms.*1 round trip before the first byte/);
    expect(clean.get('tcp.syn_sent')![0]).toMatch(/client asks to open a connection.*1460 bytes.*×128/);
    expect(clean.get('tcp.time_wait_entered')![0]).toMatch(/client .* enters TIME_WAIT.*closed first/);
    const zero = explained('zero window');
    expect(zero.get('tcp.zero_window')![0]).toMatch(/server's receive buffer is full.*zero window.*client must stop/);
    expect(zero.get('tcp.window_update')![0]).toMatch(/reopens its receive window to 2000 bytes/);
  });

  it('prices loss recovery: a timeout costs an RTO, a fast retransmission about one round trip', () => {
    expect(explained('retransmission after a timeout').get('tcp.retransmission')![0]).toMatch(/RTO/);
    const fast = explained('lost segment, duplicate ACKs');
    expect(fast.get('tcp.fast_retransmission')![0]).toMatch(/duplicate ACKs.*one extra round trip/);
    expect(fast.get('tcp.duplicate_ack')![2]).toMatch(/Duplicate ACK #3.*frame 8/);
  });

  it('tells a keep-alive from the zero-window probe Linux sends in the same shape', () => {
    const conv = analyze(SCENARIOS[0].segs).table.list[0];
    const probe: TimelineEvent = { id: 0, kind: 'tcp.keep_alive', frame: 9, conversation: 0, dir: 0, a: 100, b: 0, ref: undefined };
    expect(explainTcpEvent(probe, conv)).toMatch(/idle, so the client sends a keep-alive/);
    expect(explainTcpEvent(probe, conv, { windows: { client: 65535, server: 8192 } })).toMatch(/idle, so the client sends a keep-alive/);
    expect(explainTcpEvent(probe, conv, { windows: { client: 65535, server: 0 } }))
      .toMatch(/server's window is zero, so the client probes it.*shape of a keep-alive/);
    const ack: TimelineEvent = { ...probe, kind: 'tcp.keep_alive_ack', dir: 1 };
    expect(explainTcpEvent(ack, conv, { windows: { client: 65535, server: 0 } })).toMatch(/server answers the probe: its window is still zero/);
    expect(explainTcpEvent(ack, conv, { windows: { client: 65535, server: 4096 } })).toMatch(/server answers the keep-alive/);
  });

  it('tells a retransmission timeout from a repair the receiver asked for', () => {
    const conv = analyze(SCENARIOS[0].segs).table.list[0];
    const re: TimelineEvent = { id: 0, kind: 'tcp.retransmission', frame: 9, conversation: 0, dir: 0, a: 1, b: 1448, ref: undefined };
    expect(explainTcpEvent(re, conv, { sincePeer: 1.2, peerDupAck: false }))
      .toMatch(/nothing from the server for 1\.20 s.*timer expired.*RTO/);
    expect(explainTcpEvent(re, conv, { sincePeer: 0.0004, peerDupAck: true }))
      .toMatch(/400 µs after the server's last segment, a duplicate ACK: it is repairing a loss.*one extra round trip/);
    expect(explainTcpEvent(re, conv, { sincePeer: 0.031, peerDupAck: false }))
      .toMatch(/31\.0 ms after .*too soon for a retransmission timeout.*SACK/);
    expect(explainTcpEvent(re, conv)).toMatch(/no acknowledgement came in time.*RTO/);
    // A SYN or FIN sent again is always a timeout, however soon the other side spoke.
    const syn = { ...re, a: 0, b: 0 }, fin = { ...re, a: 1449, b: 0 };
    expect(explainTcpEvent(syn, conv, { sincePeer: 0.001, peerDupAck: false })).toMatch(/sends its connection request \(SYN\) again because no acknowledgement came in time/);
    expect(explainTcpEvent(fin, conv, { sincePeer: 0.001, peerDupAck: true })).toMatch(/sends its FIN again because.*timer expired/);
    expect(explainTcpEvent({ ...syn, dir: 1 }, conv, { sincePeer: 0.001 })).toMatch(/server sends its SYN-ACK again because/);
  });

  it('tells a refused connection from an abort', () => {
    expect(explained('connection refused').get('tcp.reset')![0]).toMatch(/server refuses the connection.*port 443/);
    const abort: TimelineEvent = { id: 0, kind: 'tcp.reset', frame: 1, conversation: 0, dir: 0, a: 1, b: 2, ref: undefined };
    const conv = analyze(SCENARIOS[0].segs).table.list[0];
    expect(explainTcpEvent(abort, conv)).toMatch(/client aborts the connection/);
  });
});
