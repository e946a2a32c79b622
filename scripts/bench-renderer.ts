// Renderer benchmark (issue 6): the production renderer in headless Chromium (WebGL on SwiftShader here) opening a
// big capture, then scrolling it, beside a bare WebGL baseline that draws the same visible lines with gl.LINES.
//
//   node --expose-gc dist/bench-renderer.js --capture bench-data/cap1m.pcap [--packets N] [--json out.json]
//   (scripts/bench.ts bundles and runs it as part of `npm run bench`; it builds the renderer if dist/ lacks it)
//
// Reports: time from opening to the first diagram, to the whole file analysed; per-frame time while scrolling at
// arrow zoom (labels, culling) and zoomed out (aggregated bands) for the app and for the baseline, and their ratio.
// Frame time is the interval between animation frames while scrolling one step per frame (CPU + GPU of a frame).
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { launch, openCapture, serve } from '../tests/e2e/support';

/** Run from the repository root (as `npm run bench` does); bundled, import.meta.url would point into dist/. */
const rendererDist = resolve('dist/renderer');

interface Options {
  capture: string;
  json: string | null;
  steps: number;
  width: number;
  height: number;
}

function parse(argv: string[]): Options {
  const o: Options = { capture: '', json: null, steps: 90, width: 1440, height: 900 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = argv[i + 1];
    if (a === '--capture') { o.capture = v; i++; }
    else if (a === '--json') { o.json = v; i++; }
    else if (a === '--steps') { o.steps = Number(v); i++; }
    else if (a === '--packets') i++; // informative only (the capture says how many)
    else if (!a.startsWith('-') && !o.capture) o.capture = a;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!o.capture) throw new Error('usage: bench-renderer --capture FILE.pcap [--json OUT.json]');
  return o;
}

export interface ScrollStats {
  frames: number;
  medianFrameMs: number;
  p95FrameMs: number;
  medianDrawMs: number;
  segmentsPerFrame: number;
  mode: string;
}

export interface RendererBenchResult {
  capture: string;
  bytes: number;
  frames: number;
  renderer: string;
  firstDiagramMs: number | null;
  loadWallMs: number | null;
  workerMs: number | null;
  framesPerSecLoaded: number | null;
  arrows: { app: ScrollStats; baseline: ScrollStats; ratio: number };
  zoomedOut: { app: ScrollStats; baseline: ScrollStats; ratio: number };
  viewport: [number, number];
}

const median = (a: number[]) => {
  const s = a.slice().sort((x, y) => x - y);
  return s.length ? s[Math.floor(s.length / 2)] : 0;
};
const p95 = (a: number[]) => {
  const s = a.slice().sort((x, y) => x - y);
  return s.length ? s[Math.min(s.length - 1, Math.floor(s.length * 0.95))] : 0;
};

export async function benchRenderer(o: Options): Promise<RendererBenchResult> {
  if (!existsSync(resolve(rendererDist, 'index.html'))) {
    const r = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('vite build failed');
  }
  const capture = resolve(o.capture);
  const name = basename(capture);
  const server = await serve(rendererDist, '/nonexistent', { [name]: capture });
  const b = await launch({ width: o.width, height: o.height });
  try {
    const page = b.page;
    await openCapture(page, server.url, name, 30 * 60_000);
    const st = await page.evaluate(() => ({ ...window.__pfTest }));

    // Scroll the app one step per animation frame; record frame intervals, draw times and what was drawn.
    const scrollApp = async (stepPx: number): Promise<{ stats: ScrollStats; segments: number[][] }> => {
      return page.evaluate(async ({ steps, stepPx }) => {
        const c = window.__pfControl!;
        const raf = () => new Promise<number>((r) => requestAnimationFrame(r));
        await raf();
        await raf();
        const intervals: number[] = [], draws: number[] = [], segments: number[][] = [];
        let last = await raf();
        let mode = '';
        for (let i = 0; i < steps; i++) {
          c.scrollBy(0, stepPx);
          const now = await raf();
          intervals.push(now - last);
          last = now;
          draws.push(window.__pfTest.lastDrawMs);
          segments.push(c.segments());
          mode = window.__pfTest.mode;
        }
        const med = (a: number[]) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)] ?? 0;
        const p = (a: number[]) => a.slice().sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(a.length * 0.95))] ?? 0;
        return {
          stats: {
            frames: steps, medianFrameMs: med(intervals.slice(5)), p95FrameMs: p(intervals.slice(5)), medianDrawMs: med(draws.slice(5)),
            segmentsPerFrame: Math.round(segments.reduce((n, s) => n + s.length / 4, 0) / Math.max(1, segments.length)), mode,
          },
          segments,
        };
      }, { steps: o.steps, stepPx });
    };

    // The bare WebGL baseline: the same segments per frame, uploaded and drawn as gl.LINES, one frame each.
    const baseline = async (segments: number[][]): Promise<ScrollStats> => {
      const p = await b.context.newPage();
      await p.setViewportSize({ width: o.width, height: o.height });
      await p.goto('about:blank');
      const r = await p.evaluate(async ({ segments, w, h }) => {
        const canvas = document.createElement('canvas');
        canvas.width = w;
        canvas.height = h;
        document.body.style.margin = '0';
        document.body.appendChild(canvas);
        const gl = canvas.getContext('webgl2', { antialias: true })!;
        const vs = gl.createShader(gl.VERTEX_SHADER)!;
        gl.shaderSource(vs, '#version 300 es\nin vec2 p; uniform vec2 s; void main(){ gl_Position = vec4(p.x / s.x * 2.0 - 1.0, 1.0 - p.y / s.y * 2.0, 0, 1); }');
        gl.compileShader(vs);
        const fs = gl.createShader(gl.FRAGMENT_SHADER)!;
        gl.shaderSource(fs, '#version 300 es\nprecision mediump float; out vec4 c; void main(){ c = vec4(0.1, 0.45, 0.85, 1.0); }');
        gl.compileShader(fs);
        const prog = gl.createProgram()!;
        gl.attachShader(prog, vs);
        gl.attachShader(prog, fs);
        gl.linkProgram(prog);
        gl.useProgram(prog);
        gl.uniform2f(gl.getUniformLocation(prog, 's'), w, h);
        const buf = gl.createBuffer();
        gl.bindBuffer(gl.ARRAY_BUFFER, buf);
        const loc = gl.getAttribLocation(prog, 'p');
        gl.enableVertexAttribArray(loc);
        gl.vertexAttribPointer(loc, 2, gl.FLOAT, false, 0, 0);
        const raf = () => new Promise<number>((res) => requestAnimationFrame(res));
        await raf();
        const intervals: number[] = [], draws: number[] = [];
        let last = await raf();
        for (const seg of segments) {
          const t0 = performance.now();
          gl.clearColor(1, 1, 1, 1);
          gl.clear(gl.COLOR_BUFFER_BIT);
          gl.bufferData(gl.ARRAY_BUFFER, new Float32Array(seg), gl.DYNAMIC_DRAW);
          gl.drawArrays(gl.LINES, 0, seg.length / 2);
          draws.push(performance.now() - t0);
          const now = await raf();
          intervals.push(now - last);
          last = now;
        }
        return { intervals, draws };
      }, { segments, w: o.width, h: o.height });
      await p.close();
      return {
        frames: segments.length, medianFrameMs: median(r.intervals.slice(5)), p95FrameMs: p95(r.intervals.slice(5)),
        medianDrawMs: median(r.draws.slice(5)), segmentsPerFrame: Math.round(segments.reduce((n, s) => n + s.length / 4, 0) / Math.max(1, segments.length)),
        mode: 'gl.LINES',
      };
    };

    // 1. Arrow zoom (the default after opening: labelled arrows), scrolling down the capture.
    await page.evaluate(() => window.__pfControl!.setRowPx(34));
    const arrowsApp = await scrollApp(40);
    const arrowsBase = await baseline(arrowsApp.segments);

    // 2. Zoomed out so that tens of thousands of frames are on screen (aggregated bands), scrolling.
    await page.evaluate(() => window.__pfControl!.end());
    await page.evaluate(() => window.__pfControl!.setRowPx(0.02));
    await page.evaluate(() => window.__pfControl!.scrollBy(0, -1e12));
    const outApp = await scrollApp(40);
    const outBase = await baseline(outApp.segments);

    const ratio = (a: ScrollStats, bl: ScrollStats) => Math.round((a.medianFrameMs / Math.max(0.001, bl.medianFrameMs)) * 100) / 100;
    return {
      capture, bytes: statSync(capture).size, frames: st.framesLoaded, renderer: st.renderer,
      firstDiagramMs: st.firstDiagramMs, loadWallMs: st.loadWallMs, workerMs: st.workerMs,
      framesPerSecLoaded: st.loadWallMs ? Math.round(st.framesLoaded / (st.loadWallMs / 1000)) : null,
      arrows: { app: arrowsApp.stats, baseline: arrowsBase, ratio: ratio(arrowsApp.stats, arrowsBase) },
      zoomedOut: { app: outApp.stats, baseline: outBase, ratio: ratio(outApp.stats, outBase) },
      viewport: [o.width, o.height],
    };
  } finally {
    await b.close();
    await server.close();
  }
}

/**
 * The README's screenshots, taken in the same headless Chromium: a handshake step of the first bundled sample, and
 * a big capture zoomed out to the whole file (aggregated bands).
 *   node dist/bench-renderer.js --screenshots docs/screenshots --capture bench-data/cap1m.pcap
 */
export async function screenshots(dir: string, bigCapture: string): Promise<string[]> {
  const sample = resolve('assets/samples/01-tcp-handshake-data-close.pcapng');
  const big = resolve(bigCapture);
  const server = await serve(rendererDist, '/nonexistent', { [basename(sample)]: sample, [basename(big)]: big });
  const b = await launch({ width: 1440, height: 860 });
  const out: string[] = [];
  try {
    const page = b.page;
    await openCapture(page, server.url, basename(sample), 60_000, '&aa=1');
    // Step to the client's request (frame 4): handshake done, RTT bracket, the request travelling.
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => window.__pfTest.detailsFrame === 4);
    await page.waitForTimeout(300);
    out.push(resolve(dir, 'handshake-step.png'));
    await page.screenshot({ path: out[out.length - 1] });

    await openCapture(page, server.url, basename(big), 30 * 60_000, '&aa=1');
    await page.keyboard.press('End');
    await page.evaluate(() => window.__pfControl!.fitAll());
    await page.evaluate(() => new Promise((r) => setTimeout(r, 500)));
    await page.keyboard.press('t'); // dark theme for the second picture
    await page.waitForTimeout(600);
    out.push(resolve(dir, 'large-capture-zoomed-out.png'));
    await page.screenshot({ path: out[out.length - 1] });
    await page.keyboard.press('t');
  } finally {
    await b.close();
    await server.close();
  }
  return out;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const shots = argv.indexOf('--screenshots');
  if (shots >= 0) {
    const dir = argv[shots + 1];
    const o = parse([...argv.slice(0, shots), ...argv.slice(shots + 2)]);
    for (const f of await screenshots(dir, o.capture)) console.log(`wrote ${f}`);
    return;
  }
  const o = parse(argv);
  const r = await benchRenderer(o);
  const f = (n: number | null) => (n === null ? '?' : `${(n / 1000).toFixed(2)} s`);
  console.log(`renderer: ${r.frames.toLocaleString()} frames (${(r.bytes / 1e6).toFixed(0)} MB), first diagram after ${f(r.firstDiagramMs)}, ` +
    `whole file after ${f(r.loadWallMs)} (${r.framesPerSecLoaded?.toLocaleString() ?? '?'} frames/s), ${r.renderer}`);
  for (const [name, x] of [['arrows', r.arrows], ['zoomed out', r.zoomedOut]] as const) {
    console.log(`renderer: scrolling (${name}, ${x.app.mode}, ~${x.app.segmentsPerFrame} lines): app ${x.app.medianFrameMs.toFixed(1)} ms/frame ` +
      `(p95 ${x.app.p95FrameMs.toFixed(1)}, draw ${x.app.medianDrawMs.toFixed(1)}), bare WebGL ${x.baseline.medianFrameMs.toFixed(1)} ms/frame, ratio ${x.ratio}`);
  }
  const json = JSON.stringify(r);
  if (o.json) writeFileSync(o.json, json);
  console.log(json);
}

if (process.argv[1] && /bench-renderer\.(ts|js)$/.test(process.argv[1])) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
