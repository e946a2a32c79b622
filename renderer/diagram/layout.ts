// layout(shown frames, cursor, viewport) → everything the diagram draws, in screen pixels. Pure: no Pixi, no DOM,
// no state; the same inputs give the same scene, so stepping back shows exactly what was shown before, and the
// tests check positions without WebGL. Only what is on screen is produced; when more frames are visible than can
// be drawn as arrows, they are aggregated into one line per lane pair per few pixels.
import type { FrameColumns } from '../model/capture-data';
import { CATEGORIES } from '../worker/protocol';
import { indexOfSorted, lowerBound } from '../../decoders/columns';
import { timeOfY, upperBound, indexAtOrBefore, type Lane, type ShownSet } from './shown-set';

export interface Viewport {
  /** Canvas size in CSS pixels. */
  width: number;
  height: number;
  /** Scroll offsets in content pixels. */
  scrollX: number;
  scrollY: number;
  /** Pixels per row unit (the vertical zoom). */
  rowPx: number;
}

/**
 * The playback cursor: the current frame (1-based frame number, 0 before the first; it and every shown frame before
 * it are drawn complete) and the now-line in rows (later frames are drawn as far as it has carried them).
 */
export interface Cursor {
  frame: number;
  y: number;
}

export interface LayoutOptions {
  /** Labels known so far, by frame number. */
  labels: ReadonlyMap<number, string>;
  /** Type scale (presentation mode uses 1.5). */
  fontScale: number;
  /** Draw not-yet-sent arrows faintly. */
  showFuture: boolean;
  /** Epoch of frame 1 and the local time zone offset in minutes east of UTC, for the absolute time axis. */
  epochSec: number;
  epochNsec: number;
  tzOffsetMin: number;
  /** Pixels above and below the screen for which aggregated bands are produced too (0 by default). */
  aggregateMargin?: number;
}

export const GEOMETRY = {
  headerH: 76,
  axisW: 156,
  topPad: 28,
  bottomPad: 96,
  sidePad: 36,
  minLaneGap: 150,
  maxLaneGap: 480,
  /** Row height from which arrows carry labels. */
  labelRowPx: 15,
  /** Most arrows drawn individually; beyond that, aggregation. */
  maxArrows: 2500,
  minArrowRowPx: 2.5,
} as const;

export interface SceneLane {
  x: number;
  lane: Lane;
}

export interface SceneArrow {
  /** Index in the shown set and frame number. */
  k: number;
  frame: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  cat: number;
  marks: number;
  /** 0 not sent yet, 1 arrived; in between the packet is on its way. */
  progress: number;
  selected: boolean;
  ghost: boolean;
  /** Both ends on one lane (folded lane): drawn as a loop. */
  self: boolean;
  label: string | null;
  /** Label anchor (bottom centre, or bottom left for loops), rotation in radians (text runs along the arrow). */
  labelX: number;
  labelY: number;
  labelAngle: number;
  labelMaxW: number;
  srcPort: number;
  dstPort: number;
}

export interface SceneAggregate {
  x0: number;
  x1: number;
  y: number;
  /** Height of the bucket in pixels. */
  h: number;
  count: number;
  cat: number;
  marks: number;
  future: boolean;
}

export interface SceneTick {
  y: number;
  frame: number | null;
  rel: string;
  abs: string | null;
}

export interface SceneGap {
  y: number;
  text: string;
  /** Frame after the gap. */
  frame: number;
}

export interface SceneBracket {
  conv: number;
  x: number;
  y0: number;
  y1: number;
  label: string;
}

export interface Scene {
  mode: 'empty' | 'arrows' | 'aggregate';
  width: number;
  height: number;
  lanes: SceneLane[];
  laneGap: number;
  arrows: SceneArrow[];
  aggregates: SceneAggregate[];
  ticks: SceneTick[];
  gaps: SceneGap[];
  brackets: SceneBracket[];
  dots: { x: number; y: number; cat: number }[];
  nowY: number | null;
  nowTime: number;
  selected: SceneArrow | null;
  contentWidth: number;
  contentHeight: number;
  /** Shown indices on screen [from, to). */
  visible: [number, number];
  /** Frame numbers on screen whose labels are not known yet. */
  needLabels: number[];
  /** Arrows drawn at least partly (not ghosts), and ghost arrows. */
  arrowsDrawn: number;
  ghosts: number;
  fontScale: number;
  /** The viewport the scene was laid out for, the now-line in rows, and the aggregation bucket size in rows. */
  scrollY: number;
  rowPx: number;
  nowRow: number;
  aggSize: number;
}

const clamp = (v: number, a: number, b: number) => Math.min(b, Math.max(a, v));

/** Horizontal placement of the lanes: spread over the width, centred, scrolled when they do not fit. */
export function laneGeometry(lanes: number, vp: Pick<Viewport, 'width' | 'scrollX'>): { gap: number; xOf: (i: number) => number; contentWidth: number } {
  const g = GEOMETRY;
  const avail = Math.max(100, vp.width - g.axisW - 2 * g.sidePad);
  const gap = lanes ? clamp(avail / lanes, g.minLaneGap, g.maxLaneGap) : g.maxLaneGap;
  const used = gap * lanes;
  const left = g.axisW + g.sidePad + Math.max(0, (avail - used) / 2) - vp.scrollX;
  return { gap, xOf: (i) => left + gap * (i + 0.5), contentWidth: g.axisW + 2 * g.sidePad + used };
}

/** Screen y of row position `rowY`. */
export function screenY(rowY: number, vp: Pick<Viewport, 'scrollY' | 'rowPx'>): number {
  return GEOMETRY.headerH + GEOMETRY.topPad + rowY * vp.rowPx - vp.scrollY;
}

/** Row position at screen y. */
export function rowAtScreenY(sy: number, vp: Pick<Viewport, 'scrollY' | 'rowPx'>): number {
  return (sy - GEOMETRY.headerH - GEOMETRY.topPad + vp.scrollY) / vp.rowPx;
}

export function contentHeight(shown: Pick<ShownSet, 'height'>, rowPx: number): number {
  return GEOMETRY.topPad + shown.height * rowPx + GEOMETRY.bottomPad;
}

export function formatRelative(t: number): string {
  const sign = t < 0 ? '−' : '';
  return `${sign}${Math.abs(t).toFixed(6)} s`;
}

/** Wall-clock time "HH:MM:SS.ffffff" of relative time `t`. */
export function formatAbsolute(t: number, o: Pick<LayoutOptions, 'epochSec' | 'epochNsec' | 'tzOffsetMin'>): string {
  const totalNs = o.epochNsec + Math.round(t * 1e9);
  const sec = o.epochSec + Math.floor(totalNs / 1e9) + o.tzOffsetMin * 60;
  const micros = Math.floor((((totalNs % 1e9) + 1e9) % 1e9) / 1e3);
  const day = ((sec % 86400) + 86400) % 86400;
  const p2 = (v: number) => String(v).padStart(2, '0');
  return `${p2(Math.floor(day / 3600))}:${p2(Math.floor(day / 60) % 60)}:${p2(day % 60)}.${String(micros).padStart(6, '0')}`;
}

export function formatDuration(s: number): string {
  if (s < 1e-3) return `${(s * 1e6).toFixed(0)} µs`;
  if (s < 1) return `${(s * 1e3).toFixed(s < 0.01 ? 2 : 1)} ms`;
  return `${s.toFixed(s < 10 ? 3 : 1)} s`;
}

/** Steepest slant at which a label still runs along its arrow; steeper arrows get a level label. */
const MAX_LABEL_ANGLE = 0.6;

/**
 * Where an arrow's label goes: along the arrow, centred and 3 px above it (text kept upright), or level beside the
 * start of steep arrows and loops.
 */
export function labelPlacement(x0: number, y0: number, x1: number, y1: number, self: boolean, laneGap: number):
  Pick<SceneArrow, 'labelX' | 'labelY' | 'labelAngle' | 'labelMaxW'> {
  if (self) return { labelX: x0 + 34, labelY: (y0 + y1) / 2, labelAngle: 0, labelMaxW: laneGap * 0.8 };
  let angle = Math.atan2(y1 - y0, x1 - x0);
  if (angle > Math.PI / 2) angle -= Math.PI;
  if (angle < -Math.PI / 2) angle += Math.PI;
  const len = Math.hypot(x1 - x0, y1 - y0);
  if (Math.abs(angle) > MAX_LABEL_ANGLE) {
    const dir = x1 >= x0 ? 1 : -1;
    return { labelX: x0 + dir * (Math.abs(x1 - x0) / 2), labelY: Math.min(y0, y1) + 2, labelAngle: 0, labelMaxW: Math.max(40, Math.abs(x1 - x0) - 28) };
  }
  const mx = (x0 + x1) / 2, my = (y0 + y1) / 2;
  // Room is left at both ends, where arrows meet at the lanes (and their labels would touch).
  return { labelX: mx + Math.sin(angle) * 3, labelY: my - Math.cos(angle) * 3, labelAngle: angle, labelMaxW: Math.max(40, len - 64) };
}

/** Average glyph width at 12 px, for estimating label extents. */
export const CHAR_W = 6.3;

/**
 * Drops labels that would be drawn over labels already placed (crossing arrows in busy stretches): the selected
 * arrow's label first, then in frame order. Each label is sampled along its (possibly rotated) box and marked in an
 * 8-pixel occupancy grid; a label is kept when at most two of its samples land on occupied cells.
 */
export function declutterLabels(arrows: SceneArrow[], fontScale: number): void {
  const cell = 8;
  const taken = new Set<number>();
  const key = (x: number, y: number) => Math.floor(x / cell) * 100_003 + Math.floor(y / cell);
  const order = arrows.filter((a) => a.label).sort((a, b) => Number(b.selected) - Number(a.selected) || a.k - b.k);
  for (const a of order) {
    const w = Math.min(a.label!.length * CHAR_W * fontScale, a.labelMaxW) * 0.92;
    const h = 12 * fontScale;
    const cos = Math.cos(a.labelAngle), sin = Math.sin(a.labelAngle);
    // The anchor is the bottom centre (bottom left for loops); "up" is (sin, -cos).
    const x0 = a.self ? 0 : -w / 2;
    const cells: number[] = [];
    for (let u = x0; u <= x0 + w; u += cell / 1.5) {
      for (const v of [0.25 * h, 0.75 * h]) cells.push(key(a.labelX + u * cos + v * sin, a.labelY + u * sin - v * cos));
    }
    let hits = 0;
    for (const c of cells) if (taken.has(c)) hits++;
    if (hits > 2 && !a.selected) {
      a.label = null;
      continue;
    }
    for (const c of cells) taken.add(c);
  }
}

interface AggBucket {
  /** Per lane pair: [src, dst, count, dominant category, marks]. */
  pairs: number[][];
}

const aggCache = new WeakMap<ShownSet, Map<string, AggBucket>>();

/** Frames of rows [j*size, (j+1)*size) grouped by lane pair, coloured by their most common category. */
function bucket(shown: ShownSet, frames: FrameColumns, size: number, j: number): AggBucket {
  let cache = aggCache.get(shown);
  if (!cache) aggCache.set(shown, (cache = new Map()));
  const key = `${size}:${j}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const a = lowerBound(shown.y, shown.count, j * size);
  const b = lowerBound(shown.y, shown.count, (j + 1) * size);
  const byPair = new Map<number, { e: number[]; cats: Uint32Array }>();
  for (let k = a; k < b; k++) {
    const s = shown.srcLane[k], d = shown.dstLane[k];
    const pk = s * 4096 + d;
    let p = byPair.get(pk);
    if (!p) byPair.set(pk, (p = { e: [s, d, 0, 0, 0], cats: new Uint32Array(CATEGORIES.length) }));
    p.e[2]++;
    p.cats[frames.cat[shown.rows[k]]]++;
    p.e[4] |= frames.marks[shown.rows[k]];
  }
  const pairs: number[][] = [];
  for (const { e, cats } of byPair.values()) {
    let best = 0;
    for (let c = 1; c < cats.length; c++) if (cats[c] > cats[best]) best = c;
    e[3] = best;
    pairs.push(e);
  }
  const out = { pairs };
  if (cache.size > 20000) cache.clear();
  cache.set(key, out);
  return out;
}

export function layout(shown: ShownSet, frames: FrameColumns, cursor: Cursor, vp: Viewport, o: LayoutOptions): Scene {
  const g = GEOMETRY;
  const lanesGeo = laneGeometry(shown.lanes.length, vp);
  const lanes = shown.lanes.map((lane, i) => ({ x: lanesGeo.xOf(i), lane }));
  const scene: Scene = {
    mode: shown.count ? 'arrows' : 'empty', width: vp.width, height: vp.height, lanes, laneGap: lanesGeo.gap,
    arrows: [], aggregates: [], ticks: [], gaps: [], brackets: [], dots: [], nowY: null, nowTime: 0, selected: null,
    contentWidth: lanesGeo.contentWidth, contentHeight: contentHeight(shown, vp.rowPx), visible: [0, 0],
    needLabels: [], arrowsDrawn: 0, ghosts: 0, fontScale: o.fontScale, scrollY: vp.scrollY, rowPx: vp.rowPx,
    nowRow: cursor.y, aggSize: 0,
  };
  if (!shown.count) return scene;
  const sy = (row: number) => screenY(row, vp);
  const rTop = rowAtScreenY(g.headerH, vp);
  const rBot = rowAtScreenY(vp.height, vp);
  const nowRow = cursor.y;
  scene.nowY = sy(nowRow);
  scene.nowTime = timeOfY(shown, nowRow);

  // Frames captured on screen decide between arrows and bands; arrows of frames just off screen whose slant
  // reaches into it are drawn too (at most maxArrows of them on each side).
  const kVisFrom = lowerBound(shown.y, shown.count, rTop);
  const kVisTo = upperBound(shown.y, shown.count, rBot);
  const kFrom = Math.max(kVisFrom - g.maxArrows, lowerBound(shown.y, shown.count, rTop - shown.maxFwd));
  const kTo = Math.min(kVisTo + g.maxArrows, upperBound(shown.y, shown.count, rBot + shown.maxBack));
  scene.visible = [kVisFrom, kVisTo];
  const selK = cursor.frame > 0 ? indexOfSorted(shown.rows, shown.count, cursor.frame - 1) : -1;
  // Frames up to the cursor's are complete; later ones are drawn as far as the now-line has carried them.
  const kCur = cursor.frame > 0 ? indexAtOrBefore(shown.rows, shown.count, cursor.frame - 1) : -1;
  const useArrows = vp.rowPx >= g.minArrowRowPx && kVisTo - kVisFrom <= g.maxArrows;
  const withLabels = useArrows && vp.rowPx * 1 >= g.labelRowPx * Math.min(1.3, o.fontScale);

  if (useArrows) {
    for (let k = kFrom; k < kTo; k++) {
      const row = shown.rows[k];
      const y0 = shown.y0[k], y1 = shown.y1[k];
      if (sy(y1) < g.headerH - 4 || sy(y0) > vp.height + 4) continue;
      const span = y1 - y0;
      const progress = k <= kCur ? 1 : clamp((nowRow - y0) / (span > 0 ? span : 1), 0, 1);
      const ghost = progress <= 0;
      if (ghost && !o.showFuture) continue;
      const sl = shown.srcLane[k], dl = shown.dstLane[k];
      const x0 = lanes[sl].x, x1 = lanes[dl].x;
      const ay0 = sy(y0), ay1 = sy(y1);
      const label = withLabels && !ghost ? (o.labels.get(row + 1) ?? null) : null;
      if (withLabels && !o.labels.has(row + 1)) scene.needLabels.push(row + 1);
      const self = sl === dl;
      const arrow: SceneArrow = {
        k, frame: row + 1, x0, y0: ay0, x1, y1: ay1, cat: frames.cat[row], marks: frames.marks[row], progress,
        selected: k === selK, ghost, self, label, ...labelPlacement(x0, ay0, x1, ay1, self, lanesGeo.gap),
        srcPort: frames.srcPort[row], dstPort: frames.dstPort[row],
      };
      scene.arrows.push(arrow);
      if (ghost) scene.ghosts++;
      else scene.arrowsDrawn++;
      if (progress > 0 && progress < 1) {
        scene.dots.push({ x: x0 + (x1 - x0) * progress + (self ? Math.sin(progress * Math.PI) * 30 : 0), y: ay0 + (ay1 - ay0) * progress, cat: arrow.cat });
      }
      if (arrow.selected) scene.selected = arrow;
    }
  } else {
    scene.mode = 'aggregate';
    const size = 2 ** Math.max(0, Math.ceil(Math.log2(3 / vp.rowPx)));
    scene.aggSize = size;
    // Buckets beyond the screen (aggregateMargin) let the view scroll without rebuilding the bands.
    const margin = (o.aggregateMargin ?? 0) / vp.rowPx;
    const jFrom = Math.max(0, Math.floor((rTop - margin) / size));
    const jTo = Math.floor((rBot + margin) / size);
    for (let j = jFrom; j <= jTo; j++) {
      const b = bucket(shown, frames, size, j);
      const yRow = (j + 0.5) * size;
      const y = sy(yRow);
      const onScreen = yRow >= rTop - size && yRow <= rBot + size;
      for (const [s, d, count, cat, marks] of b.pairs) {
        scene.aggregates.push({ x0: lanes[s].x, x1: lanes[d].x, y, h: size * vp.rowPx, count, cat, marks, future: yRow > nowRow });
        if (!onScreen) continue;
        if (yRow <= nowRow) scene.arrowsDrawn += count;
        else scene.ghosts += count;
      }
    }
  }

  if (withLabels) declutterLabels(scene.arrows, o.fontScale);

  // Time axis: one tick per frame when rows are tall, evenly spaced ticks otherwise.
  const fmt = (t: number, withAbs: boolean): Pick<SceneTick, 'rel' | 'abs'> => ({ rel: formatRelative(t), abs: withAbs ? formatAbsolute(t, o) : null });
  const tickFont = 11 * o.fontScale;
  if (useArrows && vp.rowPx >= tickFont + 3) {
    const withAbs = vp.rowPx >= 2 * tickFont + 6;
    for (let k = kFrom; k < kTo; k++) {
      const y = sy(shown.y[k]);
      if (y < g.headerH || y > vp.height) continue;
      scene.ticks.push({ y, frame: shown.rows[k] + 1, ...fmt(shown.t[k], withAbs) });
      if (k > 0) {
        const dt = shown.t[k] - shown.t[k - 1];
        const gapPx = (shown.y[k] - shown.y[k - 1]) * vp.rowPx;
        if (dt >= 0.02 && gapPx >= 2.2 * tickFont) {
          scene.gaps.push({ y: (sy(shown.y[k - 1]) + y) / 2, text: `${formatDuration(dt)} later`, frame: shown.rows[k] + 1 });
        }
      }
    }
  } else {
    const stepPx = 64 * o.fontScale;
    const stepRows = stepPx / vp.rowPx;
    const first = Math.ceil(Math.max(0, rTop) / stepRows);
    for (let i = first; i * stepRows <= Math.min(rBot, shown.height); i++) {
      const row = i * stepRows;
      const t = timeOfY(shown, row);
      scene.ticks.push({ y: sy(row), frame: null, ...fmt(t, true) });
    }
  }

  for (const b of scene.mode === 'arrows' ? shown.brackets : []) {
    const y0 = sy(b.y0), y1 = sy(b.y1);
    if (y1 < g.headerH || y0 > vp.height || y1 - y0 < 10) continue;
    const laneX = lanes[b.lane]?.x;
    if (laneX === undefined) continue;
    scene.brackets.push({ conv: b.conv, x: laneX - 18, y0, y1, label: `RTT ${formatDuration(b.rtt)}` });
  }
  return scene;
}

/** Name of a category index (for tests, exports and the legend). */
export const categoryName = (cat: number) => CATEGORIES[cat] ?? 'other';
