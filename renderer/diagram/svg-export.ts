// The current diagram as a standalone SVG document, built from the same Scene the Pixi view draws (so what you
// export is what you see, with lane headers). PNG export rasterises this SVG in the page.
import type { Scene, SceneArrow } from './layout';
import { CHAR_W, GEOMETRY } from './layout';
import { cssColor, MARK_BADGES, type DiagramTheme } from './theme';
import { fit } from './fit';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n = (v: number) => (Math.round(v * 10) / 10).toString();

export interface SvgHeader {
  title: string;
  /** Lane header lines, by lane index: [name or address, detail]. */
  lanes: [string, string][];
}

export function sceneToSvg(scene: Scene, theme: DiagramTheme, header: SvgHeader): string {
  const c = cssColor;
  const fs = scene.fontScale;
  const out: string[] = [];
  const W = scene.width, H = scene.height;
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Inter, 'Segoe UI', 'Liberation Sans', 'DejaVu Sans', Arial, sans-serif">`);
  out.push(`<title>${esc(header.title)}</title>`);
  out.push(`<rect width="100%" height="100%" fill="${c(theme.background)}"/>`);
  const top = GEOMETRY.headerH;
  out.push(`<rect x="0" y="${top}" width="${GEOMETRY.axisW - 8}" height="${H - top}" fill="${c(theme.panel)}" fill-opacity="0.6"/>`);
  // Lane headers and lifelines.
  scene.lanes.forEach((l, i) => {
    const [name, detail] = header.lanes[i] ?? [l.lane.address, ''];
    out.push(`<line x1="${n(l.x)}" y1="${top}" x2="${n(l.x)}" y2="${H}" stroke="${c(theme.lifeline)}" stroke-opacity="${theme.lifelineAlpha}" stroke-width="2"/>`);
    out.push(`<text x="${n(l.x)}" y="${n(top - 40)}" text-anchor="middle" font-size="${13 * fs}" font-weight="600" fill="${c(theme.text)}">${esc(name)}</text>`);
    if (detail) out.push(`<text x="${n(l.x)}" y="${n(top - 22)}" text-anchor="middle" font-size="${11 * fs}" fill="${c(theme.muted)}">${esc(detail)}</text>`);
  });
  // Ticks.
  for (const t of scene.ticks) {
    out.push(`<text x="${GEOMETRY.axisW - 16}" y="${n(t.abs ? t.y - 2 : t.y + 4)}" text-anchor="end" font-family="monospace" font-size="${11 * fs}" fill="${c(theme.text)}">${esc(t.rel)}</text>`);
    if (t.abs) out.push(`<text x="${GEOMETRY.axisW - 16}" y="${n(t.y + 11 * fs)}" text-anchor="end" font-family="monospace" font-size="${10 * fs}" fill="${c(theme.muted)}">${esc(t.abs)}</text>`);
    if (t.frame !== null) out.push(`<text x="8" y="${n(t.abs ? t.y - 2 : t.y + 4)}" font-family="monospace" font-size="${10 * fs}" fill="${c(theme.muted)}">#${t.frame}</text>`);
  }
  for (const g of scene.gaps) out.push(`<text x="${GEOMETRY.axisW - 16}" y="${n(g.y + 4)}" text-anchor="end" font-style="italic" font-size="${10 * fs}" fill="${c(theme.muted)}">${esc(g.text)}</text>`);
  // Aggregates.
  const bands = scene.aggregates.filter((g) => g.y >= top && g.y <= H);
  let max = 1;
  for (const g of bands) max = Math.max(max, g.count);
  for (const g of bands) {
    const w = Math.max(1, Math.min(g.h - 1, 2));
    const strength = 0.25 + 0.75 * (Math.log1p(g.count) / Math.log1p(max));
    const alpha = g.future ? theme.ghostAlpha * 1.5 * strength : 0.85 * strength;
    out.push(`<line x1="${n(g.x0)}" y1="${n(g.y)}" x2="${n(g.x0 === g.x1 ? g.x0 + 18 : g.x1)}" y2="${n(g.y)}" stroke="${c(theme.cat[g.cat])}" stroke-width="${n(w)}" stroke-opacity="${n(alpha * 100) === '0' ? 0 : (Math.round(alpha * 1000) / 1000)}"/>`);
    if (g.marks & 1 && !g.future) out.push(`<rect x="${n((g.x0 + g.x1) / 2 - 1.5)}" y="${n(g.y - 3)}" width="3" height="6" fill="${c(theme.cat[4])}"/>`);
  }
  // Arrows.
  for (const a of scene.arrows) out.push(arrowSvg(a, theme, fs));
  for (const b of scene.brackets) {
    out.push(`<path d="M${n(b.x + 6)} ${n(b.y0)}H${n(b.x)}V${n(b.y1)}H${n(b.x + 6)}" fill="none" stroke="${c(theme.now)}" stroke-width="1.5"/>`);
    out.push(`<text x="${n(b.x - 5)}" y="${n((b.y0 + b.y1) / 2 + 4)}" text-anchor="end" font-size="${11 * fs}" font-weight="600" fill="${c(theme.now)}">${esc(b.label)}</text>`);
  }
  if (scene.nowY !== null && scene.nowY >= top && scene.nowY <= H) {
    out.push(`<line x1="${GEOMETRY.axisW - 8}" y1="${n(scene.nowY)}" x2="${W}" y2="${n(scene.nowY)}" stroke="${c(theme.now)}" stroke-opacity="0.55"/>`);
  }
  for (const d of scene.dots) out.push(`<circle cx="${n(d.x)}" cy="${n(d.y)}" r="3.5" fill="${c(theme.cat[d.cat])}"/>`);
  out.push('</svg>');
  return out.join('\n');
}

function arrowSvg(a: SceneArrow, theme: DiagramTheme, fs: number): string {
  const c = cssColor;
  const color = a.ghost ? c(theme.muted) : c(theme.cat[a.cat]);
  const p = a.ghost ? 1 : a.progress;
  const ex = a.x0 + (a.x1 - a.x0) * p, ey = a.y0 + (a.y1 - a.y0) * p;
  const parts: string[] = [];
  const width = a.selected ? 2.75 : a.ghost ? 1 : 1.75;
  const opacity = a.ghost ? theme.ghostAlpha * 1.6 : 0.95;
  if (a.self) {
    const h = (a.y1 - a.y0) * p;
    parts.push(`<path d="M${n(a.x0)} ${n(a.y0)}C${n(a.x0 + 40)} ${n(a.y0)} ${n(a.x0 + 40)} ${n(a.y0 + h)} ${n(a.x0 + 2)} ${n(a.y0 + h)}" fill="none" stroke="${color}" stroke-width="${width}" stroke-opacity="${opacity}"/>`);
  } else {
    if (a.selected) parts.push(`<line x1="${n(a.x0)}" y1="${n(a.y0)}" x2="${n(ex)}" y2="${n(ey)}" stroke="${c(theme.selection)}" stroke-opacity="0.22" stroke-width="9" stroke-linecap="round"/>`);
    parts.push(`<line x1="${n(a.x0)}" y1="${n(a.y0)}" x2="${n(ex)}" y2="${n(ey)}" stroke="${color}" stroke-width="${width}" stroke-opacity="${opacity}" stroke-linecap="round"/>`);
    if (!a.ghost && p >= 1) {
      const dx = a.x1 - a.x0, dy = a.y1 - a.y0, len = Math.hypot(dx, dy) || 1, ux = dx / len, uy = dy / len;
      const s = 8, w = 4;
      parts.push(`<polygon points="${n(a.x1)},${n(a.y1)} ${n(a.x1 - ux * s - uy * w)},${n(a.y1 - uy * s + ux * w)} ${n(a.x1 - ux * s + uy * w)},${n(a.y1 - uy * s - ux * w)}" fill="${color}"/>`);
    }
  }
  if (a.label && !a.ghost) {
    const rot = a.labelAngle ? ` transform="rotate(${n((a.labelAngle * 180) / Math.PI)} ${n(a.labelX)} ${n(a.labelY)})"` : '';
    parts.push(`<text x="${n(a.labelX)}" y="${n(a.labelY - 3)}" text-anchor="${a.self ? 'start' : 'middle'}"${rot} font-size="${12 * fs}"${a.selected ? ' font-weight="600"' : ''} fill="${c(theme.text)}">${esc(fit(a.label, a.labelMaxW, CHAR_W * fs))}</text>`);
  }
  if (a.marks && !a.ghost) {
    let x = a.x0 + (a.x1 >= a.x0 ? 10 : -10);
    for (const [bit, text] of MARK_BADGES) {
      if (!(a.marks & bit)) continue;
      const w = text.length * 6.5 + 8;
      const left = a.x1 >= a.x0 ? x : x - w;
      const col = bit === 4 ? theme.cat[3] : bit === 64 ? theme.cat[5] : theme.cat[4];
      parts.push(`<rect x="${n(left)}" y="${n(a.y0 - 6.5)}" width="${n(w)}" height="13" rx="6.5" fill="${c(col)}"/><text x="${n(left + w / 2)}" y="${n(a.y0 + 3.5)}" text-anchor="middle" font-size="9" font-weight="700" fill="#fff">${text}</text>`);
      x = a.x1 >= a.x0 ? x + w + 3 : x - w - 3;
    }
  }
  return parts.join('');
}
