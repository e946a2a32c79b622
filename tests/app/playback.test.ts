// Playback arithmetic: real-time pacing, one frame per second, stepping by frame and by conversation event.
import { describe, expect, it } from 'vitest';
import { buildShownSet, yOfTime } from '../../renderer/diagram/shown-set';
import { layout } from '../../renderer/diagram/layout';
import { advance, cursorAtFrame, cursorAtIndex, endCursor, startCursor, stepEvent, stepFrame } from '../../renderer/diagram/playback';
import { handshakeCapture, makeData, tcpConv } from './fixtures';

const ALL = { conversations: 'all' as const, includeOther: true, mask: null, timeScale: 'compressed' as const, maxLanes: 8 };

describe('playback', () => {
  const data = handshakeCapture();
  const s = buildShownSet(data, ALL);

  it('at 1× moves the now-line with the capture clock', () => {
    // From the start, 15 ms of real time: the SYN (seen at 0, arriving at 15 ms) has just arrived.
    const { cursor, ended } = advance(s, { frame: 0, y: yOfTime(s, 0) }, 15, 1);
    expect(cursor.y).toBeCloseTo(yOfTime(s, 0.015), 9);
    expect(cursor.frame).toBe(1);
    expect(ended).toBe(false);
  });

  it('scales time by the speed factor (0.1× .. 1000×)', () => {
    const from = { frame: 0, y: yOfTime(s, 0) };
    expect(advance(s, from, 150, 0.1).cursor.y).toBeCloseTo(yOfTime(s, 0.015), 9);
    expect(advance(s, from, 1000, 1000).ended).toBe(true);
    expect(advance(s, from, 1000, 1000).cursor).toEqual(endCursor(s));
  });

  it('in one-frame-per-second mode moves each packet along its arrow in one second', () => {
    const c1 = cursorAtIndex(s, 1);
    const { cursor } = advance(s, c1, 1000, 'frame');
    expect(cursor).toEqual(cursorAtIndex(s, 2));
    const half = advance(s, c1, 500, 'frame').cursor;
    expect(half.frame).toBe(2); // frame 3 is still on its way...
    expect(half.y).toBeCloseTo((s.y0[2] + s.y1[2]) / 2, 9); // ...half-way along its own arrow
    const scene = layout(s, data.frames, half, { width: 1000, height: 600, scrollX: 0, scrollY: 0, rowPx: 40 },
      { labels: new Map(), fontScale: 1, showFuture: true, epochSec: 0, epochNsec: 0, tzOffsetMin: 0 });
    expect(scene.arrows[2].progress).toBeCloseTo(0.5, 9);
    expect(scene.arrows.slice(0, 2).every((a) => a.progress === 1)).toBe(true);
    // Two seconds: at least two more frames arrived (packets already part-way along need less than a second).
    const two = advance(s, c1, 2000, 'frame').cursor;
    expect(two.frame).toBeGreaterThanOrEqual(4);
    expect(two.y).toBeGreaterThan(cursorAtIndex(s, 2).y);
    // A packet already part-way along its arrow when its turn comes (pipelined) continues from there.
    const span = s.y1[4] - s.y0[4];
    const partWay = { frame: 4, y: s.y0[4] + 0.3 * span };
    expect(advance(s, partWay, 100, 'frame').cursor.y).toBeCloseTo(s.y0[4] + 0.4 * span, 9);
    // One whose arrow the now-line has already passed takes no time.
    expect(advance(s, { frame: 4, y: s.y1[4] + 0.01 }, 10, 'frame').cursor.frame).toBe(5);
  });

  it('steps frame by frame, and back from between frames to the frame it is on', () => {
    let c = startCursor(s);
    c = stepFrame(s, c, 1);
    expect(c.frame).toBe(1);
    c = stepFrame(s, c, 1);
    expect(c.frame).toBe(2);
    const between = advance(s, c, 1, 1).cursor; // a little past frame 2
    expect(stepFrame(s, between, -1).frame).toBe(2);
    expect(stepFrame(s, startCursor(s), -1)).toEqual(startCursor(s));
    expect(stepFrame(s, endCursor(s), 1)).toEqual(endCursor(s));
  });

  it('jumps to a frame, or to the nearest shown one before a hidden frame', () => {
    expect(cursorAtFrame(s, 4).frame).toBe(4);
    const filtered = buildShownSet(data, { ...ALL, mask: Uint8Array.of(1, 1, 0, 0, 1) });
    expect(cursorAtFrame(filtered, 4).frame).toBe(2);
  });

  it('steps through the events of one conversation, skipping other conversations', () => {
    const d = makeData(['a', 'b', 'c'], [tcpConv(0, 0, 1, 1, 4, 3), tcpConv(1, 0, 2, 2, 2, 1)], [
      { t: 0, src: 0, dst: 1, conv: 0, dir: 0, events: ['tcp.syn_sent'] },
      { t: 1, src: 0, dst: 2, conv: 1, dir: 0, events: ['tcp.syn_sent'] },
      { t: 2, src: 1, dst: 0, conv: 0, dir: 1 },
      { t: 3, src: 0, dst: 1, conv: 0, dir: 0, events: ['tcp.retransmission'] },
    ]);
    const sh = buildShownSet(d, ALL);
    const at1 = cursorAtFrame(sh, 1);
    expect(stepEvent(sh, d.events, 0, at1, 1)?.frame).toBe(4);
    expect(stepEvent(sh, d.events, 0, cursorAtFrame(sh, 4), -1)?.frame).toBe(1);
    expect(stepEvent(sh, d.events, 1, cursorAtFrame(sh, 2), 1)).toBeNull();
  });
});
