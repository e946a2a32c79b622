// The app's state and every action on it. React components read slices with useStore(); the diagram subscribes
// directly and redraws on the next animation frame. The cursor, the shown set and the viewport are plain values:
// the picture is layout(shown, cursor, viewport), nothing else.
import { useSyncExternalStore } from 'react';
import type {
  AppInfo, CaptureEnded, CaptureStarted, CaptureStats, MenuCommand, OpenResult, OpenedCapture, PacketflowApi,
  ThemeSetting,
} from '../../electron/ipc-contract';
import { indexOfSorted, lowerBound } from '../../decoders/columns';
import { buildShownSet, type ShownSet, type TimeScale } from '../diagram/shown-set';
import { GEOMETRY, contentHeight, laneGeometry, rowAtScreenY, screenY, type Cursor } from '../diagram/layout';
import {
  advance, cursorAtFrame, cursorAtIndex, cursorIndex, endCursor, startCursor, stepEvent, stepFrame, type Speed,
} from '../diagram/playback';
import type { ThemeName } from '../diagram/theme';
import type { FrameDetails } from '../worker/protocol';
import { CaptureSession, type ByteSource, type Progress } from './session';
import { pfTest } from '../test-hooks';

export interface ViewState {
  width: number;
  height: number;
  scrollX: number;
  scrollY: number;
  rowPx: number;
}

export interface LiveState {
  session: number | null;
  started: CaptureStarted | null;
  stats: CaptureStats | null;
  ended: CaptureEnded | null;
  paused: boolean;
}

export interface AppState {
  info: AppInfo | null;
  file: OpenedCapture | null;
  progress: Progress | null;
  dataVersion: number;
  selected: 'all' | ReadonlySet<number>;
  includeOther: boolean;
  filterText: string;
  filterError: string | null;
  filterMatches: number | null;
  filterMask: Uint8Array | null;
  timeScale: TimeScale;
  shown: ShownSet | null;
  cursor: Cursor;
  view: ViewState;
  follow: boolean;
  playing: boolean;
  speed: Speed;
  themeSetting: ThemeSetting;
  theme: ThemeName;
  presentation: boolean;
  showFuture: boolean;
  labelsVersion: number;
  details: FrameDetails | null;
  field: { offset: number; length: number; name: string } | null;
  overlay: 'none' | 'shortcuts' | 'about' | 'live';
  message: { kind: 'error' | 'info'; text: string } | null;
  live: LiveState;
}

const MIN_ROW_PX = 1e-4;
const MAX_ROW_PX = 160;
const DEFAULT_ROW_PX = 34;

/** How many lanes fit the diagram's width before the least busy endpoints fold into one lane. */
export function lanesFor(width: number): number {
  const avail = width - GEOMETRY.axisW - 2 * GEOMETRY.sidePad;
  return Math.max(3, Math.min(16, Math.floor(avail / GEOMETRY.minLaneGap)));
}

function systemTheme(): ThemeName {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function loadPrefs(): { themeSetting: ThemeSetting; presentation: boolean } {
  try {
    const p = JSON.parse(localStorage.getItem('packetflow.prefs') ?? '{}');
    return {
      themeSetting: ['system', 'light', 'dark'].includes(p.themeSetting) ? p.themeSetting : 'system',
      presentation: p.presentation === true,
    };
  } catch {
    return { themeSetting: 'system', presentation: false };
  }
}

export class Store {
  state: AppState;
  session: CaptureSession | null = null;
  readonly labels = new Map<number, string>();
  private listeners = new Set<() => void>();
  private labelsInFlight = new Set<number>();
  private rebuildTimer: ReturnType<typeof setTimeout> | null = null;
  private lastRebuild = 0;
  private detailsTimer: ReturnType<typeof setTimeout> | null = null;
  private filterSeq = 0;
  private raf = 0;
  private lastTick = 0;
  private liveUnsubs: (() => void)[] = [];
  /** Set by the diagram: builds the current SVG for export. */
  exporter: { svg(): string; title(): string } | null = null;
  /** Live capture: keep the cursor on the newest frame (until the user moves it; End resumes). */
  private liveTail = true;
  /** The user zoomed or scrolled since the capture was opened (then the view is left alone). */
  private viewTouched = false;
  /** Milliseconds from opening the file to the first drawn diagram (benchmark and tests). */
  firstDiagramMs: number | null = null;
  openedAt = 0;

  constructor(readonly api: PacketflowApi) {
    const prefs = loadPrefs();
    this.state = {
      info: null, file: null, progress: null, dataVersion: 0, selected: 'all', includeOther: true, filterText: '',
      filterError: null, filterMatches: null, filterMask: null, timeScale: 'compressed', shown: null,
      cursor: { frame: 0, y: 0 }, view: { width: 1200, height: 800, scrollX: 0, scrollY: 0, rowPx: DEFAULT_ROW_PX },
      follow: true, playing: false, speed: 1, themeSetting: prefs.themeSetting,
      theme: prefs.themeSetting === 'system' ? systemTheme() : prefs.themeSetting, presentation: prefs.presentation,
      showFuture: true, labelsVersion: 0, details: null, field: null, overlay: 'none', message: null,
      live: { session: null, started: null, stats: null, ended: null, paused: false },
    };
    if (typeof matchMedia === 'function') {
      matchMedia('(prefers-color-scheme: dark)').addEventListener?.('change', () => {
        if (this.state.themeSetting === 'system') this.set({ theme: systemTheme() });
      });
    }
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  set(patch: Partial<AppState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }

  // ---- files --------------------------------------------------------------------------------------------------

  async init(): Promise<void> {
    this.api.onMenuCommand((c) => this.menu(c));
    this.api.onFileOpened((r) => this.openResult(r));
    this.liveUnsubs.push(
      this.api.onCaptureFrames((b) => {
        if (b.session === this.state.live.session) this.session?.pushLive(b.bytes);
        else this.stashLive(b.session, b.bytes);
      }),
      this.api.onCaptureStats((s) => {
        if (s.session === this.state.live.session) this.set({ live: { ...this.state.live, stats: s } });
      }),
      this.api.onCaptureEnded((e) => {
        if (e.session !== this.state.live.session) return;
        this.session?.endLive();
        this.set({ live: { ...this.state.live, ended: e, stats: e.stats ?? this.state.live.stats },
          message: e.error ? { kind: 'error', text: `${e.error}${e.hint ? ` — ${e.hint}` : ''}` } : this.state.message });
      }),
    );
    const [info, initial] = await Promise.all([this.api.appInfo(), this.api.openInitial()]);
    this.set({ info });
    if (initial) this.openResult(initial);
  }

  async openDialog(): Promise<void> {
    const r = await this.api.openFileDialog();
    if (r) this.openResult(r);
  }

  async openDropped(file: File): Promise<void> {
    this.openResult(await this.api.openDroppedFile(file));
  }

  async openRecent(path: string): Promise<void> {
    this.openResult(await this.api.openRecent(path));
  }

  openResult(r: OpenResult): void {
    pfTest.openError = r.ok ? null : r.message;
    if (!r.ok) {
      this.set({ message: { kind: 'error', text: r.message } });
      return;
    }
    const c = r.capture;
    const api = this.api;
    const source: ByteSource = {
      name: c.name, size: c.size,
      read: (offset, length) => api.readCapture(c.handle, offset, length),
      close: () => void api.closeCapture(c.handle),
    };
    this.set({ live: { session: null, started: null, stats: null, ended: null, paused: false } });
    this.startSession(new CaptureSession(source, false, (w) => this.onSession(w)), c);
    void this.session!.start();
  }

  private startSession(session: CaptureSession, file: OpenedCapture): void {
    this.session?.dispose();
    this.session = session;
    this.labels.clear();
    this.labelsInFlight.clear();
    this.firstDiagramMs = null;
    this.viewTouched = false;
    this.openedAt = performance.now();
    this.stopLoop();
    this.set({
      file, progress: session.progress, dataVersion: 0, selected: 'all', filterText: '', filterError: null,
      filterMatches: null, filterMask: null, shown: null, cursor: { frame: 0, y: 0 }, playing: false, details: null,
      field: null, message: null, labelsVersion: 0,
      view: { ...this.state.view, scrollX: 0, scrollY: 0, rowPx: DEFAULT_ROW_PX },
    });
    document.title = `${file.name} — PacketFlow`;
  }

  closeCapture(): void {
    this.session?.dispose();
    this.session = null;
    this.stopLoop();
    this.set({ file: null, progress: null, shown: null, details: null, playing: false, cursor: { frame: 0, y: 0 } });
    document.title = 'PacketFlow';
  }

  private onSession(what: 'data' | 'progress' | 'done'): void {
    const s = this.session;
    if (!s) return;
    if (what === 'progress') {
      this.set({ progress: s.progress, message: s.progress.error ? { kind: 'error', text: s.progress.error } : this.state.message });
      return;
    }
    this.set({ progress: s.progress, dataVersion: s.data.version });
    // Rebuilding the shown set is O(frames): while loading, every 0.4–2 s depending on size (first batch at once).
    if (what === 'done' || !this.state.shown) this.rebuild();
    else this.scheduleRebuild(Math.min(2000, Math.max(400, s.data.frames.count / 100)));
    if (what === 'done' && !this.viewTouched) this.fitSmall();
    if (what === 'done' && this.state.filterText) void this.applyFilter(this.state.filterText);
  }

  private scheduleRebuild(delay: number): void {
    if (this.rebuildTimer) return;
    const wait = Math.max(0, delay - (performance.now() - this.lastRebuild));
    this.rebuildTimer = setTimeout(() => {
      this.rebuildTimer = null;
      this.rebuild();
    }, wait);
  }

  /** Recomputes the shown set (selection, filter, time scale or data changed) and keeps the cursor's frame. */
  rebuild(): void {
    const s = this.session;
    if (!s) return;
    // A rebuild now makes a scheduled one redundant (at the end of a load it cost another O(frames) pass).
    if (this.rebuildTimer) {
      clearTimeout(this.rebuildTimer);
      this.rebuildTimer = null;
    }
    this.lastRebuild = performance.now();
    const st = this.state;
    const shown = buildShownSet(s.data, {
      conversations: st.selected, includeOther: st.includeOther, mask: st.filterMask, timeScale: st.timeScale,
      maxLanes: lanesFor(st.view.width),
    });
    let cursor: Cursor;
    const live = this.state.live.session !== null && !this.state.live.ended && this.liveTail;
    if (live) cursor = endCursor(shown);
    else if (!st.shown) cursor = shown.count ? cursorAtIndex(shown, 0) : startCursor(shown); // first picture: frame 1
    else if (st.cursor.frame > 0) cursor = cursorAtFrame(shown, st.cursor.frame);
    else cursor = startCursor(shown);
    this.set({ shown, cursor, view: this.clampView(st.view, shown) });
    if (live && st.follow) this.scrollToCursor(false);
    this.requestDetails();
  }

  // ---- selection & filter -------------------------------------------------------------------------------------

  setSelection(selected: 'all' | ReadonlySet<number>): void {
    this.set({ selected });
    this.rebuild();
  }

  toggleConversation(id: number, only = false): void {
    const all = this.session?.data.conversations ?? [];
    let next: Set<number>;
    if (only) next = new Set([id]);
    else {
      next = this.state.selected === 'all' ? new Set(all.filter(Boolean).map((c) => c.id)) : new Set(this.state.selected);
      if (next.has(id)) next.delete(id); else next.add(id);
    }
    this.setSelection(next.size === all.filter(Boolean).length ? 'all' : next);
  }

  setIncludeOther(v: boolean): void {
    this.set({ includeOther: v });
    this.rebuild();
  }

  async applyFilter(text: string): Promise<void> {
    const seq = ++this.filterSeq;
    this.set({ filterText: text });
    if (!this.session) return;
    const r = await this.session.filter(text);
    if (seq !== this.filterSeq) return;
    this.set({ filterMask: r.error ? this.state.filterMask : r.mask, filterError: r.error, filterMatches: r.mask ? r.matches : null });
    if (!r.error) this.rebuild();
  }

  setTimeScale(timeScale: TimeScale): void {
    const st = this.state;
    this.set({ timeScale });
    this.rebuild();
    // Keep the cursor in view after the rows moved.
    if (st.shown) this.scrollToCursor(true);
  }

  // ---- playback -----------------------------------------------------------------------------------------------

  setCursor(cursor: Cursor, opts: { scroll?: boolean; tail?: boolean } = {}): void {
    this.liveTail = opts.tail ?? false;
    this.set({ cursor });
    if (opts.scroll !== false && this.state.follow) this.scrollToCursor(false);
    this.requestDetails();
  }

  step(delta: number): void {
    const sh = this.state.shown;
    if (!sh) return;
    this.pause();
    this.setCursor(stepFrame(sh, this.state.cursor, delta));
  }

  stepEvent(dir: 1 | -1): void {
    const sh = this.state.shown, s = this.session;
    if (!sh || !s) return;
    const conv = this.currentConversation();
    if (conv < 0) {
      this.step(dir);
      return;
    }
    this.pause();
    const c = stepEvent(sh, s.data.events, conv, this.state.cursor, dir);
    if (c) this.setCursor(c);
    else this.set({ message: { kind: 'info', text: `No ${dir > 0 ? 'later' : 'earlier'} event in this conversation` } });
  }

  home(): void {
    const sh = this.state.shown;
    if (!sh) return;
    this.pause();
    this.setCursor(startCursor(sh));
    this.set({ view: this.clampView({ ...this.state.view, scrollY: 0 }, sh) });
  }

  end(): void {
    const sh = this.state.shown;
    if (!sh) return;
    this.pause();
    this.setCursor(endCursor(sh), { tail: true });
  }

  jumpTo(frame: number): void {
    const sh = this.state.shown;
    if (!sh || !Number.isFinite(frame)) return;
    this.pause();
    this.setCursor(cursorAtFrame(sh, Math.max(1, Math.round(frame))));
    this.scrollToCursor(true);
  }

  /** Scrubber: a fraction of the whole capture in row space. */
  scrub(fraction: number): void {
    const sh = this.state.shown;
    if (!sh || !sh.count) return;
    const y = Math.max(0, Math.min(1, fraction)) * sh.height;
    const k = lowerBound(sh.y, sh.count, y);
    this.pause();
    this.setCursor(cursorAtIndex(sh, Math.min(k, sh.count - 1)));
    this.scrollToCursor(true);
  }

  currentConversation(): number {
    const s = this.session, c = this.state.cursor;
    if (!s || c.frame <= 0 || c.frame > s.data.frames.count) return -1;
    return s.data.frames.conv[c.frame - 1];
  }

  togglePlay(): void {
    if (this.state.playing) this.pause();
    else this.play();
  }

  play(): void {
    const sh = this.state.shown;
    if (!sh || !sh.count) return;
    if (cursorIndex(sh, this.state.cursor) >= sh.count - 1) this.setCursor(startCursor(sh));
    this.set({ playing: true });
    this.lastTick = performance.now();
    const tick = (now: number) => {
      if (!this.state.playing) return;
      const dt = Math.min(250, now - this.lastTick);
      this.lastTick = now;
      const shown = this.state.shown;
      if (shown) {
        const { cursor, ended } = advance(shown, this.state.cursor, dt, this.state.speed);
        this.set({ cursor });
        if (this.state.follow) this.scrollToCursor(false);
        if (ended) {
          this.set({ playing: false });
          this.requestDetails();
          return;
        }
      }
      this.raf = requestAnimationFrame(tick);
    };
    this.raf = requestAnimationFrame(tick);
  }

  pause(): void {
    if (!this.state.playing) return;
    this.stopLoop();
    this.set({ playing: false });
    this.requestDetails();
  }

  private stopLoop(): void {
    cancelAnimationFrame(this.raf);
    this.raf = 0;
    if (this.state.playing) this.state = { ...this.state, playing: false };
  }

  setSpeed(speed: Speed): void {
    this.set({ speed });
  }

  // ---- viewport -----------------------------------------------------------------------------------------------

  clampView(v: ViewState, shown = this.state.shown): ViewState {
    const h = shown ? contentHeight(shown, v.rowPx) : 0;
    const maxY = Math.max(0, h - (v.height - GEOMETRY.headerH));
    const w = shown ? laneGeometry(shown.lanes.length, { width: v.width, scrollX: 0 }).contentWidth : 0;
    const maxX = Math.max(0, w - v.width);
    return { ...v, scrollY: Math.min(maxY, Math.max(0, v.scrollY)), scrollX: Math.min(maxX, Math.max(0, v.scrollX)) };
  }

  setViewSize(width: number, height: number): void {
    const before = lanesFor(this.state.view.width);
    this.set({ view: this.clampView({ ...this.state.view, width, height }) });
    if (lanesFor(width) !== before && this.state.shown) this.scheduleRebuild(200);
  }

  scrollBy(dx: number, dy: number): void {
    this.viewTouched = true;
    this.set({ view: this.clampView({ ...this.state.view, scrollX: this.state.view.scrollX + dx, scrollY: this.state.view.scrollY + dy }) });
  }

  scrollTo(scrollY: number): void {
    this.viewTouched = true;
    this.set({ view: this.clampView({ ...this.state.view, scrollY }) });
  }

  /** Zooms by `factor` keeping the row under screen y `anchor` (default: the now-line or the middle) in place. */
  zoom(factor: number, anchor?: number): void {
    this.viewTouched = true;
    const v = this.state.view, sh = this.state.shown;
    const minRowPx = sh && sh.height > 0
      ? Math.max(MIN_ROW_PX, Math.min(1, (v.height - GEOMETRY.headerH - GEOMETRY.topPad - GEOMETRY.bottomPad) / sh.height))
      : MIN_ROW_PX;
    const rowPx = Math.min(MAX_ROW_PX, Math.max(minRowPx, v.rowPx * factor));
    let a = anchor;
    if (a === undefined) {
      const ny = screenY(this.state.cursor.y, v);
      a = ny >= GEOMETRY.headerH && ny <= v.height ? ny : (GEOMETRY.headerH + v.height) / 2;
    }
    const row = rowAtScreenY(a, v);
    const scrollY = GEOMETRY.headerH + GEOMETRY.topPad + row * rowPx - a;
    this.set({ view: this.clampView({ ...v, rowPx, scrollY }) });
  }

  /** A small capture fills the height at a comfortable row size (between 22 and 72 px per row). */
  private fitSmall(): void {
    const sh = this.state.shown, v = this.state.view;
    if (!sh || !sh.count) return;
    const avail = v.height - GEOMETRY.headerH - GEOMETRY.topPad - 72;
    const rowPx = Math.min(72, Math.max(22, avail / Math.max(1, sh.height)));
    if (rowPx > v.rowPx) this.set({ view: this.clampView({ ...v, rowPx, scrollY: 0 }) });
  }

  resetZoom(): void {
    this.zoom(DEFAULT_ROW_PX / this.state.view.rowPx);
  }

  /** Shows rows [r0, r1] filling the diagram's height. */
  fitRows(r0: number, r1: number): void {
    this.viewTouched = true;
    const v = this.state.view;
    const avail = v.height - GEOMETRY.headerH - GEOMETRY.topPad - 48;
    const rowPx = Math.min(MAX_ROW_PX / 2, Math.max(MIN_ROW_PX, avail / Math.max(1, r1 - r0)));
    const scrollY = r0 * rowPx;
    this.set({ view: this.clampView({ ...v, rowPx, scrollY }) });
  }

  fitConversation(): void {
    const sh = this.state.shown, s = this.session;
    if (!sh || !s || !sh.count) return;
    const conv = this.currentConversation();
    if (conv < 0) return this.fitAll();
    let first = -1, last = -1;
    for (let k = 0; k < sh.count; k++) {
      if (s.data.frames.conv[sh.rows[k]] !== conv) continue;
      if (first < 0) first = k;
      last = k;
    }
    if (first < 0) return;
    let top = sh.y0[first];
    for (let k = first; k <= last; k++) top = Math.min(top, sh.y0[k]);
    this.fitRows(top, sh.yDone[last]);
  }

  fitAll(): void {
    const sh = this.state.shown;
    if (!sh || !sh.count) return;
    this.fitRows(Math.min(0, sh.y0[0]), sh.height);
  }

  toggleFollow(): void {
    this.set({ follow: !this.state.follow });
    if (this.state.follow) this.scrollToCursor(true);
  }

  /**
   * Keeps the now-line and the current frame's arrow on screen: page-wise while playing or stepping, centred when
   * `center`.
   */
  scrollToCursor(center: boolean): void {
    const v = this.state.view, sh = this.state.shown;
    const y = screenY(this.state.cursor.y, v);
    const k = sh ? indexOfSorted(sh.rows, sh.count, this.state.cursor.frame - 1) : -1;
    const start = k >= 0 ? screenY(sh!.y0[k], v) : y;
    const top = GEOMETRY.headerH + 24, bottom = v.height - 48;
    if (!center && y >= top && y <= bottom && start >= top) return;
    let target: number;
    if (center) target = (GEOMETRY.headerH + v.height) / 2;
    else if (y > bottom || start < top) target = Math.max(GEOMETRY.headerH + (v.height - GEOMETRY.headerH) * 0.3, y - start + top);
    else target = v.height * 0.7;
    this.set({ view: this.clampView({ ...v, scrollY: v.scrollY + (y - target) }) });
  }

  // ---- details & labels ---------------------------------------------------------------------------------------

  private requestDetails(): void {
    if (this.detailsTimer) clearTimeout(this.detailsTimer);
    if (this.state.playing) return;
    this.detailsTimer = setTimeout(() => {
      this.detailsTimer = null;
      const frame = this.state.cursor.frame, s = this.session;
      if (!s || frame <= 0) {
        if (this.state.details) this.set({ details: null, field: null });
        return;
      }
      if (this.state.details?.frame === frame) return;
      void s.details(frame).then((details) => {
        if (this.session === s && this.state.cursor.frame === frame) this.set({ details, field: null });
      });
    }, 40);
  }

  selectFrame(frame: number): void {
    const sh = this.state.shown;
    if (!sh) return;
    this.pause();
    this.setCursor(cursorAtFrame(sh, frame), { scroll: false });
  }

  setField(field: AppState['field']): void {
    this.set({ field });
  }

  /** Asks the worker for labels of frames on screen (deduplicated; drawn when they arrive). */
  needLabels(frames: number[]): void {
    const s = this.session;
    if (!s) return;
    const want = frames.filter((f) => !this.labels.has(f) && !this.labelsInFlight.has(f)).slice(0, 600);
    if (!want.length) return;
    for (const f of want) this.labelsInFlight.add(f);
    void s.labels(want).then((m) => {
      if (this.session !== s) return;
      for (const [f, l] of m) {
        this.labels.set(f, l);
        this.labelsInFlight.delete(f);
      }
      if (this.labels.size > 200_000) this.labels.clear();
      this.set({ labelsVersion: this.state.labelsVersion + 1 });
    });
  }

  // ---- appearance ---------------------------------------------------------------------------------------------

  setTheme(themeSetting: ThemeSetting): void {
    this.set({ themeSetting, theme: themeSetting === 'system' ? systemTheme() : themeSetting });
    void this.api.setTheme(themeSetting);
    this.savePrefs();
  }

  toggleTheme(): void {
    this.setTheme(this.state.theme === 'dark' ? 'light' : 'dark');
  }

  togglePresentation(): void {
    this.set({ presentation: !this.state.presentation });
    this.savePrefs();
  }

  private savePrefs(): void {
    try {
      localStorage.setItem('packetflow.prefs', JSON.stringify({ themeSetting: this.state.themeSetting, presentation: this.state.presentation }));
    } catch {
      // no storage: preferences last for this session
    }
  }

  // ---- export -------------------------------------------------------------------------------------------------

  async exportDiagram(kind: 'svg' | 'png'): Promise<void> {
    const ex = this.exporter;
    if (!ex) return;
    const svg = ex.svg();
    const base = `${(this.state.file?.name ?? 'capture').replace(/\.(pcapng|pcap|cap|gz)+$/i, '')}-frame${this.state.cursor.frame}`;
    try {
      const data = kind === 'svg' ? svg : await svgToPng(svg, 2);
      const saved = await this.api.saveExport(kind, `${base}.${kind}`, data);
      if (saved) this.set({ message: { kind: 'info', text: `Saved ${saved}` } });
    } catch (e) {
      this.set({ message: { kind: 'error', text: `Export failed: ${(e as Error).message}` } });
    }
  }

  // ---- menus & live -------------------------------------------------------------------------------------------

  menu(c: MenuCommand): void {
    switch (c) {
      case 'close-capture': return this.closeCapture();
      case 'zoom-in': return this.zoom(1.25);
      case 'zoom-out': return this.zoom(0.8);
      case 'zoom-reset': return this.resetZoom();
      case 'toggle-presentation': return this.togglePresentation();
      case 'fit-conversation': return this.fitConversation();
      case 'follow-cursor': return this.toggleFollow();
      case 'export-svg': return void this.exportDiagram('svg');
      case 'export-png': return void this.exportDiagram('png');
      case 'show-shortcuts': return this.set({ overlay: 'shortcuts' });
      case 'show-about': return this.set({ overlay: 'about' });
      case 'live-capture': return this.set({ overlay: 'live' });
      case 'theme-system': return this.setTheme('system');
      case 'theme-light': return this.setTheme('light');
      case 'theme-dark': return this.setTheme('dark');
    }
  }

  /**
   * Batches that arrive before startCapture/startReplay has answered (the main process may start sending at once)
   * wait here for beginLive; bounded, and only for sessions nobody has claimed yet.
   */
  private readonly earlyLive = new Map<number, Uint8Array[]>();

  private stashLive(session: number, bytes: Uint8Array): void {
    if (this.state.live.session !== null && !this.state.live.ended) return;
    let list = this.earlyLive.get(session);
    if (!list) {
      if (this.earlyLive.size > 4) this.earlyLive.clear();
      this.earlyLive.set(session, (list = []));
    }
    if (list.length < 256) list.push(bytes);
  }

  /** Starts showing a live capture or replay session whose frames arrive through onCaptureFrames. */
  beginLive(started: CaptureStarted): void {
    const session = new CaptureSession(null, true, (w) => this.onSession(w), started.file || 'live capture');
    const file: OpenedCapture = { handle: 0, name: started.description, path: started.file, size: 0, origin: 'live' };
    this.startSession(session, file);
    this.liveTail = true;
    this.set({ live: { session: started.session, started, stats: null, ended: null, paused: false }, follow: true, overlay: 'none' });
    for (const bytes of this.earlyLive.get(started.session) ?? []) session.pushLive(bytes);
    this.earlyLive.clear();
  }

  async startReplay(speed: number): Promise<void> {
    const f = this.state.file;
    if (!f || !f.handle) return;
    try {
      this.beginLive(await this.api.startReplay({ handle: f.handle, speed }));
    } catch (e) {
      this.set({ message: { kind: 'error', text: (e as Error).message } });
    }
  }

  dismissMessage(): void {
    this.set({ message: null });
  }
}

/** Rasterises an SVG document to PNG bytes at `scale` (the SVG is self-contained, so the canvas stays clean). */
export async function svgToPng(svg: string, scale: number): Promise<Uint8Array> {
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(img.width * scale);
    canvas.height = Math.round(img.height * scale);
    const ctx = canvas.getContext('2d')!;
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0);
    const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/png'));
    if (!blob) throw new Error('the browser could not encode the PNG');
    return new Uint8Array(await blob.arrayBuffer());
  } finally {
    URL.revokeObjectURL(url);
  }
}

export function useStore<T>(store: Store, select: (s: AppState) => T): T {
  return useSyncExternalStore(store.subscribe, () => select(store.state));
}
