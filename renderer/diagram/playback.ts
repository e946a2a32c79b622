// Cursor arithmetic for playback and stepping. Pure functions of (shown set, cursor, elapsed real time): the cursor
// for frame k is always { frame: k's number, y: yDone[k] } whichever way you got there, so stepping forward then
// back lands on exactly the picture you had.
import type { EventColumns } from '../model/capture-data';
import type { Cursor } from './layout';
import { indexAtOrBefore, upperBound, yOfTime, timeOfY, type ShownSet } from './shown-set';

/** Real-time factor, or one shown frame per second ("teaching" pace). */
export type Speed = number | 'frame';

export const SPEEDS: Speed[] = [0.1, 0.25, 0.5, 1, 2, 5, 10, 100, 1000, 'frame'];

export function cursorAtIndex(shown: ShownSet, k: number): Cursor {
  if (shown.count === 0 || k < 0) return startCursor(shown);
  const i = Math.min(k, shown.count - 1);
  return { frame: shown.rows[i] + 1, y: shown.yDone[i] };
}

/** Before the first frame: nothing drawn yet. */
export function startCursor(shown: ShownSet): Cursor {
  return { frame: 0, y: shown.count ? shown.y0[0] - 1e-9 : 0 };
}

export function endCursor(shown: ShownSet): Cursor {
  return cursorAtIndex(shown, shown.count - 1);
}

/** Shown index the cursor is on (-1 before the first shown frame). */
export function cursorIndex(shown: ShownSet, c: Cursor): number {
  if (c.frame <= 0) return -1;
  return indexAtOrBefore(shown.rows, shown.count, c.frame - 1);
}

/** The cursor on frame number `frame`, or on the nearest shown frame before it when that one is hidden. */
export function cursorAtFrame(shown: ShownSet, frame: number): Cursor {
  const k = indexAtOrBefore(shown.rows, shown.count, frame - 1);
  return k < 0 ? (shown.count ? cursorAtIndex(shown, 0) : startCursor(shown)) : cursorAtIndex(shown, k);
}

export function stepFrame(shown: ShownSet, c: Cursor, delta: number): Cursor {
  const k = cursorIndex(shown, c);
  const exact = k >= 0 && shown.rows[k] === c.frame - 1 && Math.abs(c.y - shown.yDone[k]) < 1e-9;
  // From a cursor between frames (after playback), "back" goes to the frame it is on, not the one before.
  const target = delta > 0 ? k + delta : exact ? k + delta : k + delta + 1;
  if (target < 0) return startCursor(shown);
  return cursorAtIndex(shown, Math.min(target, shown.count - 1));
}

/**
 * Next (dir 1) or previous (dir -1) timeline event of conversation `conv` strictly after/before the cursor's frame,
 * among shown frames. Returns the cursor on that event's frame, or null when there is none.
 */
export function stepEvent(shown: ShownSet, events: EventColumns, conv: number, c: Cursor, dir: 1 | -1): Cursor | null {
  const from = c.frame;
  if (dir > 0) {
    for (let e = events.lowerBound(from + 1); e < events.count; e++) {
      if (events.conv[e] !== conv) continue;
      const cur = cursorAtFrame(shown, events.frame[e]);
      if (cur.frame === events.frame[e]) return cur;
    }
  } else {
    for (let e = events.lowerBound(from) - 1; e >= 0; e--) {
      if (events.conv[e] !== conv || events.frame[e] >= from) continue;
      const cur = cursorAtFrame(shown, events.frame[e]);
      if (cur.frame === events.frame[e]) return cur;
    }
  }
  return null;
}

/**
 * Advances playback by `dtMs` of real time. At a numeric speed the capture's own clock runs `speed` times faster
 * than the wall clock; at 'frame' the cursor moves one shown frame per second. The current frame becomes the last
 * one whose arrow has fully arrived.
 */
export function advance(shown: ShownSet, c: Cursor, dtMs: number, speed: Speed): { cursor: Cursor; ended: boolean } {
  if (shown.count === 0) return { cursor: c, ended: true };
  const end = shown.yDone[shown.count - 1];
  let y: number;
  if (speed === 'frame') {
    // Position in "frames": index of the last completed frame plus the fraction towards the next.
    const k = upperBound(shown.yDone, shown.count, c.y) - 1;
    const a = k >= 0 ? shown.yDone[k] : shown.y0[0];
    const b = shown.yDone[Math.min(k + 1, shown.count - 1)];
    let pos = (k >= 0 ? k : -1) + (b > a ? (c.y - a) / (b - a) : 1) + dtMs / 1000;
    pos = Math.min(pos, shown.count - 1);
    const i = Math.floor(pos), f = pos - i;
    const ya = i >= 0 ? shown.yDone[i] : shown.y0[0];
    const yb = shown.yDone[Math.min(i + 1, shown.count - 1)];
    y = ya + (yb - ya) * f;
  } else {
    const t = timeOfY(shown, c.y) + (dtMs / 1000) * speed;
    y = Math.max(c.y + 1e-9, yOfTime(shown, t));
  }
  y = Math.min(y, end);
  const k = upperBound(shown.yDone, shown.count, y + 1e-9) - 1;
  const frame = k >= 0 ? shown.rows[k] + 1 : 0;
  return { cursor: { frame, y }, ended: y >= end };
}
