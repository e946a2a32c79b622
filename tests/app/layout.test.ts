// The diagram as a pure function: shown set (rows, lanes, slants) and layout (positions in pixels) for given data,
// cursor and viewport, without WebGL.
import { describe, expect, it } from 'vitest';
import {
  buildShownSet, gapRows, MAX_SLANT, MIN_SLANT, timeOfY, yOfTime, type ShownOptions,
} from '../../renderer/diagram/shown-set';
import { GEOMETRY, formatAbsolute, labelPlacement, layout, laneGeometry, type LayoutOptions, type Viewport } from '../../renderer/diagram/layout';
import { cursorAtIndex, startCursor, stepFrame } from '../../renderer/diagram/playback';
import { CAT } from '../../renderer/worker/protocol';
import { handshakeCapture, makeData, tcpConv, type FrameSpec } from './fixtures';

const ALL: ShownOptions = { conversations: 'all', includeOther: true, mask: null, timeScale: 'compressed', maxLanes: 8 };
const opts = (labels = new Map<number, string>()): LayoutOptions => ({
  labels, fontScale: 1, showFuture: true, epochSec: 1_700_000_000, epochNsec: 0, tzOffsetMin: 0,
});
const vp = (o: Partial<Viewport> = {}): Viewport => ({ width: 1000, height: 600, scrollX: 0, scrollY: 0, rowPx: 40, ...o });

describe('shown set', () => {
  const data = handshakeCapture();
  const s = buildShownSet(data, ALL);

  it('has one lane per host, in order of appearance, with their ports', () => {
    expect(s.lanes.map((l) => [l.address, l.ports])).toEqual([['10.0.0.1', [50000]], ['10.0.0.2', [443]]]);
    expect(Array.from(s.srcLane)).toEqual([0, 1, 0, 0, 1]);
    expect(Array.from(s.dstLane)).toEqual([1, 0, 1, 1, 0]);
  });

  it('gives every frame at least one row and idle time a logarithmic extra', () => {
    for (let k = 1; k < s.count; k++) expect(s.y[k] - s.y[k - 1]).toBeGreaterThanOrEqual(1);
    expect(s.y[1] - s.y[0]).toBeGreaterThan(s.y[3] - s.y[2]); // 30 ms pause vs 0.1 ms
    expect(gapRows(3600)).toBe(8);
    expect(gapRows(0)).toBe(0);
    expect(gapRows(1)).toBeGreaterThan(gapRows(0.1));
  });

  it('slants arrows by travel time: the SYN reaches the server when the SYN/ACK leaves it', () => {
    // Capture next to the client: a = 30 ms, b = 0.2 ms. SYN seen at 0 arrives at 0 + a/2 = 15 ms.
    expect(s.y0[0]).toBeCloseTo(yOfTime(s, -0.0001), 9);
    expect(s.y1[0]).toBeCloseTo(yOfTime(s, 0.015), 9);
    expect(s.y1[0]).toBeCloseTo((s.y[0] + s.y[1]) / 2, 9); // 15 ms is half-way between the first two frames
    expect(s.y0[1]).toBeCloseTo(s.y1[0], 9);
    // The SYN/ACK reaches the client b/2 after the capture point saw it.
    expect(s.y1[1]).toBeCloseTo(yOfTime(s, 0.0301), 9);
    // yDone is the running maximum of arrival rows.
    for (let k = 1; k < s.count; k++) expect(s.yDone[k]).toBe(Math.max(s.yDone[k - 1], s.y1[k]));
  });

  it('brackets the handshake RTT on the client lane', () => {
    expect(s.brackets).toHaveLength(1);
    expect(s.brackets[0].lane).toBe(0);
    expect(s.brackets[0].rtt).toBeCloseTo(0.0302, 9);
    expect(s.brackets[0].y0).toBe(s.y0[0]);
    expect(s.brackets[0].y1).toBe(s.y1[1]);
  });

  it('maps times and rows both ways', () => {
    for (const t of [0, 0.01, 0.0302, 0.05]) expect(timeOfY(s, yOfTime(s, t))).toBeCloseTo(t, 9);
  });

  it('shows only chosen conversations and filtered frames', () => {
    const two = makeData(['a', 'b', 'c'], [tcpConv(0, 0, 1, 1, 3, 2), tcpConv(1, 0, 2, 2, 2, 1)], [
      { t: 0, src: 0, dst: 1, conv: 0, dir: 0 }, { t: 1, src: 0, dst: 2, conv: 1, dir: 0 }, { t: 2, src: 1, dst: 0, conv: 0, dir: 1 },
      { t: 3, src: 2, dst: 0, conv: -1 },
    ]);
    expect(Array.from(buildShownSet(two, { ...ALL, conversations: new Set([0]), includeOther: false }).rows)).toEqual([0, 2]);
    expect(Array.from(buildShownSet(two, { ...ALL, includeOther: false }).rows)).toEqual([0, 1, 2]);
    expect(Array.from(buildShownSet(two, { ...ALL, mask: Uint8Array.of(0, 1, 1, 1) }).rows)).toEqual([1, 2, 3]);
  });

  it('folds the least busy endpoints into "other clients" and "other servers" lanes', () => {
    const frames: FrameSpec[] = [];
    // Hosts 0..5 are clients of server 6 (busy) and servers 7..9 (one packet each).
    for (let i = 0; i < 6; i++) frames.push({ t: i, src: i, dst: 6, conv: i, dir: 0 }, { t: i + 0.5, src: 6, dst: i, conv: i, dir: 1 });
    for (let i = 7; i < 10; i++) frames.push({ t: 10 + i, src: 0, dst: i, conv: 10 + i, dir: 0 });
    const d = makeData(Array.from({ length: 10 }, (_, i) => `10.0.0.${i}`), [], frames);
    const sh = buildShownSet(d, { ...ALL, maxLanes: 4 });
    expect(sh.lanes.map((l) => l.address)).toEqual(['5 other clients', '10.0.0.0', '10.0.0.6', '3 other servers']);
    expect(sh.lanes[0].folded).toBe(5);
  });

  it('slants dense captures exactly as yOfTime says, capped (searched near each frame, not over all of them)', () => {
    // Bursts and pauses, several handshaken conversations: every arrow end must equal the plain formula.
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const frames: FrameSpec[] = [];
    let t = 0;
    for (let i = 0; i < 4000; i++) {
      if (rnd() > 0.2) t += rnd() < 0.03 ? rnd() * 2 : rnd() * 2e-4;
      const conv = Math.floor(rnd() * 6), dir = rnd() < 0.5 ? 0 : 1;
      frames.push({ t, src: dir === 0 ? conv % 3 : 3, dst: dir === 0 ? 3 : conv % 3, sport: 40000 + conv, dport: 443, conv, dir });
    }
    const convs = [0, 1, 2, 3, 4, 5].map((id) => {
      const idx = frames.flatMap((f, i) => (f.conv === id ? [i + 1] : []));
      return tcpConv(id, id % 3, 3, idx[0], idx[idx.length - 1], idx.length, { syn: idx[0], synAck: idx[1 + id * 3], ack: idx[2 + id * 5] });
    });
    const d = makeData(['a', 'b', 'c', 'server'], convs, frames);
    for (const timeScale of ['compressed', 'linear'] as const) {
      const sh = buildShownSet(d, { ...ALL, timeScale });
      const travel = new Map(convs.map((c) => {
        const ts = d.frames.time[c.hs!.syn - 1], tsa = d.frames.time[c.hs!.synAck - 1], ta = d.frames.time[c.hs!.ack - 1];
        return [c.id, { a: tsa - ts, b: ta - tsa }];
      }));
      let slanted = 0;
      for (let k = 0; k < sh.count; k++) {
        const r = sh.rows[k], tr = travel.get(d.frames.conv[r])!;
        if (tr.a + tr.b > 30) continue; // not slanted by its handshake (checked elsewhere)
        const [before, after] = d.frames.dir[r] === 0 ? [tr.b / 2, tr.a / 2] : [tr.a / 2, tr.b / 2];
        let s0 = Math.min(sh.y[k], yOfTime(sh, sh.t[k] - before)), e = Math.max(sh.y[k], yOfTime(sh, sh.t[k] + after));
        s0 = Math.max(s0, sh.y[k] - MAX_SLANT / 2);
        e = Math.min(e, sh.y[k] + MAX_SLANT);
        if (e - s0 < MIN_SLANT) e = s0 + MIN_SLANT;
        expect(sh.y0[k]).toBe(s0);
        expect(sh.y1[k]).toBe(e);
        if (sh.y1[k] - sh.y0[k] > 0.5) slanted++;
      }
      expect(slanted).toBeGreaterThan(100);
    }
  });

  it('splits a host talking to itself (loopback) into one lane per port', () => {
    const d = makeData(['127.0.0.1'], [{ ...tcpConv(0, 0, 0, 1, 2, 2) }], [
      { t: 0, src: 0, dst: 0, sport: 40000, dport: 8080, conv: 0, dir: 0 },
      { t: 1, src: 0, dst: 0, sport: 8080, dport: 40000, conv: 0, dir: 1 },
    ]);
    const sh = buildShownSet(d, ALL);
    expect(sh.lanes.map((l) => [l.address, l.port])).toEqual([['127.0.0.1', 40000], ['127.0.0.1', 8080]]);
  });
});

describe('layout', () => {
  const data = handshakeCapture();
  const s = buildShownSet(data, ALL);

  it('places lanes evenly between the time axis and the right edge', () => {
    const g = laneGeometry(2, { width: 1000, scrollX: 0 });
    const scene = layout(s, data.frames, cursorAtIndex(s, 0), vp(), opts());
    expect(scene.lanes.map((l) => l.x)).toEqual([g.xOf(0), g.xOf(1)]);
    expect(scene.lanes[1].x - scene.lanes[0].x).toBe(g.gap);
    expect(scene.lanes[0].x).toBeGreaterThan(GEOMETRY.axisW);
    expect(scene.lanes[1].x).toBeLessThan(1000);
    // Centred: equal room on both sides within the area right of the axis.
    expect(scene.lanes[0].x - g.gap / 2 - (GEOMETRY.axisW + GEOMETRY.sidePad)).toBeCloseTo(1000 - GEOMETRY.sidePad - (scene.lanes[1].x + g.gap / 2), 6);
  });

  it('draws one arrow per frame from sender to receiver at its rows', () => {
    const v = vp();
    const scene = layout(s, data.frames, cursorAtIndex(s, 4), v, opts());
    expect(scene.arrows.map((a) => a.frame)).toEqual([1, 2, 3, 4, 5]);
    const sy = (row: number) => GEOMETRY.headerH + GEOMETRY.topPad + row * v.rowPx;
    const [syn, synAck] = scene.arrows;
    expect([syn.x0, syn.x1]).toEqual([scene.lanes[0].x, scene.lanes[1].x]);
    expect([synAck.x0, synAck.x1]).toEqual([scene.lanes[1].x, scene.lanes[0].x]);
    expect(syn.y0).toBeCloseTo(sy(s.y0[0]), 9);
    expect(syn.y1).toBeCloseTo(sy(s.y1[0]), 9);
    expect(scene.arrows.every((a) => a.progress === 1 && !a.ghost)).toBe(true);
    expect(scene.arrows[4].marks & 1).toBe(1);
    expect(scene.arrows[0].cat).toBe(CAT.handshake);
    expect(scene.selected?.frame).toBe(5);
    expect(scene.arrowsDrawn).toBe(5);
    expect(scene.brackets[0]).toMatchObject({ label: 'RTT 30.2 ms' });
  });

  it('draws the cursor: arrived, travelling (with a dot) and not-yet-sent arrows', () => {
    const mid = { frame: 1, y: (s.y0[1] + s.y1[1]) / 2 }; // half-way through the SYN/ACK's travel
    const scene = layout(s, data.frames, mid, vp(), opts());
    expect(scene.arrows[0].progress).toBe(1);
    expect(scene.arrows[1].progress).toBeCloseTo(0.5, 9);
    expect(scene.arrows[2].ghost).toBe(true);
    expect(scene.dots).toHaveLength(1);
    expect(scene.dots[0].x).toBeCloseTo((scene.lanes[0].x + scene.lanes[1].x) / 2, 6);
    expect(scene.arrowsDrawn).toBe(2);
    expect(scene.ghosts).toBe(3);
    expect(layout(s, data.frames, mid, vp(), { ...opts(), showFuture: false }).arrows).toHaveLength(2);
  });

  it('is a pure function of its inputs: stepping forward then back gives the same scene', () => {
    const v = vp();
    let c = startCursor(s);
    for (let i = 0; i < 4; i++) c = stepFrame(s, c, 1);
    c = stepFrame(s, c, -1);
    c = stepFrame(s, c, -1);
    expect(c).toEqual(cursorAtIndex(s, 1));
    expect(layout(s, data.frames, c, v, opts())).toEqual(layout(s, data.frames, cursorAtIndex(s, 1), v, opts()));
  });

  it('asks for the labels of arrows on screen and shows those it has', () => {
    const scene = layout(s, data.frames, cursorAtIndex(s, 4), vp(), opts(new Map([[1, '[SYN] Seq=0 Win=64240 Len=0']])));
    expect(scene.arrows[0].label).toBe('[SYN] Seq=0 Win=64240 Len=0');
    expect(scene.needLabels).toEqual([2, 3, 4, 5]);
    expect(layout(s, data.frames, cursorAtIndex(s, 4), vp({ rowPx: 6 }), opts()).needLabels).toEqual([]);
  });

  it('labels the time axis with relative and absolute time', () => {
    const scene = layout(s, data.frames, cursorAtIndex(s, 4), vp(), opts());
    expect(scene.ticks.map((t) => t.frame)).toEqual([1, 2, 3, 4, 5]);
    expect(scene.ticks[1]).toMatchObject({ rel: '0.030000 s', abs: '22:13:20.030000' });
    expect(scene.gaps.map((g) => g.frame)).toEqual([2, 5]);
    expect(formatAbsolute(1.5, { epochSec: 0, epochNsec: 999_999_999, tzOffsetMin: 60 })).toBe('01:00:02.499999');
  });

  it('runs labels along the arrow, upright, and level on steep arrows', () => {
    const flat = labelPlacement(100, 100, 300, 140, false, 200);
    expect(flat.labelAngle).toBeCloseTo(Math.atan2(40, 200), 9);
    const back = labelPlacement(300, 100, 100, 140, false, 200);
    expect(back.labelAngle).toBeCloseTo(-Math.atan2(40, 200), 9); // right-to-left arrows keep text upright
    expect(labelPlacement(100, 100, 150, 400, false, 200).labelAngle).toBe(0);
  });

  it('draws only what is on screen', () => {
    const frames: FrameSpec[] = Array.from({ length: 2000 }, (_, i) => ({ t: i * 0.001, src: i % 2, dst: 1 - (i % 2), conv: -1 }));
    const d = makeData(['a', 'b'], [], frames);
    const sh = buildShownSet(d, ALL);
    const scene = layout(sh, d.frames, cursorAtIndex(sh, 1999), vp({ scrollY: 500 * 40 }), opts());
    expect(scene.mode).toBe('arrows');
    expect(scene.arrows.length).toBeLessThan(30);
    for (const a of scene.arrows) expect(Math.max(a.y0, a.y1)).toBeGreaterThan(GEOMETRY.headerH - 5);
    for (const a of scene.arrows) expect(Math.min(a.y0, a.y1)).toBeLessThan(600 + 5);
  });

  it('aggregates dense bursts when zoomed out, counting every frame once', () => {
    const frames: FrameSpec[] = Array.from({ length: 20000 }, (_, i) => ({
      t: i * 1e-5, src: i % 3, dst: (i + 1) % 3, conv: -1, cat: i % 100 === 0 ? 'loss' : 'data', marks: i % 100 === 0 ? 1 : 0,
    }));
    const d = makeData(['a', 'b', 'c'], [], frames);
    const sh = buildShownSet(d, ALL);
    const rowPx = (600 - GEOMETRY.headerH - GEOMETRY.topPad) / sh.height;
    const scene = layout(sh, d.frames, cursorAtIndex(sh, sh.count - 1), vp({ rowPx }), opts());
    expect(scene.mode).toBe('aggregate');
    expect(scene.arrows).toHaveLength(0);
    expect(scene.aggregates.reduce((n, g) => n + g.count, 0)).toBe(20000);
    expect(scene.aggregates.length).toBeLessThan(2000);
    expect(scene.aggregates.every((g) => g.cat === CAT.data)).toBe(true); // the most common category colours a band
    expect(scene.aggregates.some((g) => g.marks & 1)).toBe(true); // losses still show as marks
  });
});

describe('label decluttering', () => {
  it('keeps the selected label and drops labels drawn over others', async () => {
    const { declutterLabels } = await import('../../renderer/diagram/layout');
    const mk = (k: number, x: number, y: number, selected = false) => ({
      k, frame: k + 1, x0: 0, y0: 0, x1: 0, y1: 0, cat: 0, marks: 0, progress: 1, selected, ghost: false, self: false,
      label: `label of frame ${k + 1}`, labelX: x, labelY: y, labelAngle: 0, labelMaxW: 300, srcPort: 0, dstPort: 0,
    });
    const arrows = [mk(0, 200, 100), mk(1, 205, 104, true), mk(2, 200, 140), mk(3, 600, 102)];
    declutterLabels(arrows, 1);
    expect(arrows.map((a) => a.label !== null)).toEqual([false, true, true, true]);
  });
});
