// Which frames the diagram shows and where each one sits in "row units" (y grows downwards with time).
// Computed once when the data, the chosen conversations or the filter change, never on scroll, zoom or playback:
// layout() only reads it, which is what makes stepping back show exactly what was shown before.
//
// Vertical scale: "compressed" time gives every frame at least one row and adds a logarithmic extra for the idle
// time before it (1 ms ≈ +0.5 row, 1 s ≈ +4.8 rows, capped at +8), so bursts stay readable and pauses stay
// visible; "linear" time is proportional (zoom out to see bursts). Either way y is strictly increasing in frame
// order, so ranges of frames are found by binary search.
//
// Arrows are slanted by travel time when a TCP handshake tells where the capture point sits: with a = SYN→SYN/ACK
// and b = SYN/ACK→ACK seen at the capture point, a client→server packet seen at t left the client at t − b/2 and
// reached the server at t + a/2; a server→client packet left the server at t − a/2 and reached the client at t + b/2.
// Other arrows get a small fixed slant so that playback still shows them travelling. In dense captures a round trip
// covers hundreds of frames, so slants are capped (MAX_SLANT rows) to keep the ladder readable.
import { indexOfSorted } from '../../decoders/columns';
import type { CaptureData } from '../model/capture-data';

export type TimeScale = 'compressed' | 'linear';

export interface ShownOptions {
  /** Conversation ids to show, or 'all'. */
  conversations: ReadonlySet<number> | 'all';
  /** Frames outside any conversation (ICMP, other IP traffic). */
  includeOther: boolean;
  /** Filter mask per frame row (1 = keep), or null. */
  mask: Uint8Array | null;
  timeScale: TimeScale;
  /** Most lanes before the least busy endpoints are folded into an "other clients" and an "other servers" lane. */
  maxLanes: number;
}

export interface Lane {
  index: number;
  /** Host id (model.hosts), -1 for a folded lane ("other clients" / "other servers"). */
  host: number;
  /** Set when the host talks to itself (loopback): one lane per port. */
  port: number | null;
  address: string;
  name?: string;
  /** Ports seen on this lane, busiest first. */
  ports: number[];
  /** For the folded lane: how many endpoints it holds. */
  folded?: number;
  packets: number;
}

export interface Bracket {
  conv: number;
  lane: number;
  y0: number;
  y1: number;
  /** Round-trip time in seconds (SYN sent → SYN/ACK received, seen from the client). */
  rtt: number;
}

export interface ShownSet {
  count: number;
  /** Frame row (0-based) of each shown frame, increasing. */
  rows: Int32Array;
  /** Row-unit position of the capture time of each shown frame (strictly increasing). */
  y: Float64Array;
  /** Arrow start and end, row units. */
  y0: Float64Array;
  y1: Float64Array;
  /** Prefix maximum of y1: the cursor position at which shown frame k and every earlier one are complete. */
  yDone: Float64Array;
  /** Non-decreasing capture time of each shown frame (seconds from the first frame). */
  t: Float64Array;
  srcLane: Int16Array;
  dstLane: Int16Array;
  lanes: Lane[];
  brackets: Bracket[];
  /** Largest y − y0 and y1 − y over all shown frames (culling margins). */
  maxBack: number;
  maxFwd: number;
  /** Row units from 0 to the end of the last arrow. */
  height: number;
  timeScale: TimeScale;
  /** Seconds per row near the average, for "linear"; informs the axis. */
  rowsPerSecond: number;
  /** Data version it was built from. */
  version: number;
}

export const MIN_SLANT = 0.45;
/** Most rows an arrow ends after its capture row (it starts at most half that before). */
export const MAX_SLANT = 4;
const GAP_CAP = 8;

/** Extra rows for `dt` seconds of idle time in compressed mode. */
export function gapRows(dt: number): number {
  if (!(dt > 0)) return 0;
  return Math.min(GAP_CAP, 1.6 * Math.log10(1 + dt / 1e-3));
}

/** Index of the first element > v. */
export function upperBound(a: ArrayLike<number>, n: number, v: number): number {
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= v) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** Row position of capture time `time` (interpolated between shown frames, extended past both ends). */
export function yOfTime(s: Pick<ShownSet, 'count' | 't' | 'y' | 'timeScale' | 'rowsPerSecond'>, time: number): number {
  const n = s.count;
  if (n === 0) return 0;
  const ext = (dt: number) => (s.timeScale === 'linear' ? dt * s.rowsPerSecond : gapRows(dt));
  if (time <= s.t[0]) return s.y[0] - ext(s.t[0] - time);
  if (time >= s.t[n - 1]) return s.y[n - 1] + ext(time - s.t[n - 1]);
  const k = upperBound(s.t, n, time) - 1;
  const dt = s.t[k + 1] - s.t[k];
  if (dt <= 0) return s.y[k];
  return s.y[k] + ((time - s.t[k]) / dt) * (s.y[k + 1] - s.y[k]);
}

/** Capture time at row position `y` (inverse of yOfTime inside the shown range; clamped outside). */
export function timeOfY(s: Pick<ShownSet, 'count' | 't' | 'y'>, y: number): number {
  const n = s.count;
  if (n === 0) return 0;
  if (y <= s.y[0]) return s.t[0];
  if (y >= s.y[n - 1]) return s.t[n - 1];
  const k = upperBound(s.y, n, y) - 1;
  return s.t[k] + ((y - s.y[k]) / (s.y[k + 1] - s.y[k])) * (s.t[k + 1] - s.t[k]);
}

type Base = Pick<ShownSet, 'count' | 't' | 'y' | 'timeScale' | 'rowsPerSecond'>;

/**
 * yOfTime(s, time) for a time at or before shown frame k's, or any value <= `floor` when that is <= `floor` (the
 * caller clamps the slant there). Searches outwards from k: with the clamp that touches a few rows, where a binary
 * search over the whole set did not (two per frame were a third of a rebuild).
 */
function yBefore(s: Base, k: number, time: number, floor: number): number {
  const t = s.t, y = s.y;
  if (!(time < t[k]) || time <= t[0]) return yOfTime(s, time);
  // Last index j < k with t[j] <= time or y[j] <= floor (the predicate grows with j's distance from k): gallop, then
  // bisect.
  let hi = k, step = 1, lo = k - 1;
  while (lo >= 0 && t[lo] > time && y[lo] > floor) {
    hi = lo;
    lo = k - (step *= 2);
  }
  if (lo < 0) {
    if (t[0] > time && y[0] > floor) return yOfTime(s, time);
    lo = 0;
  }
  // t[lo] <= time or y[lo] <= floor; neither at hi.
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (t[mid] > time && y[mid] > floor) hi = mid; else lo = mid;
  }
  if (t[lo] > time) return y[lo]; // y[lo] <= floor: the answer is no higher
  const dt = t[lo + 1] - t[lo];
  return dt <= 0 ? y[lo] : y[lo] + ((time - t[lo]) / dt) * (y[lo + 1] - y[lo]);
}

/** yOfTime(s, time) for a time at or after shown frame k's, or any value >= `ceil` when that is >= `ceil`. */
function yAfter(s: Base, k: number, time: number, ceil: number): number {
  const t = s.t, y = s.y, n = s.count;
  if (time < t[k] || time <= t[0] || time >= t[n - 1]) return yOfTime(s, time);
  // First index j > k with t[j] > time or y[j] >= ceil.
  let lo = k, step = 1, hi = k + 1;
  while (hi < n && t[hi] <= time && y[hi] < ceil) {
    lo = hi;
    hi = k + (step *= 2);
  }
  if (hi >= n) {
    if (t[n - 1] <= time && y[n - 1] < ceil) return yOfTime(s, time);
    hi = n - 1;
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (t[mid] <= time && y[mid] < ceil) lo = mid; else hi = mid;
  }
  if (t[hi] <= time) return y[hi]; // y[hi] >= ceil
  // t[lo] <= time < t[hi] = t[lo + 1]
  const dt = t[hi] - t[lo];
  return dt <= 0 ? y[lo] : y[lo] + ((time - t[lo]) / dt) * (y[hi] - y[lo]);
}

/** Ports seen at each of `keys` (busiest first, ties in order of first appearance), from one pass over the rows. */
function portsOfKeys(keys: number[], n: number, srcKey: Int32Array, dstKey: Int32Array, rows: Int32Array,
  srcPort: Uint16Array, dstPort: Uint16Array): Map<number, number[]> {
  const maxKey = keys.length ? Math.max(...keys) : -1;
  const slotOf = new Int32Array(maxKey + 1).fill(-1);
  keys.forEach((key, i) => (slotOf[key] = i));
  const count: (Uint32Array | null)[] = keys.map(() => null), first: (Int32Array | null)[] = keys.map(() => null);
  const seen = (i: number, port: number, at: number) => {
    let c = count[i], fst = first[i];
    if (!c || !fst) {
      c = count[i] = new Uint32Array(65536);
      fst = first[i] = new Int32Array(65536);
    }
    if (c[port]++ === 0) fst[port] = at;
  };
  for (let k = 0; k < n; k++) {
    const a = srcKey[k], b = dstKey[k];
    if (a <= maxKey && slotOf[a] >= 0) {
      const p = srcPort[rows[k]];
      if (p) seen(slotOf[a], p, 2 * k);
    }
    if (b <= maxKey && slotOf[b] >= 0) {
      const p = dstPort[rows[k]];
      if (p) seen(slotOf[b], p, 2 * k + 1);
    }
  }
  const out = new Map<number, number[]>();
  keys.forEach((key, i) => {
    const c = count[i], fst = first[i];
    const ports: number[] = [];
    if (c && fst) {
      for (let p = 1; p < 65536; p++) if (c[p]) ports.push(p);
      ports.sort((x, y) => c[y] - c[x] || fst[x] - fst[y]);
    }
    out.set(key, ports);
  });
  return out;
}

export function buildShownSet(data: CaptureData, o: ShownOptions): ShownSet {
  const f = data.frames;
  const convs = data.conversations;
  const wanted = (c: number) => (c < 0 ? o.includeOther : o.conversations === 'all' || o.conversations.has(c));

  // 1. Which rows.
  const rowsAll = new Int32Array(f.count);
  let n = 0;
  for (let r = 0; r < f.count; r++) {
    if (f.src[r] < 0 || f.dst[r] < 0) continue; // no IP endpoints to draw between (ARP, undecoded)
    if (!wanted(f.conv[r])) continue;
    if (o.mask && !o.mask[r]) continue;
    rowsAll[n++] = r;
  }
  const rows = rowsAll.slice(0, n);

  // 2. Lanes: hosts (split by port for hosts that talk to themselves), busiest kept, the rest folded.
  const selfTalk = new Set<number>();
  for (const c of convs) if (c && c.clientHost === c.serverHost && wanted(c.id)) selfTalk.add(c.clientHost);
  // Endpoint → key: a typed-array slot per host (the common case; a Map per frame pair was most of a rebuild's time
  // on big captures), a Map only for the (host, port) keys of hosts that talk to themselves. Every host id a frame
  // holds is in data.hosts: the worker posts new hosts in the batch of the first frames naming them.
  const hostSlot = new Int32Array(data.hosts.length).fill(-1);
  const portKeys = new Map<number, number>();
  const keyHost: number[] = [], keyPort: (number | null)[] = [], keyCount: number[] = [], keyFirst: number[] = [];
  /** Frames in which the key is the client side of its conversation. */
  const keyClient: number[] = [];
  const srcKey = new Int32Array(n), dstKey = new Int32Array(n);
  const newKey = (host: number, port: number | null, k: number): number => {
    keyHost.push(host);
    keyPort.push(port);
    keyCount.push(0);
    keyClient.push(0);
    keyFirst.push(k);
    return keyHost.length - 1;
  };
  const keyFor = (host: number, port: number, k: number, asClient: boolean): number => {
    let i: number | undefined;
    if (selfTalk.size && selfTalk.has(host)) {
      const key = host * 65536 + port;
      i = portKeys.get(key);
      if (i === undefined) portKeys.set(key, (i = newKey(host, port, k)));
    } else {
      i = hostSlot[host];
      if (i < 0) hostSlot[host] = i = newKey(host, null, k);
    }
    keyCount[i]++;
    if (asClient) keyClient[i]++;
    return i;
  };
  for (let k = 0; k < n; k++) {
    const r = rows[k];
    srcKey[k] = keyFor(f.src[r], f.srcPort[r], k, f.dir[r] === 0);
    dstKey[k] = keyFor(f.dst[r], f.dstPort[r], k, f.dir[r] === 1);
  }
  const nKeys = keyHost.length;
  const maxLanes = Math.max(3, o.maxLanes);
  let kept: number[] = [...Array(nKeys).keys()];
  let folded: number[] = [];
  if (nKeys > maxLanes) {
    // Folded endpoints go to one lane for clients (left) and one for servers (right), so that what remains still
    // reads as traffic between two sides.
    const byCount = kept.slice().sort((a, b) => keyCount[b] - keyCount[a] || keyFirst[a] - keyFirst[b]);
    kept = byCount.slice(0, maxLanes - 2);
    folded = byCount.slice(maxLanes - 2);
  }
  kept.sort((a, b) => a - b); // key ids are in order of first appearance (sender before receiver)
  const keyPorts = portsOfKeys(kept, n, srcKey, dstKey, rows, f.srcPort, f.dstPort);
  const laneOfKey = new Int16Array(nKeys);
  const lanes: Lane[] = [];
  const foldedLane = (keys: number[], role: string) => {
    if (!keys.length) return;
    const index = lanes.length;
    let packets = 0;
    for (const key of keys) {
      laneOfKey[key] = index;
      packets += keyCount[key];
    }
    lanes.push({ index, host: -1, port: null, address: `${keys.length} other ${role}${keys.length === 1 ? '' : 's'}`, ports: [], folded: keys.length, packets });
  };
  const clientish = (key: number) => keyClient[key] * 2 >= keyCount[key];
  foldedLane(folded.filter(clientish), 'client');
  for (const key of kept) {
    const index = lanes.length;
    laneOfKey[key] = index;
    const address = data.hosts[keyHost[key]] ?? '?';
    lanes.push({
      index, host: keyHost[key], port: keyPort[key], address, name: data.hostNames.get(address),
      ports: keyPorts.get(key)!, packets: keyCount[key],
    });
  }
  foldedLane(folded.filter((k) => !clientish(k)), 'server');
  const srcLane = new Int16Array(n), dstLane = new Int16Array(n);
  for (let k = 0; k < n; k++) {
    srcLane[k] = laneOfKey[srcKey[k]];
    dstLane[k] = laneOfKey[dstKey[k]];
  }

  // 3. Row positions.
  const t = new Float64Array(n), y = new Float64Array(n);
  let duration = 0;
  for (let k = 0; k < n; k++) t[k] = k === 0 ? f.time[rows[0]] : Math.max(t[k - 1], f.time[rows[k]]);
  if (n > 1) duration = t[n - 1] - t[0];
  const rowsPerSecond = duration > 0 ? Math.max(1, n / duration) : 1000;
  for (let k = 1; k < n; k++) {
    const dt = t[k] - t[k - 1];
    y[k] = o.timeScale === 'linear'
      ? Math.max(y[k - 1] + 1e-6, (t[k] - t[0]) * rowsPerSecond)
      : y[k - 1] + 1 + gapRows(dt);
  }
  const base = { count: n, t, y, timeScale: o.timeScale, rowsPerSecond };

  // 4. Travel times from handshakes.
  // Per conversation id, for the per-frame loop (NaN: no handshake timing).
  const travelA = new Float64Array(convs.length).fill(NaN), travelB = new Float64Array(convs.length);
  const brackets: Bracket[] = [];
  for (const c of convs) {
    if (!c?.hs || !wanted(c.id) || !c.hs.syn || !c.hs.synAck || !c.hs.ack) continue;
    const ts = f.time[c.hs.syn - 1], tsa = f.time[c.hs.synAck - 1], ta = f.time[c.hs.ack - 1];
    const a = tsa - ts, b = ta - tsa;
    if (!(a >= 0 && b >= 0) || a + b > 30) continue;
    travelA[c.id] = a;
    travelB[c.id] = b;
  }
  const y0 = new Float64Array(n), y1 = new Float64Array(n), yDone = new Float64Array(n);
  let maxBack = 0, maxFwd = 0, done = -Infinity;
  for (let k = 0; k < n; k++) {
    const r = rows[k];
    const conv = f.conv[r], dir = f.dir[r];
    let s = y[k], e = y[k];
    if (conv >= 0 && conv < travelA.length && travelA[conv] === travelA[conv] && dir <= 1) {
      const a = travelA[conv], b = travelB[conv];
      const before = dir === 0 ? b / 2 : a / 2, after = dir === 0 ? a / 2 : b / 2;
      s = Math.min(y[k], yBefore(base, k, t[k] - before, y[k] - MAX_SLANT / 2));
      e = Math.max(y[k], yAfter(base, k, t[k] + after, y[k] + MAX_SLANT));
    }
    // In dense captures a round trip spans hundreds of rows: cap the slant so the picture stays readable.
    if (s < y[k] - MAX_SLANT / 2) s = y[k] - MAX_SLANT / 2;
    if (e > y[k] + MAX_SLANT) e = y[k] + MAX_SLANT;
    if (e - s < MIN_SLANT) e = s + MIN_SLANT;
    y0[k] = s;
    y1[k] = e;
    if (y[k] - s > maxBack) maxBack = y[k] - s;
    if (e - y[k] > maxFwd) maxFwd = e - y[k];
    done = Math.max(done, e);
    yDone[k] = done;
  }

  // 5. RTT brackets on the client's lane: SYN leaving the client to SYN/ACK reaching it.
  for (let conv = 0; conv < travelA.length; conv++) {
    const a = travelA[conv];
    if (a !== a) continue; // NaN: no handshake timing
    const hs = convs[conv].hs!;
    const kSyn = indexOfSorted(rows, n, hs.syn - 1);
    const kSa = indexOfSorted(rows, n, hs.synAck - 1);
    if (kSyn < 0 || kSa < 0) continue;
    brackets.push({ conv, lane: srcLane[kSyn], y0: y0[kSyn], y1: y1[kSa], rtt: a + travelB[conv] });
  }

  return {
    count: n, rows, y, y0, y1, yDone, t, srcLane, dstLane, lanes, brackets, maxBack, maxFwd,
    height: n ? yDone[n - 1] : 0, timeScale: o.timeScale, rowsPerSecond, version: data.version,
  };
}

/** Shown index of the nearest shown frame at or before frame row `row` (-1 if none). */
export function indexAtOrBefore(rows: Int32Array, n: number, row: number): number {
  return upperBound(rows, n, row) - 1;
}
