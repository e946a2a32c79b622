// The scrubber under the diagram: the whole capture from left to right (in the diagram's time scale), a density
// strip coloured like the arrows with problems marked, the part on screen, and the cursor. Click or drag to move.
import { useEffect, useRef } from 'react';
import { GEOMETRY } from '../diagram/layout';
import { THEMES, cssColor } from '../diagram/theme';
import { CAT, CATEGORIES } from '../worker/protocol';
import { useStore, type Store } from '../state/store';

export function Scrubber({ store }: { store: Store }) {
  const shown = useStore(store, (s) => s.shown);
  const cursor = useStore(store, (s) => s.cursor);
  const view = useStore(store, (s) => s.view);
  const theme = useStore(store, (s) => s.theme);
  const canvas = useRef<HTMLCanvasElement>(null);
  const track = useRef<HTMLDivElement>(null);

  // Density strip: drawn once per shown set and theme.
  useEffect(() => {
    const cv = canvas.current, data = store.session?.data;
    if (!cv) return;
    const w = cv.clientWidth || 800, h = cv.clientHeight || 18;
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    cv.width = Math.round(w * dpr);
    cv.height = Math.round(h * dpr);
    const ctx = cv.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    if (!shown || !data || !shown.count || shown.height <= 0) return;
    const th = THEMES[theme];
    const bins = Math.max(1, Math.floor(w));
    const counts = new Float64Array(bins), loss = new Uint8Array(bins);
    // Per category a row of bins, in one array: a Map lookup per frame made this a visible part of every shown-set
    // rebuild while a big file loads. `order` keeps the categories in order of first appearance. The frames' cat
    // column holds indexes into CATEGORIES (classifyFrame gives CAT[...] of a FrameCategory), so it is always in range.
    const nCat = CATEGORIES.length;
    const perCat = new Float64Array(nCat * bins), seen = new Uint8Array(nCat), order: number[] = [];
    const cats = data.frames.cat, rows = shown.rows, ys = shown.y, height = shown.height;
    for (let k = 0; k < shown.count; k++) {
      const b = Math.min(bins - 1, Math.floor((ys[k] / height) * bins));
      counts[b]++;
      const cat = cats[rows[k]];
      if (cat === CAT.loss) loss[b] = 1;
      if (!seen[cat]) {
        seen[cat] = 1;
        order.push(cat);
      }
      perCat[cat * bins + b]++;
    }
    const catCount = order.map((cat) => [cat, perCat.subarray(cat * bins, (cat + 1) * bins)] as const);
    let max = 1;
    for (let i = 0; i < bins; i++) max = Math.max(max, counts[i]);
    for (let i = 0; i < bins; i++) {
      if (!counts[i]) continue;
      let best = -1, bestN = 0;
      for (const [cat, arr] of catCount) if (arr[i] > bestN) { bestN = arr[i]; best = cat; }
      const hh = Math.max(2, (Math.log1p(counts[i]) / Math.log1p(max)) * (h - 4));
      ctx.fillStyle = cssColor(th.cat[best] ?? th.muted);
      ctx.globalAlpha = 0.55;
      ctx.fillRect(i, h - hh, 1, hh);
      if (loss[i]) {
        ctx.globalAlpha = 1;
        ctx.fillStyle = cssColor(th.cat[CAT.loss]);
        ctx.fillRect(i, 0, 1, 3);
      }
    }
    ctx.globalAlpha = 1;
  }, [shown, theme, store]);

  const total = shown && shown.height > 0 ? shown.height : 1;
  const frac = (y: number) => Math.max(0, Math.min(1, y / total));
  const visTop = (view.scrollY - GEOMETRY.topPad) / view.rowPx;
  const visBot = visTop + (view.height - GEOMETRY.headerH) / view.rowPx;

  const seek = (clientX: number) => {
    const r = track.current!.getBoundingClientRect();
    store.scrub((clientX - r.left) / r.width);
  };

  return (
    <div className="scrubber" aria-label="Scrubber">
      <div
        className="scrub-track" ref={track}
        onPointerDown={(e) => {
          if (!shown) return;
          e.currentTarget.setPointerCapture(e.pointerId);
          seek(e.clientX);
        }}
        onPointerMove={(e) => {
          if (e.buttons & 1 && shown) seek(e.clientX);
        }}
      >
        <canvas ref={canvas} className="scrub-density" />
        {shown ? (
          <>
            <div className="scrub-window" style={{ left: `${frac(visTop) * 100}%`, width: `${Math.max(0.3, (frac(visBot) - frac(visTop)) * 100)}%` }} />
            <div className="scrub-cursor" style={{ left: `${frac(cursor.y) * 100}%` }} />
          </>
        ) : null}
      </div>
    </div>
  );
}
