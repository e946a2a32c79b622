// Pieces of the decoding worker that run without a Worker: frame colour categories from timeline events, finding a
// frame's bytes again in the file by offset, the byte arena, and the keyboard map and SVG export of the UI.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyFrame } from '../../renderer/worker/frame-category';
import { ByteArena, locatePacketData } from '../../renderer/worker/frame-bytes';
import { CAT, Mark } from '../../renderer/worker/protocol';
import { eventCode, type EventKind } from '../../decoders/timeline';
import { FrameProto } from '../../decoders/model';
import { CaptureReader } from '../../capture/reader';
import { keyAction } from '../../renderer/ui/keys';
import { sceneToSvg } from '../../renderer/diagram/svg-export';
import { layout } from '../../renderer/diagram/layout';
import { buildShownSet } from '../../renderer/diagram/shown-set';
import { cursorAtIndex } from '../../renderer/diagram/playback';
import { THEMES } from '../../renderer/diagram/theme';
import { needShared, sharedCaptures } from '../support/require';
import { handshakeCapture } from './fixtures';

const classify = (kinds: EventKind[], proto: number = FrameProto.TCP) => {
  const codes = kinds.map(eventCode);
  return classifyFrame(codes, 0, codes.length, proto);
};

describe('frame categories', () => {
  it('puts problems first, then close, handshake, application, window, data, ack', () => {
    expect(classify(['tcp.data', 'tcp.retransmission'])).toEqual({ cat: CAT.loss, marks: Mark.RETRANSMISSION });
    expect(classify(['tcp.ack', 'tcp.duplicate_ack'])).toEqual({ cat: CAT.loss, marks: Mark.DUP_ACK });
    expect(classify(['tcp.fin', 'tcp.ack']).cat).toBe(CAT.close);
    expect(classify(['tcp.reset'])).toEqual({ cat: CAT.close, marks: Mark.RESET });
    expect(classify(['tcp.syn_sent', 'tcp.window_advertised']).cat).toBe(CAT.handshake);
    expect(classify(['tcp.data', 'tls.client_hello']).cat).toBe(CAT.tls);
    expect(classify(['tcp.zero_window'])).toEqual({ cat: CAT.window, marks: Mark.ZERO_WINDOW });
    expect(classify(['tcp.data']).cat).toBe(CAT.data);
    expect(classify(['tcp.ack']).cat).toBe(CAT.ack);
    expect(classify(['dns.query'], FrameProto.DNS).cat).toBe(CAT.dns);
    expect(classify(['quic.initial'], FrameProto.QUIC).cat).toBe(CAT.quic);
  });
  it('falls back to the protocol column when no event says anything', () => {
    expect(classify([], FrameProto.ARP).cat).toBe(CAT.other);
    expect(classify([], FrameProto.UDP).cat).toBe(CAT.data);
    expect(classify([], FrameProto.TLS).cat).toBe(CAT.tls);
  });
});

describe('finding a frame in the file again', () => {
  it('skips a classic pcap record header (either byte order)', () => {
    const rec = new Uint8Array(16 + 4);
    new DataView(rec.buffer).setUint32(8, 4, true);
    rec.set([1, 2, 3, 4], 16);
    expect(locatePacketData(rec, 'pcap', 4)).toBe(16);
    new DataView(rec.buffer).setUint32(8, 4, false);
    expect(locatePacketData(rec, 'pcap', 4)).toBe(16);
    expect(locatePacketData(rec, 'pcap', 5)).toBe(-1);
  });
  it('skips pcapng Enhanced and Simple Packet Block headers', () => {
    const epb = new Uint8Array(28 + 8 + 4);
    const dv = new DataView(epb.buffer);
    dv.setUint32(0, 6, true);
    dv.setUint32(4, epb.length, true);
    dv.setUint32(20, 8, true);
    expect(locatePacketData(epb, 'pcapng', 8)).toBe(28);
    dv.setUint32(0, 6, false);
    dv.setUint32(20, 8, false);
    expect(locatePacketData(epb, 'pcapng', 8)).toBe(28);
    const spb = new Uint8Array(12 + 8 + 4);
    new DataView(spb.buffer).setUint32(0, 3, true);
    expect(locatePacketData(spb, 'pcapng', 8)).toBe(12);
    expect(locatePacketData(new Uint8Array(40), 'pcapng', 8)).toBe(-1);
  });

  const skip = needShared();
  it.skipIf(skip)('finds every frame of real captures at its fileOffset', () => {
    for (const name of ['chrissanders-packets__tcp_handshake.pcapng', 'zeek__smtp.pcap']) {
      const file = readFileSync(join(sharedCaptures, name));
      const reader = new CaptureReader(name);
      const frames = [...reader.push(file), ...reader.end()].map((f) => ({ off: f.fileOffset, bytes: f.bytes.slice() }));
      expect(frames.length).toBeGreaterThan(0);
      for (const f of frames) {
        const rec = file.subarray(f.off, f.off + f.bytes.length + 64);
        const at = locatePacketData(rec, reader.info.format!, f.bytes.length);
        expect(at, `${name} @${f.off}`).toBeGreaterThan(0);
        expect(Buffer.from(rec.subarray(at, at + f.bytes.length)).equals(Buffer.from(f.bytes))).toBe(true);
      }
    }
  });
});

describe('byte arena', () => {
  it('keeps copies of frame bytes until its limit, then keeps nothing more', () => {
    const a = new ByteArena(10);
    const src = Uint8Array.of(1, 2, 3, 4);
    a.keep(0, src);
    src[0] = 9;
    a.keep(1, Uint8Array.of(5, 6, 7, 8));
    a.keep(2, Uint8Array.of(1, 2, 3));
    expect(Array.from(a.get(0)!)).toEqual([1, 2, 3, 4]);
    expect(Array.from(a.get(1)!)).toEqual([5, 6, 7, 8]);
    expect(a.get(2)).toBeNull();
    expect(a.full).toBe(true);
    expect(a.get(99)).toBeNull();
  });
});

describe('keyboard map', () => {
  const k = (key: string, mods: Partial<{ shiftKey: boolean; ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) =>
    keyAction({ key, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, ...mods });
  it('binds what an instructor needs', () => {
    expect(k(' ')).toBe('play');
    expect(k('ArrowRight')).toBe('next');
    expect(k('ArrowLeft')).toBe('prev');
    expect(k('ArrowRight', { shiftKey: true })).toBe('nextEvent');
    expect(k('Home')).toBe('home');
    expect(k('End')).toBe('end');
    expect(k('+')).toBe('zoomIn');
    expect(k('-')).toBe('zoomOut');
    expect(k('o', { ctrlKey: true })).toBe('open');
    expect(k('ArrowLeft', { altKey: true })).toBe('panLeft');
    expect(k('x')).toBeNull();
  });
});

describe('SVG export', () => {
  it('is a standalone document with lanes, arrows, labels (escaped) and the time axis', () => {
    const data = handshakeCapture();
    const s = buildShownSet(data, { conversations: 'all', includeOther: true, mask: null, timeScale: 'compressed', maxLanes: 8 });
    const scene = layout(s, data.frames, cursorAtIndex(s, 4), { width: 1000, height: 600, scrollX: 0, scrollY: 0, rowPx: 40 },
      { labels: new Map([[4, 'TLS ClientHello SNI=<a&b>']]), fontScale: 1, showFuture: true, epochSec: 0, epochNsec: 0, tzOffsetMin: 0 });
    const svg = sceneToSvg(scene, THEMES.light, { title: 'x & y', lanes: [['client', '10.0.0.1'], ['server', '10.0.0.2']] });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('<title>x &amp; y</title>');
    expect(svg).toContain('TLS ClientHello SNI=&lt;a&amp;b&gt;');
    expect(svg.match(/<polygon /g)?.length).toBe(5); // one arrowhead per arrived arrow
    expect(svg).toContain('>client</text>');
    expect(svg).toContain('RTT 30.2 ms');
    expect(svg).not.toMatch(/<script|href=/);
  });
});
