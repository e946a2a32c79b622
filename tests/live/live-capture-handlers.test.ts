// The main-process handlers (electron/live-capture.ts) as plain functions: argument checks, replay of a bundled
// sample under a virtual clock, and (root) a real capture relayed to the "renderer" and saved elsewhere.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needRoot, repoRoot } from '../support/require';
import { createLiveCapture, truncateToCompleteBlocks } from '../../electron/live-capture';
import type { CaptureEnded, CaptureFramesBatch, CaptureStats, LiveCaptureHost } from '../../electron/ipc-contract';
import { forkNodeHost } from '../../capture/live/client';
import { CaptureReader } from '../../capture/reader';
import type { RawFrame } from '../../capture/frame';
import { VirtualClock } from './virtual-clock';
import { bundleHost, loopbackAddress, readFrames, runScript, killScripts } from './support';

const SAMPLE = join(repoRoot, 'assets/samples/03-dns-lookups.pcapng');

function fakeHost(dir: string, saveTo: string | null = null) {
  const events = { frames: [] as CaptureFramesBatch[], stats: [] as CaptureStats[], ended: [] as CaptureEnded[] };
  const host: LiveCaptureHost = {
    emit: (channel, payload) => {
      if (channel === 'capture.frames') events.frames.push(payload as CaptureFramesBatch);
      else if (channel === 'capture.stats') events.stats.push(payload as CaptureStats);
      else events.ended.push(payload as CaptureEnded);
    },
    pathOfHandle: (h) => (h === 7 ? SAMPLE : null),
    showSaveDialog: async () => saveTo,
    captureProcessPath: '/nonexistent/capture-process.cjs',
    capturesDir: dir,
  };
  return { host, events };
}

/** The frames the renderer would read from the relayed pieces. */
function framesOf(batches: CaptureFramesBatch[]): RawFrame[] {
  const r = new CaptureReader('live');
  const out: RawFrame[] = [];
  for (const b of batches) for (const f of r.push(b.bytes)) out.push({ ...f, bytes: f.bytes.slice() });
  out.push(...r.end());
  expect(r.info.warnings).toEqual([]);
  return out;
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

describe('live capture handlers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-live-handlers-'));
  afterAll(() => {
    killScripts();
    rmSync(dir, { recursive: true, force: true });
  });

  it('check their arguments before starting anything', async () => {
    const { host } = fakeHost(dir);
    const live = createLiveCapture(host, { startHost: () => { throw new Error('must not start a process'); } });
    const opts = { device: 'lo', filter: '', snaplen: 65535, promiscuous: true };
    await expect(live.start({ ...opts, snaplen: 0 })).rejects.toThrow(/snaplen/);
    await expect(live.start({ ...opts, device: '' })).rejects.toThrow(/device/);
    await expect(live.start({ ...opts, promiscuous: 'yes' as never })).rejects.toThrow(/promiscuous/);
    await expect(live.start({ ...opts, filter: 'x'.repeat(5000) })).rejects.toThrow(/filter/);
    await expect(live.validateFilter(3 as never, 'lo')).rejects.toThrow(/filter/);
    await expect(live.pause(0, true)).rejects.toThrow(/positive integer/);
    await expect(live.pause(99, true)).rejects.toThrow(/no live capture session 99/);
    await expect(live.stop(1.5)).rejects.toThrow(/positive integer/);
    expect(await live.stop(42)).toBeNull();
    await expect(live.saveAs(42)).rejects.toThrow(/no capture session/);
    await expect(live.startReplay({ handle: 7, speed: 500 })).rejects.toThrow(/between 0.1 and 100/);
    await expect(live.startReplay({ handle: 8, speed: 1 })).rejects.toThrow(/no opened capture 8/);
    await expect(live.setReplaySpeed(5, 2)).rejects.toThrow(/no replay session 5/);
  });

  it('replays an opened capture at its pacing, as pcapng pieces the renderer reads like a file', async () => {
    const { host, events } = fakeHost(dir);
    const clock = new VirtualClock();
    const live = createLiveCapture(host, { clock, statsIntervalMs: 60_000 });
    const original = readFrames(SAMPLE).frames;
    const at = original.map((f) => ((f.tsSec - original[0].tsSec) * 1e9 + (f.tsNsec - original[0].tsNsec)) / 1e6);
    const started = await live.startReplay({ handle: 7, speed: 2 });
    expect(started).toMatchObject({ source: 'replay', file: SAMPLE });
    await until(() => events.frames.length > 0); // the file is read asynchronously; frame 1 is due at once
    expect(framesOf(events.frames)).toHaveLength(1);
    // At 2x, frame 2 (at[1] ms into the capture) comes at[1]/2 ms later.
    clock.advance(at[1] / 2 - 0.01);
    expect(framesOf(events.frames)).toHaveLength(1);
    clock.advance(0.02);
    expect(framesOf(events.frames)).toHaveLength(2);
    await live.pauseReplay(started.session, true);
    clock.advance(10_000);
    expect(framesOf(events.frames)).toHaveLength(2);
    expect(events.stats.at(-1)).toMatchObject({ session: started.session, captured: 2, paused: true });
    await live.pauseReplay(started.session, false);
    await live.setReplaySpeed(started.session, 100);
    clock.advance(at[at.length - 1]); // more than enough at 100x
    await until(() => events.ended.length === 1);
    const frames = framesOf(events.frames);
    expect(frames.map((f) => [f.tsSec, f.tsNsec, f.originalLength])).toEqual(original.map((f) => [f.tsSec, f.tsNsec, f.originalLength]));
    expect(frames.map((f) => Array.from(f.bytes))).toEqual(original.map((f) => Array.from(f.bytes)));
    expect(events.frames.map((b) => b.seq)).toEqual(events.frames.map((_, i) => i));
    expect(events.ended[0]).toMatchObject({ session: started.session, error: null, file: SAMPLE });
    expect(events.ended[0].stats?.captured).toBe(8);
  });

  it('cuts a copy of a capture being written after its last complete block', async () => {
    const bytes = readFileSync(SAMPLE);
    const { writeFileSync } = await import('node:fs');
    const copy = join(dir, 'partial.pcapng');
    writeFileSync(copy, bytes.subarray(0, bytes.length - 30)); // as if copied mid-write
    const kept = await truncateToCompleteBlocks(copy);
    expect(kept).toBeLessThan(bytes.length - 30);
    const { frames, info } = readFrames(copy);
    expect(info.warnings).toEqual([]);
    expect(frames.length).toBeGreaterThanOrEqual(7);
  });

  describe.skipIf(needRoot())('with a real capture host (root)', () => {
    let bundle: string;
    beforeAll(async () => { bundle = await bundleHost(); });

    it('lists devices, checks filters, captures, relays, stops and saves a copy', async () => {
      const saved = join(dir, 'saved-copy.pcapng');
      const { host, events } = fakeHost(dir, saved);
      const live = createLiveCapture(host, { startHost: () => forkNodeHost(bundle), statsIntervalMs: 100 });
      try {
        const ifaces = await live.listInterfaces();
        expect(ifaces.find((i) => i.name === 'lo')).toMatchObject({ loopback: true, addresses: expect.arrayContaining(['127.0.0.1']) });
        expect(await live.validateFilter('udp port', 'lo')).toEqual({ ok: false, message: expect.stringMatching(/syntax error/) });
        expect(await live.validateFilter('udp port 53', 'lo')).toEqual({ ok: true });
        const addr = loopbackAddress();
        const srv = runScript('dns-server', ['--host', addr, '--port', '0', '--count', '4']);
        const port = await srv.port;
        const started = await live.start({ device: 'lo', filter: `udp port ${port}`, snaplen: 65535, promiscuous: true });
        expect(started.description).toMatch(/capturing on lo with cap/);
        // Nothing reaches the renderer before it knows the session id; then the stream starts with its header.
        expect(events.frames).toEqual([]);
        await until(() => events.frames.length > 0);
        expect(events.frames[0]).toMatchObject({ session: started.session, seq: 0, frames: 0 });
        await live.pause(started.session, true);
        expect(events.stats.at(-1)).toMatchObject({ paused: true, droppedKernelUnknown: true });
        await runScript('dns-client', ['--server', `${addr}:${port}`]).done;
        await until(() => framesOf(events.frames).length === 8);
        const stats = await live.stop(started.session);
        expect(stats).toMatchObject({ session: started.session, captured: 8, droppedOurs: 0 });
        await until(() => events.ended.length === 1);
        expect(events.ended[0]).toMatchObject({ session: started.session, error: null, file: started.file });
        expect(readFrames(started.file).frames).toHaveLength(8);
        // "Save as" copies the file where the user chose.
        expect(await live.saveAs(started.session)).toBe(saved);
        expect(readFrames(saved).frames.map((f) => f.tsNsec)).toEqual(readFrames(started.file).frames.map((f) => f.tsNsec));
      } finally {
        live.dispose();
      }
    });
  });
});
