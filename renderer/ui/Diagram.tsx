// The diagram panel: a Pixi canvas drawn from layout(shown, cursor, viewport), lane headers in HTML above it, a
// scrollbar, and the mouse/trackpad gestures. Redraws at most once per animation frame, only when an input changed.
import { useEffect, useRef, useState } from 'react';
import { GEOMETRY, layout, type Scene, type SceneArrow } from '../diagram/layout';
import { PixiView } from '../diagram/pixi-view';
import { THEMES } from '../diagram/theme';
import { sceneToSvg } from '../diagram/svg-export';
import { pfTest } from '../test-hooks';
import { useStore, type AppState, type Store } from '../state/store';

interface LaneHeader {
  x: number;
  name: string;
  address: string;
  detail: string;
  folded: boolean;
}

function laneHeaders(scene: Scene): LaneHeader[] {
  return scene.lanes.map(({ x, lane }) => {
    const ports = lane.port !== null ? `port ${lane.port}` : lane.ports.length
      ? `${lane.ports.length === 1 ? 'port' : 'ports'} ${lane.ports.slice(0, 4).join(', ')}${lane.ports.length > 4 ? ` +${lane.ports.length - 4}` : ''}`
      : '';
    return {
      x, name: lane.name ?? lane.address, address: lane.name ? lane.address : '', detail: lane.folded ? `${lane.packets.toLocaleString()} packet ends` : ports,
      folded: lane.folded !== undefined,
    };
  });
}

/** Distance from (px, py) to the drawn part of an arrow. */
function distance(a: SceneArrow, px: number, py: number): number {
  const p = a.ghost ? 1 : Math.max(a.progress, 0.05);
  const x1 = a.self ? a.x0 + 30 : a.x0 + (a.x1 - a.x0) * p, y1 = a.y0 + (a.y1 - a.y0) * p;
  const dx = x1 - a.x0, dy = y1 - a.y0;
  const len2 = dx * dx + dy * dy || 1;
  const t = Math.max(0, Math.min(1, ((px - a.x0) * dx + (py - a.y0) * dy) / len2));
  const labelHit = a.label && Math.abs(py - (a.labelY - 9)) < 9 && Math.abs(px - a.labelX) < a.labelMaxW / 2 ? 0 : Infinity;
  return Math.min(labelHit, Math.hypot(a.x0 + dx * t - px, a.y0 + dy * t - py));
}

export function Diagram({ store }: { store: Store }) {
  const wrap = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [headers, setHeaders] = useState<LaneHeader[]>([]);
  const [failed, setFailed] = useState<string | null>(null);
  const sceneRef = useRef<Scene | null>(null);
  const theme = useStore(store, (s) => s.theme);
  const presentation = useStore(store, (s) => s.presentation);
  const shown = useStore(store, (s) => s.shown);
  const view = useStore(store, (s) => s.view);
  const open = useStore(store, (s) => s.progress !== null); // not the progress itself: it ticks while loading

  useEffect(() => {
    const el = wrap.current!, cv = canvas.current!;
    const pixi = new PixiView();
    let alive = true;
    let ready = false;
    let raf = 0;
    let last: unknown[] = [];
    let headerKey = '';
    let themeName = store.state.theme;
    const inputs = (s: AppState) => [s.shown, s.cursor, s.view, s.labelsVersion, s.theme, s.presentation, s.showFuture];

    const draw = () => {
      raf = 0;
      if (!alive || !ready) return;
      const s = store.state;
      last = inputs(s);
      if (s.theme !== themeName) {
        themeName = s.theme;
        pixi.setTheme(THEMES[themeName]);
      }
      const data = store.session?.data;
      const fontScale = s.presentation ? 1.5 : 1;
      if (!s.shown || !data) {
        pixi.draw(emptyScene(s, fontScale));
        sceneRef.current = null;
        setHeaders([]);
        return;
      }
      const scene = layout(s.shown, data.frames, s.cursor, s.view, {
        labels: store.labels, fontScale, showFuture: s.showFuture,
        epochSec: data.summary?.firstSec ?? 0, epochNsec: data.summary?.firstNsec ?? 0,
        tzOffsetMin: -new Date().getTimezoneOffset(), aggregateMargin: s.view.height,
      });
      sceneRef.current = scene;
      const stats = pixi.draw(scene);
      const hs = laneHeaders(scene);
      const key = JSON.stringify(hs);
      if (key !== headerKey) {
        headerKey = key;
        setHeaders(hs);
      }
      if (scene.needLabels.length) store.needLabels(scene.needLabels);
      if (store.firstDiagramMs === null && scene.arrowsDrawn > 0) store.firstDiagramMs = performance.now() - store.openedAt;
      Object.assign(pfTest, {
        cursor: { ...s.cursor }, selectedFrame: s.cursor.frame, arrowsDrawn: scene.arrowsDrawn, ghosts: scene.ghosts,
        mode: scene.mode, lanes: hs.map((h) => (h.address ? `${h.name} (${h.address})` : h.name)),
        shownFrames: s.shown.count, filterMatches: s.filterMatches, filterError: s.filterError,
        highlightedFrame: scene.selected?.frame ?? null, draws: pfTest.draws + 1, lastDrawMs: stats.ms,
        firstDiagramMs: store.firstDiagramMs,
      });
    };
    const schedule = () => {
      if (!raf) raf = requestAnimationFrame(draw);
    };
    const unsub = store.subscribe(() => {
      const now = inputs(store.state);
      if (now.some((v, i) => v !== last[i])) schedule();
    });

    const rect = el.getBoundingClientRect();
    store.setViewSize(Math.max(200, rect.width), Math.max(200, rect.height));
    pixi.init(cv, Math.max(200, rect.width), Math.max(200, rect.height), THEMES[store.state.theme]).then(() => {
      if (!alive) return;
      ready = true;
      pfTest.ready = true;
      pfTest.renderer = pixi.rendererName;
      schedule();
    }, (e: Error) => {
      setFailed(`The diagram cannot be drawn: ${e.message}. WebGL is required.`);
      pfTest.errors.push(String(e));
    });
    const ro = new ResizeObserver(([entry]) => {
      const w = Math.max(200, entry.contentRect.width), h = Math.max(200, entry.contentRect.height);
      store.setViewSize(w, h);
      if (ready) {
        pixi.resize(w, h);
        schedule();
      }
    });
    ro.observe(el);

    store.exporter = {
      title: () => store.state.file?.name ?? 'PacketFlow',
      svg: () => {
        const scene = sceneRef.current;
        if (!scene) throw new Error('nothing to export');
        const hs = laneHeaders(scene);
        return sceneToSvg(scene, THEMES[store.state.theme], {
          title: store.state.file?.name ?? 'PacketFlow',
          lanes: hs.map((h) => [h.name, [h.address, h.detail].filter(Boolean).join(' · ')]),
        });
      },
    };

    window.__pfControl = {
      scrollBy: (dx, dy) => store.scrollBy(dx, dy),
      zoom: (f) => store.zoom(f),
      setRowPx: (rowPx) => store.zoom(rowPx / store.state.view.rowPx),
      fitAll: () => store.fitAll(),
      end: () => store.end(),
      segments: () => {
        const sc = sceneRef.current;
        if (!sc) return [];
        const out: number[] = [];
        for (const a of sc.arrows) out.push(a.x0, a.y0, a.x1, a.y1);
        for (const g of sc.aggregates) out.push(g.x0, g.y, g.x1, g.y);
        return out;
      },
    };

    // Gestures: wheel scrolls, Ctrl/⌘+wheel and pinch zoom around the pointer, Shift+wheel pans, drag pans.
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? el.clientHeight : 1;
      const r = el.getBoundingClientRect();
      if (e.ctrlKey || e.metaKey) store.zoom(Math.exp(-e.deltaY * unit * 0.002), e.clientY - r.top);
      else if (e.shiftKey) store.scrollBy(e.deltaY * unit, 0);
      else store.scrollBy(e.deltaX * unit, e.deltaY * unit);
    };
    let drag: { x: number; y: number; moved: boolean } | null = null;
    const onDown = (e: PointerEvent) => {
      if (e.button !== 0) return;
      drag = { x: e.clientX, y: e.clientY, moved: false };
      el.setPointerCapture(e.pointerId);
    };
    const onMove = (e: PointerEvent) => {
      if (!drag) return;
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return;
      drag.moved = true;
      store.scrollBy(-dx, -dy);
      drag.x = e.clientX;
      drag.y = e.clientY;
      el.style.cursor = 'grabbing';
    };
    const onUp = (e: PointerEvent) => {
      el.style.cursor = '';
      const d = drag;
      drag = null;
      if (!d || d.moved) return;
      const r = el.getBoundingClientRect();
      const px = e.clientX - r.left, py = e.clientY - r.top;
      const scene = sceneRef.current;
      if (!scene) return;
      let best: SceneArrow | null = null, bestD = 8;
      for (const a of scene.arrows) {
        const dd = distance(a, px, py);
        if (dd < bestD) { bestD = dd; best = a; }
      }
      if (best) store.selectFrame(best.frame);
      else if (scene.mode === 'aggregate' && py > GEOMETRY.headerH) store.zoom(4, py);
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    el.addEventListener('pointerdown', onDown);
    el.addEventListener('pointermove', onMove);
    el.addEventListener('pointerup', onUp);

    return () => {
      alive = false;
      unsub();
      ro.disconnect();
      cancelAnimationFrame(raf);
      el.removeEventListener('wheel', onWheel);
      el.removeEventListener('pointerdown', onDown);
      el.removeEventListener('pointermove', onMove);
      el.removeEventListener('pointerup', onUp);
      store.exporter = null;
      if (ready) pixi.destroy();
    };
  }, [store]);

  const content = shown ? Math.max(1, (shown.height * view.rowPx) + GEOMETRY.topPad + GEOMETRY.bottomPad) : 1;
  const visible = Math.max(1, view.height - GEOMETRY.headerH);
  const thumbH = Math.max(24, Math.min(1, visible / content) * (visible - 8));
  const thumbTop = GEOMETRY.headerH + 4 + (content > visible ? (view.scrollY / (content - visible)) * (visible - 8 - thumbH) : 0);

  return (
    <div className={`diagram ${presentation ? 'is-presentation' : ''}`} data-theme={theme}>
      <div className="diagram-canvas" ref={wrap} tabIndex={-1} aria-label="Sequence diagram">
        <canvas ref={canvas} />
        <div className="lane-headers" style={{ height: GEOMETRY.headerH }}>
          <div className="axis-title" style={{ width: GEOMETRY.axisW - 8 }}>
            <span>Time</span>
            <small>relative · absolute</small>
          </div>
          {headers.map((h, i) => (
            <div key={i} className={`lane-header ${h.folded ? 'folded' : ''}`} style={{ left: h.x }}>
              <div className="lane-name" title={h.address || h.name}>{h.name}</div>
              {h.address ? <div className="lane-address">{h.address}</div> : null}
              <div className="lane-detail">{h.detail}</div>
            </div>
          ))}
        </div>
        {content > visible ? (
          <div className="v-scroll" aria-hidden>
            <div
              className="v-thumb"
              style={{ top: thumbTop, height: thumbH }}
              onPointerDown={(e) => {
                e.stopPropagation();
                const startY = e.clientY, start = view.scrollY;
                const target = e.currentTarget;
                target.setPointerCapture(e.pointerId);
                const move = (ev: PointerEvent) => {
                  const frac = (ev.clientY - startY) / Math.max(1, visible - 8 - thumbH);
                  store.scrollTo(start + frac * (content - visible));
                };
                const up = () => {
                  target.removeEventListener('pointermove', move);
                  target.removeEventListener('pointerup', up);
                };
                target.addEventListener('pointermove', move);
                target.addEventListener('pointerup', up);
              }}
            />
          </div>
        ) : null}
        {!open ? <EmptyState store={store} /> : null}
        {failed ? <div className="diagram-error">{failed}</div> : null}
      </div>
    </div>
  );
}

function EmptyState({ store }: { store: Store }) {
  return (
    <div className="empty-state">
      <div className="empty-card">
        <h2>Open a capture to watch it unfold</h2>
        <p>Drop a <code>.pcap</code>, <code>.pcapng</code> or <code>.gz</code> file here, or</p>
        <button className="primary" onClick={() => void store.openDialog()}>Open capture…</button>
        <p className="hint">Press <kbd>?</kbd> for keyboard shortcuts.</p>
      </div>
    </div>
  );
}

function emptyScene(s: AppState, fontScale: number): Scene {
  return {
    mode: 'empty', width: s.view.width, height: s.view.height, lanes: [], laneGap: 0, arrows: [], aggregates: [],
    ticks: [], gaps: [], brackets: [], dots: [], nowY: null, nowTime: 0, selected: null, contentWidth: 0,
    contentHeight: 0, visible: [0, 0], needLabels: [], arrowsDrawn: 0, ghosts: 0, fontScale, scrollY: 0, rowPx: 1,
    nowRow: 0, aggSize: 0,
  };
}
