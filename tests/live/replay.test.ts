// Replay pacing with a virtual clock: frames come out when their (scaled) time comes, pause holds them, speed
// changes apply from the moment they are made. No real time passes.
import { describe, expect, it } from 'vitest';
import type { RawFrame } from '../../capture/frame';
import { arrayFrameSource, Replayer, type ReplayFrameSource } from '../../capture/replay';
import { VirtualClock } from './virtual-clock';

/** Frames at the given offsets (seconds) from an epoch time with nanoseconds, like a real capture. */
function framesAt(offsets: number[], base = { sec: 1_700_000_000, nsec: 999_999_000 }): RawFrame[] {
  return offsets.map((off, i) => {
    const totalNs = base.nsec + Math.round(off * 1e9);
    const tsSec = base.sec + Math.floor(totalNs / 1e9);
    const tsNsec = totalNs % 1e9;
    return {
      index: i + 1, timestamp: tsSec + tsNsec / 1e9, tsSec, tsNsec, linkType: 1, bytes: new Uint8Array([i]),
      originalLength: 60, interface: 0, fileOffset: 0,
    };
  });
}

function run(offsets: number[], speed: number, source?: ReplayFrameSource) {
  const clock = new VirtualClock();
  const got: { index: number; at: number }[] = [];
  let ended = false;
  const r = new Replayer(source ?? arrayFrameSource(framesAt(offsets), 2), {
    speed, clock,
    onFrames: (fs) => { for (const f of fs) got.push({ index: f.index, at: clock.now() }); },
    onEnd: () => { ended = true; },
  });
  return { clock, got, r, ended: () => ended };
}

describe('Replayer', () => {
  it('releases frames at their original pacing at 1x', () => {
    const { clock, got, r, ended } = run([0, 0.010, 0.5, 2.0], 1);
    r.start();
    expect(got.map((g) => g.index)).toEqual([1]); // the first frame at once
    clock.advance(9);
    expect(got).toHaveLength(1);
    clock.advance(1);
    expect(got.map((g) => g.at)).toEqual([0, 10]);
    clock.advance(2000);
    expect(got.map((g) => g.at)).toEqual([0, 10, 500, 2000]);
    expect(ended()).toBe(true);
    expect(r.state).toBe('ended');
    expect(clock.pending).toBe(0);
  });

  it('scales time by the speed factor (10x faster, 0.1x slower)', () => {
    const fast = run([0, 1, 3], 10);
    fast.r.start();
    fast.clock.advance(1000);
    expect(fast.got.map((g) => g.at)).toEqual([0, 100, 300]);

    const slow = run([0, 0.25], 0.1);
    slow.r.start();
    slow.clock.advance(2499);
    expect(slow.got).toHaveLength(1);
    slow.clock.advance(1);
    expect(slow.got.map((g) => g.at)).toEqual([0, 2500]);
  });

  it('100x replays an hour-long capture in 36 virtual seconds', () => {
    const { clock, got, r } = run([0, 1800, 3600], 100);
    r.start();
    clock.advance(36_000);
    expect(got.map((g) => g.at)).toEqual([0, 18_000, 36_000]);
  });

  it('pause holds frames and resume continues from the same capture position', () => {
    const { clock, got, r } = run([0, 1, 2], 1);
    r.start();
    clock.advance(500);
    r.pause();
    expect(r.position()).toBeCloseTo(0.5, 9);
    clock.advance(10_000); // paused: nothing comes out
    expect(got).toHaveLength(1);
    r.resume();
    clock.advance(499);
    expect(got).toHaveLength(1);
    clock.advance(1);
    expect(got.map((g) => g.at)).toEqual([0, 11_000]);
    clock.advance(1000);
    expect(got.map((g) => g.at)).toEqual([0, 11_000, 12_000]);
  });

  it('a speed change applies from the moment it is made', () => {
    const { clock, got, r } = run([0, 2, 4], 1);
    r.start();
    clock.advance(1000); // capture position 1 s
    r.setSpeed(2); // the remaining second to frame 2 takes 500 ms
    clock.advance(500);
    expect(got.map((g) => g.at)).toEqual([0, 1500]);
    clock.advance(1000);
    expect(got.map((g) => g.at)).toEqual([0, 1500, 2500]);
  });

  it('rejects speeds outside 0.1..100', () => {
    const { r } = run([0], 1);
    expect(() => r.setSpeed(0.05)).toThrow(/between 0.1 and 100/);
    expect(() => r.setSpeed(101)).toThrow(/between 0.1 and 100/);
    expect(() => r.setSpeed(Number.NaN)).toThrow();
    expect(() => new Replayer(arrayFrameSource([]), { speed: 0, onFrames: () => undefined })).toThrow();
  });

  it('releases simultaneous frames together, in bounded batches', () => {
    const clock = new VirtualClock();
    const batches: number[] = [];
    const r = new Replayer(arrayFrameSource(framesAt(new Array(25).fill(0)), 7), {
      clock, maxBatch: 10, onFrames: (fs) => batches.push(fs.length),
    });
    r.start();
    clock.advance(0);
    expect(batches).toEqual([10, 10, 5]);
  });

  it('keeps nanosecond-exact spacing across second boundaries of large epoch times', () => {
    // 1 µs apart, straddling a second boundary (base nsec 999_999_000): a double of epoch seconds would blur this.
    const { clock, got, r } = run([0, 0.000001, 0.000002], 0.1);
    r.start();
    clock.advance(0.01);
    expect(got.map((g) => g.index)).toEqual([1, 2]);
    clock.advance(0.01);
    expect(got.map((g) => g.index)).toEqual([1, 2, 3]);
  });

  it('waits for a slow (asynchronous) source and catches up when frames arrive', async () => {
    const frames = framesAt([0, 0.1, 0.2, 5]);
    let release!: () => void;
    let calls = 0;
    const source: ReplayFrameSource = {
      next() {
        calls++;
        if (calls === 1) return Promise.resolve(frames.slice(0, 2));
        if (calls === 2) return new Promise((res) => { release = () => res(frames.slice(2)); });
        return Promise.resolve(null);
      },
    };
    const { clock, got, r, ended } = run([], 1, source);
    r.start();
    await Promise.resolve();
    await Promise.resolve();
    clock.advance(300); // frame 3 is due at 200 ms but not read yet
    expect(got.map((g) => g.index)).toEqual([1, 2]);
    release();
    await new Promise((res) => setImmediate(res));
    expect(got.map((g) => g.index)).toEqual([1, 2, 3]); // released as soon as it arrived, being overdue
    clock.advance(4700);
    await new Promise((res) => setImmediate(res));
    expect(got.map((g) => g.index)).toEqual([1, 2, 3, 4]);
    expect(ended()).toBe(true);
  });

  it('counts frames, bytes and the rate over the last second of its clock', () => {
    const { clock, r } = run([0, 0.1, 0.2, 0.3, 1.5], 1);
    r.start();
    r.counters();
    clock.advance(1000);
    const c = r.counters();
    expect(c.packets).toBe(4);
    expect(c.bytes).toBe(240);
    expect(c.packetRate).toBe(3); // three frames in the last (virtual) second
    expect(c.source).toBe('replay');
  });

  it('stop ends it for good', () => {
    const { clock, got, r, ended } = run([0, 1], 1);
    r.start();
    r.stop();
    clock.advance(5000);
    expect(got).toHaveLength(1);
    expect(r.state).toBe('stopped');
    expect(ended()).toBe(false);
    expect(clock.pending).toBe(0);
  });
});
