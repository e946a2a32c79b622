// Draws a Scene (layout.ts) with Pixi.js v8. Holds no diagram state of its own: every draw() reflects the scene it
// is given. Geometry goes into a few long-lived Graphics (one stroke per colour, so batches stay large); text uses
// Text objects cached by content, so scrolling only rasterises the rows that come into view. Rendering happens on
// demand (no ticker): draw() renders once.
import 'pixi.js/unsafe-eval';
import { Application, Container, Graphics, Text, TextStyle } from 'pixi.js';
import type { Scene, SceneArrow } from './layout';
import { CHAR_W, GEOMETRY } from './layout';
import { MARK_BADGES, type DiagramTheme } from './theme';
import { fit } from './fit';

const FONT = 'Inter, "Segoe UI", "Helvetica Neue", "Liberation Sans", "DejaVu Sans", Arial, sans-serif';
const MONO = '"JetBrains Mono", "SF Mono", Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace';

/**
 * Multisampling makes slanted lines smooth and costs little on a GPU, but on a software rasteriser (SwiftShader,
 * llvmpipe) it doubles the time of every frame: off there, unless ?aa=1 asks for it (screenshots).
 */
function wantAntialias(): boolean {
  const forced = new URLSearchParams(location.search).get('aa');
  if (forced === '1' || forced === '0') return forced === '1';
  try {
    const gl = document.createElement('canvas').getContext('webgl2') ?? document.createElement('canvas').getContext('webgl');
    const info = gl?.getExtension('WEBGL_debug_renderer_info');
    const name = info && gl ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
    gl?.getExtension('WEBGL_lose_context')?.loseContext();
    return !/swiftshader|llvmpipe|software/i.test(name);
  } catch {
    return true;
  }
}

/** Text objects keyed by (style, content), reused across draws and evicted when unused for a while. */
class TextCache {
  private readonly map = new Map<string, { t: Text; used: number }>();
  private frame = 0;
  constructor(private readonly parent: Container) {}

  begin(): void {
    this.frame++;
  }

  get(key: string, make: () => Text): Text {
    let e = this.map.get(key);
    if (!e) {
      const t = make();
      this.parent.addChild(t);
      e = { t, used: 0 };
      this.map.set(key, e);
    }
    e.used = this.frame;
    e.t.visible = true;
    return e.t;
  }

  /** Hides what this draw did not use; destroys the oldest when the cache grows large. */
  end(): void {
    for (const [k, e] of this.map) {
      if (e.used === this.frame) continue;
      e.t.visible = false;
      if (this.map.size > 900 && this.frame - e.used > 30) {
        e.t.destroy();
        this.map.delete(k);
      }
    }
  }

  clear(): void {
    for (const e of this.map.values()) e.t.destroy();
    this.map.clear();
  }
}

export interface DrawStats {
  arrows: number;
  aggregates: number;
  texts: number;
  ms: number;
}

export class PixiView {
  readonly app = new Application();
  private root = new Container();
  private lifelines = new Graphics();
  private ghosts = new Graphics();
  private aggLayer = new Graphics();
  private lines = new Graphics();
  private overlay = new Graphics();
  private textLayer = new Container();
  private texts!: TextCache;
  private theme!: DiagramTheme;
  private styles = new Map<string, TextStyle>();
  lastStats: DrawStats = { arrows: 0, aggregates: 0, texts: 0, ms: 0 };

  async init(canvas: HTMLCanvasElement, width: number, height: number, theme: DiagramTheme): Promise<void> {
    await this.app.init({
      canvas, width, height, antialias: wantAntialias(), backgroundAlpha: 0, preference: 'webgl', autoStart: false,
      resolution: Math.min(2, window.devicePixelRatio || 1), autoDensity: true,
      // Tests that read the canvas back ask for ?pdb=1; otherwise the buffer is not kept (a copy per frame).
      preserveDrawingBuffer: new URLSearchParams(location.search).get('pdb') === '1',
      eventMode: 'none',
    } as Parameters<Application['init']>[0]);
    this.app.ticker?.stop();
    this.root.addChild(this.lifelines, this.ghosts, this.aggLayer, this.lines, this.overlay, this.textLayer);
    this.app.stage.addChild(this.root);
    this.texts = new TextCache(this.textLayer);
    this.setTheme(theme);
  }

  get rendererName(): string {
    return this.app.renderer?.name ?? 'none';
  }

  setTheme(theme: DiagramTheme): void {
    this.theme = theme;
    this.agg.key = '';
    this.styles.clear();
    this.texts?.clear();
  }

  resize(width: number, height: number): void {
    this.app.renderer.resize(width, height);
  }

  private style(kind: 'label' | 'labelSel' | 'tick' | 'tickMuted' | 'badge' | 'bracket' | 'gap' | 'now', scale: number): TextStyle {
    const key = `${kind}:${scale}`;
    let s = this.styles.get(key);
    if (s) return s;
    const th = this.theme;
    const size = (n: number) => Math.round(n * scale * 10) / 10;
    switch (kind) {
      case 'label': s = new TextStyle({ fontFamily: FONT, fontSize: size(12), fill: th.text }); break;
      case 'labelSel': s = new TextStyle({ fontFamily: FONT, fontSize: size(12), fill: th.text, fontWeight: '600' }); break;
      case 'tick': s = new TextStyle({ fontFamily: MONO, fontSize: size(11), fill: th.text }); break;
      case 'tickMuted': s = new TextStyle({ fontFamily: MONO, fontSize: size(10), fill: th.muted }); break;
      case 'badge': s = new TextStyle({ fontFamily: FONT, fontSize: size(9), fill: 0xffffff, fontWeight: '700' }); break;
      case 'bracket': s = new TextStyle({ fontFamily: FONT, fontSize: size(11), fill: th.now, fontWeight: '600' }); break;
      case 'gap': s = new TextStyle({ fontFamily: FONT, fontSize: size(10), fill: th.muted, fontStyle: 'italic' }); break;
      case 'now': s = new TextStyle({ fontFamily: MONO, fontSize: size(11), fill: th.now, fontWeight: '600' }); break;
    }
    this.styles.set(key, s);
    return s;
  }

  /** A cached Text for one use (`id` tells apart equal strings drawn in several places). */
  private text(kind: Parameters<PixiView['style']>[0], scale: number, content: string, id: string | number = ''): Text {
    return this.texts.get(`${kind}:${scale}:${id}:${content}`, () => new Text({
      text: content, style: this.style(kind, scale), resolution: Math.min(2, window.devicePixelRatio || 1) * 1.25,
    }));
  }

  draw(scene: Scene): DrawStats {
    const t0 = performance.now();
    const th = this.theme;
    const fs = scene.fontScale;
    this.texts.begin();
    const [life, ghosts, lines, over] = [this.lifelines, this.ghosts, this.lines, this.overlay];
    life.clear();
    ghosts.clear();
    lines.clear();
    over.clear();

    // Axis column and lifelines.
    const top = GEOMETRY.headerH;
    life.rect(0, top, GEOMETRY.axisW - 8, scene.height - top).fill({ color: th.panel, alpha: 0.6 });
    life.moveTo(GEOMETRY.axisW - 8, top).lineTo(GEOMETRY.axisW - 8, scene.height).stroke({ width: 1, color: th.lifeline, alpha: 0.25 });
    for (const l of scene.lanes) {
      if (l.x < GEOMETRY.axisW || l.x > scene.width + 40) continue;
      life.moveTo(l.x, top).lineTo(l.x, scene.height).stroke({ width: l.lane.host < 0 ? 1 : 2, color: th.lifeline, alpha: th.lifelineAlpha });
    }

    // Ghost (future) arrows: thin, faint, one stroke.
    let anyGhost = false;
    for (const a of scene.arrows) {
      if (!a.ghost) continue;
      this.path(ghosts, a, 1);
      anyGhost = true;
    }
    if (anyGhost) ghosts.stroke({ width: 1, color: th.muted, alpha: th.ghostAlpha * 1.6 });

    // Drawn arrows, one stroke per category; heads as filled triangles.
    const byCat = new Map<number, SceneArrow[]>();
    for (const a of scene.arrows) {
      if (a.ghost) continue;
      let list = byCat.get(a.cat);
      if (!list) byCat.set(a.cat, (list = []));
      list.push(a);
    }
    const dense = scene.arrows.length > 600;
    const lw = dense ? 1.25 : 1.75 * Math.min(1.4, fs);
    for (const [cat, list] of byCat) {
      for (const a of list) this.path(lines, a, a.progress);
      lines.stroke({ width: lw, color: th.cat[cat] ?? th.muted, alpha: 0.95, cap: 'round', join: 'round' });
      if (!dense) {
        let heads = 0;
        for (const a of list) if (a.progress >= 1) { this.head(lines, a); heads++; }
        // fill() right after stroke() would fill the stroke's path: only fill when heads were added.
        if (heads) lines.fill({ color: th.cat[cat] ?? th.muted });
      }
    }

    // Aggregated bands, built for a margin of a screen above and below and then only moved while scrolling: on a
    // software renderer, re-uploading hundreds of bands every frame costs more than drawing them.
    this.drawAggregates(scene);

    // Selection glow.
    const sel = scene.selected;
    if (sel) {
      this.path(over, sel, Math.max(sel.progress, 0.0001));
      over.stroke({ width: 9 * Math.min(1.4, fs), color: th.selection, alpha: 0.22, cap: 'round' });
      this.path(over, sel, Math.max(sel.progress, 0.0001));
      over.stroke({ width: 2.75 * Math.min(1.4, fs), color: th.cat[sel.cat] ?? th.selection, alpha: 1, cap: 'round' });
      if (sel.progress >= 1) {
        this.head(over, sel, 1.3);
        over.fill({ color: th.cat[sel.cat] ?? th.selection });
      }
    }

    // Packets in flight.
    for (const d of scene.dots) {
      over.circle(d.x, d.y, 6 * Math.min(1.4, fs)).fill({ color: th.cat[d.cat] ?? th.accent, alpha: 0.25 });
      over.circle(d.x, d.y, 3.5 * Math.min(1.4, fs)).fill({ color: th.cat[d.cat] ?? th.accent });
    }

    // RTT brackets.
    for (const b of scene.brackets) {
      over.moveTo(b.x + 6, b.y0).lineTo(b.x, b.y0).lineTo(b.x, b.y1).lineTo(b.x + 6, b.y1)
        .stroke({ width: 1.5, color: th.now, alpha: 0.9 });
      const t = this.text('bracket', fs, b.label, b.conv);
      t.anchor.set(1, 0.5);
      t.position.set(b.x - 5, (b.y0 + b.y1) / 2);
    }

    // Now-line.
    if (scene.nowY !== null && scene.nowY >= top && scene.nowY <= scene.height) {
      over.moveTo(GEOMETRY.axisW - 8, scene.nowY).lineTo(scene.width, scene.nowY).stroke({ width: 1, color: th.now, alpha: 0.55 });
      over.poly([GEOMETRY.axisW - 8, scene.nowY - 5, GEOMETRY.axisW - 1, scene.nowY, GEOMETRY.axisW - 8, scene.nowY + 5]).fill({ color: th.now });
    }

    // Labels, ports and markers of drawn arrows.
    let texts = 0;
    for (const a of scene.arrows) {
      if (a.ghost) continue;
      if (a.label) {
        const t = this.text(a.selected ? 'labelSel' : 'label', fs, fit(a.label, a.labelMaxW, CHAR_W * fs), a.frame);
        t.anchor.set(a.self ? 0 : 0.5, 1);
        t.rotation = a.labelAngle;
        t.position.set(a.labelX, a.labelY);
        t.alpha = a.progress >= 1 ? 1 : 0.55;
        texts++;
      }
      if (a.marks) texts += this.badges(a, fs);
    }

    // Time axis.
    for (const tk of scene.ticks) {
      if (tk.y < top || tk.y > scene.height) continue;
      const t = this.text('tick', fs, tk.rel, tk.frame ?? '');
      t.anchor.set(1, tk.abs ? 1 : 0.5);
      t.position.set(GEOMETRY.axisW - 16, tk.y);
      texts++;
      if (tk.frame !== null) {
        const n = this.text('tickMuted', fs, `#${tk.frame}`, 'n');
        n.anchor.set(0, tk.abs ? 1 : 0.5);
        n.position.set(8, tk.y);
        texts++;
      }
      if (tk.abs) {
        const a = this.text('tickMuted', fs, tk.abs, tk.frame ?? '');
        a.anchor.set(1, 0);
        a.position.set(GEOMETRY.axisW - 16, tk.y + 1);
        texts++;
      }
      life.moveTo(GEOMETRY.axisW - 12, tk.y).lineTo(GEOMETRY.axisW - 8, tk.y).stroke({ width: 1, color: th.muted, alpha: 0.7 });
    }
    for (const gp of scene.gaps) {
      const t = this.text('gap', fs, gp.text, gp.frame);
      t.anchor.set(1, 0.5);
      t.position.set(GEOMETRY.axisW - 16, gp.y);
      texts++;
    }

    this.texts.end();
    this.app.render();
    this.lastStats = { arrows: scene.arrows.length, aggregates: scene.aggregates.length, texts, ms: performance.now() - t0 };
    return this.lastStats;
  }

  private agg = { key: '', scrollY: 0 };

  private drawAggregates(scene: Scene): void {
    const g = this.aggLayer, th = this.theme;
    if (scene.mode !== 'aggregate') {
      g.visible = false;
      this.agg.key = '';
      return;
    }
    g.visible = true;
    const key = [scene.rowPx, scene.aggSize, Math.floor(scene.nowRow / scene.aggSize), scene.width, scene.height, th.name,
      scene.lanes.map((l) => l.x.toFixed(1)).join(',')].join('|');
    if (key !== this.agg.key || Math.abs(scene.scrollY - this.agg.scrollY) > scene.height * 0.9) {
      this.agg = { key, scrollY: scene.scrollY };
      g.clear();
      let max = 1;
      for (const a of scene.aggregates) max = Math.max(max, a.count);
      const groups = new Map<string, { w: number; cat: number; alpha: number; items: typeof scene.aggregates }>();
      for (const a of scene.aggregates) {
        const w = Math.max(1, Math.min(a.h - 1, 2));
        const strength = Math.round((0.25 + 0.75 * (Math.log1p(a.count) / Math.log1p(max))) * 8) / 8;
        const alpha = a.future ? th.ghostAlpha * 1.5 * strength : 0.85 * strength;
        const k = `${a.cat}|${w.toFixed(1)}|${alpha.toFixed(3)}`;
        let grp = groups.get(k);
        if (!grp) groups.set(k, (grp = { w, cat: a.cat, alpha, items: [] }));
        grp.items.push(a);
      }
      for (const grp of groups.values()) {
        for (const a of grp.items) {
          const xa = Math.min(a.x0, a.x1), xb = a.x0 === a.x1 ? a.x0 + 18 : Math.max(a.x0, a.x1);
          g.rect(xa, a.y - grp.w / 2, xb - xa, grp.w);
        }
        g.fill({ color: th.cat[grp.cat] ?? th.muted, alpha: grp.alpha });
      }
      // Losses inside a band: a small red tick in its middle.
      let ticks = 0;
      for (const a of scene.aggregates) {
        if (!(a.marks & 1) || a.future) continue;
        g.rect((a.x0 + a.x1) / 2 - 1.5, a.y - 3, 3, 6);
        ticks++;
      }
      if (ticks) g.fill({ color: th.cat[4] });
    }
    g.y = this.agg.scrollY - scene.scrollY;
  }

  /** The arrow's line up to `progress` (a loop for arrows whose both ends are on one lane). */
  private path(g: Graphics, a: SceneArrow, progress: number): void {
    if (a.self) {
      const h = a.y1 - a.y0;
      g.moveTo(a.x0, a.y0).bezierCurveTo(a.x0 + 40, a.y0, a.x0 + 40, a.y0 + h * progress, a.x0 + 2, a.y0 + h * progress);
      return;
    }
    g.moveTo(a.x0, a.y0).lineTo(a.x0 + (a.x1 - a.x0) * progress, a.y0 + (a.y1 - a.y0) * progress);
  }

  private head(g: Graphics, a: SceneArrow, scale = 1): void {
    const dx = a.self ? -1 : a.x1 - a.x0, dy = a.self ? 0 : a.y1 - a.y0;
    const len = Math.hypot(dx, dy) || 1;
    const ux = dx / len, uy = dy / len;
    const s = 8 * scale, w = 4 * scale;
    const x = a.self ? a.x0 + 2 : a.x1, y = a.y1;
    g.poly([x, y, x - ux * s - uy * w, y - uy * s + ux * w, x - ux * s + uy * w, y - uy * s - ux * w]);
  }

  private badges(a: SceneArrow, fs: number): number {
    let n = 0;
    let x = a.x0 + (a.x1 >= a.x0 ? 10 : -10);
    const y = a.y0 + 1;
    for (const [bit, text] of MARK_BADGES) {
      if (!(a.marks & bit)) continue;
      const color = bit === 4 ? this.theme.cat[3] : bit === 64 ? this.theme.cat[5] : this.theme.cat[4];
      const t = this.text('badge', fs, text, a.frame);
      const w = t.width + 8, h = 13 * fs;
      const left = a.x1 >= a.x0 ? x : x - w;
      this.overlay.roundRect(left, y - h / 2, w, h, h / 2).fill({ color });
      t.anchor.set(0.5, 0.5);
      t.position.set(left + w / 2, y);
      x = a.x1 >= a.x0 ? x + w + 3 : x - w - 3;
      n++;
    }
    return n;
  }

  destroy(): void {
    this.texts?.clear();
    this.app.destroy(false, { children: true });
  }
}
