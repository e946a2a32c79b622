// Cursor arithmetic for playback and stepping. Pure functions of (shown set, cursor, elapsed real time).
//
// The cursor is { frame, y }: every shown frame up to `frame` is drawn complete (it has been stepped through), later
// frames are drawn as far as the now-line `y` has carried them along their arrows (packets in flight). Stepping to
// frame k always gives { frame: k, y: where k's arrow arrives }, whichever way you got there, so stepping forward
// then back lands on exactly the picture you had.
import type { EventColumns } from '../model/capture-data';
import type { Cursor } from './layout';
import { indexAtOrBefore, upperBound, yOfTime, timeOfY, type ShownSet } from './shown-set';

/** Real-time factor, or one shown frame per second, each travelling along its arrow ("teaching" pace). */
export type Speed = number | 'frame';

export const SPEEDS: Speed[] = [0.1, 0.25, 0.5, 1, 2, 5, 10, 100, 1000, 'frame'];

export function cursorAtIndex(shown: ShownSet, k: number): Cursor {
  if (shown.count === 0 || k < 0) return startCursor(shown);
  const i = Math.min(k, shown.count - 1);
  return { frame: shown.rows[i] + 1, y: shown.y1[i] };
}

/** Before the first frame: nothing drawn yet. */
export function startCursor(shown: ShownSet): Cursor {
  return { frame: 0, y: shown.count ? shown.y0[0] - 1e-9 : 0 };
}

/** After the last frame has arrived: everything drawn. */
export function endCursor(shown: ShownSet): Cursor {
  if (!shown.count) return startCursor(shown);
  return { frame: shown.rows[shown.count - 1] + 1, y: shown.yDone[shown.count - 1] };
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
  const exact = k >= 0 && shown.rows[k] === c.frame - 1 && Math.abs(c.y - shown.y1[k]) < 1e-9;
  // From a cursor between frames (paused playback), "back" goes to the frame it is on, not the one before.
  const target = delta > 0 || exact ? k + delta : k + delta + 1;
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
 * than the wall clock, and the current frame becomes the last one by which everything has arrived. At 'frame' the
 * next frame's packet travels along its arrow in one second, then becomes the current frame.
 */
export function advance(shown: ShownSet, c: Cursor, dtMs: number, speed: Speed): { cursor: Cursor; ended: boolean } {
  const n = shown.count;
  if (n === 0) return { cursor: c, ended: true };
  let k = cursorIndex(shown, c);
  if (speed === 'frame') {
    let budget = dtMs / 1000;
    let y = c.y;
    while (k < n - 1) {
      const t = k + 1;
      const span = shown.y1[t] - shown.y0[t];
      // Where the packet already is: arrived (1) when the now-line passed its end, part-way when inside its span.
      const f = y >= shown.y1[t] ? 1 : y > shown.y0[t] ? (y - shown.y0[t]) / span : 0;
      if (f + budget < 1) return { cursor: { frame: k >= 0 ? shown.rows[k] + 1 : 0, y: shown.y0[t] + (f + budget) * span }, ended: false };
      budget -= 1 - f;
      k = t;
      y = Math.max(y, shown.y1[t]);
    }
    return { cursor: endCursor(shown), ended: true };
  }
  const end = shown.yDone[n - 1];
  const t = timeOfY(shown, c.y) + (dtMs / 1000) * speed;
  const y = Math.min(end, Math.max(c.y + 1e-9, yOfTime(shown, t)));
  if (y >= end) return { cursor: endCursor(shown), ended: true };
  // Never step back: frames already passed stay complete.
  k = Math.max(k, upperBound(shown.yDone, n, y) - 1);
  return { cursor: { frame: k >= 0 ? shown.rows[k] + 1 : 0, y }, ended: false };
}
