// End-to-end support: serves the renderer's production build (dist/renderer, built by `npm test` before vitest
// runs) and capture files over a local HTTP server, and launches Debian's Chromium headless with playwright-core.
// The page runs with the same Content-Security-Policy as in Electron and uses the browser implementation of the
// preload API (renderer/browser-api.ts), reading the capture named by ?file= with HTTP Range requests.
import { createServer, type Server } from 'node:http';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CSP, contentTypeFor } from '../../electron/security';
import { repoRoot } from '../support/require';

export const rendererDist = join(repoRoot, 'dist', 'renderer');

/** Chromium flags that work headless here; WebGL runs on SwiftShader (software). */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader', '--use-angle=swiftshader',
];

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `root` at / (with the app's CSP) and files of `captures` at /captures/NAME (Range requests supported).
 * Extra files may be exposed by absolute path with `extra` (name → path).
 */
export async function serve(root: string, captures: string, extra: Record<string, string> = {}): Promise<TestServer> {
  const rootAbs = resolve(root);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let file: string | null = null;
    let isCapture = false;
    const path = decodeURIComponent(url.pathname);
    if (path.startsWith('/captures/')) {
      const name = path.slice('/captures/'.length);
      if (extra[name]) file = extra[name];
      else if (name && !name.includes('/') && !name.includes('..')) file = join(captures, name);
      isCapture = true;
    } else {
      const p = resolve(rootAbs, '.' + (path === '/' ? '/index.html' : path));
      if (p === rootAbs || p.startsWith(rootAbs + sep)) file = p;
    }
    if (!file || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    const size = statSync(file).size;
    const headers: Record<string, string | number> = {
      'content-type': isCapture ? 'application/octet-stream' : contentTypeFor(file),
      'accept-ranges': 'bytes',
      'cache-control': 'no-store',
    };
    if (!isCapture && extname(file) === '.html') headers['content-security-policy'] = CSP;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = Math.min(size - 1, range[2] ? Number(range[2]) : size - 1);
      if (start >= size || end < start) {
        res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
        return;
      }
      res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': end - start + 1 });
      if (req.method === 'HEAD') return void res.end();
      createReadStream(file, { start, end }).pipe(res);
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': size });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function launch(viewport = { width: 1440, height: 900 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'pf-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, viewport, deviceScaleFactor: 1,
  });
  const page = context.pages()[0] ?? await context.newPage();
  return {
    context, page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens the app on /captures/NAME and waits until the whole file is read and the diagram has drawn. */
/** `extra` is appended to the URL: &pdb=1 keeps the drawing buffer so tests can read pixels; &aa=1 antialiases. */
export async function openCapture(page: Page, base: string, name: string, timeoutMs = 60_000, extra = ''): Promise<void> {
  await page.goto(`${base}/index.html?file=${encodeURIComponent(`/captures/${name}`)}${extra}`);
  await page.waitForFunction(() => window.__pfTest?.openError || (window.__pfTest?.ready && window.__pfTest.loadDone && window.__pfTest.draws > 0),
    undefined, { timeout: timeoutMs, polling: 100 });
  const error = await page.evaluate(() => window.__pfTest.openError);
  if (error) throw new Error(`the app could not open ${name}: ${error}`);
  await settle(page);
}

/** Waits for the diagram to have drawn the latest state (two animation frames). */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}

export type PfState = Window['__pfTest'];

export function pf(page: Page): Promise<PfState> {
  return page.evaluate(() => JSON.parse(JSON.stringify(window.__pfTest)) as Window['__pfTest']);
}

/**
 * Pixel statistics of a PNG region of the diagram canvas, read in the page: how many pixels differ from the
 * background colour (a blank diagram has none) and how many distinct colours there are.
 */
export async function canvasInk(page: Page): Promise<{ inked: number; total: number; colours: number; colourful: number }> {
  return page.evaluate(() => {
    const c = document.querySelector('.diagram-canvas canvas') as HTMLCanvasElement;
    const copy = document.createElement('canvas');
    copy.width = c.width;
    copy.height = c.height;
    const ctx = copy.getContext('2d')!;
    ctx.drawImage(c, 0, 0);
    const d = ctx.getImageData(0, 0, copy.width, copy.height).data;
    let inked = 0, colourful = 0;
    const colours = new Set<number>();
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 16) {
        inked++;
        if (colours.size < 5000) colours.add((d[i] >> 3 << 10) | (d[i + 1] >> 3 << 5) | (d[i + 2] >> 3));
      }
      // saturated (coloured, not grey) and mostly opaque: arrows and markers rather than grid lines or text
      if (d[i + 3] >= 64 && Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 60) colourful++;
    }
    return { inked, total: d.length / 4, colours: colours.size, colourful };
  });
}
