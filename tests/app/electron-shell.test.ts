// The Electron shell's pure parts: the security settings, the app:// file mapping, navigation hardening, the preload's
// exposed API (one function per operation, each on its own channel), menus, start-up file choice, recent files.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  APP_ORIGIN, CSP, hardenContents, isAllowedNavigation, isAllowedRequest, resolveAppFile, secureWebPreferences,
} from '../../electron/security';
import { INVOKE_CHANNELS, type PacketflowApi } from '../../electron/ipc-contract';
import { buildMenuTemplate } from '../../electron/menu';
import { captureFromArgv, firstSample } from '../../electron/startup-file';
import { MAX_RECENT, sanitizeRecent, withRecent } from '../../electron/recent-files';
import { hasCaptureExtension } from '../../electron/capture-files';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('window security settings', () => {
  it('isolate and sandbox the renderer without Node', () => {
    const p = secureWebPreferences('/app/preload.cjs');
    expect(p).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false,
      webSecurity: true, allowRunningInsecureContent: false, webviewTag: false, navigateOnDragDrop: false });
  });
  it('use a CSP without inline script, eval or remote sources', () => {
    expect(CSP).toMatch(/default-src 'none'/);
    expect(CSP).toMatch(/script-src 'self'(;|$)/);
    expect(CSP).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });
  it('map app:// URLs to files inside the renderer directory only', () => {
    const root = '/opt/pf/renderer';
    expect(resolveAppFile(root, `${APP_ORIGIN}/index.html`)).toBe('/opt/pf/renderer/index.html');
    expect(resolveAppFile(root, `${APP_ORIGIN}/`)).toBe('/opt/pf/renderer/index.html');
    expect(resolveAppFile(root, `${APP_ORIGIN}/assets/x.js?v=1#a`)).toBe('/opt/pf/renderer/assets/x.js');
    // The URL parser already removes dot segments (also %2e%2e): what is left must stay inside the root.
    expect(resolveAppFile(root, `${APP_ORIGIN}/../secret`)).toBe('/opt/pf/renderer/secret');
    expect(resolveAppFile(root, `${APP_ORIGIN}/assets/%2e%2e/%2e%2e/x`)).toBe('/opt/pf/renderer/x');
    // An encoded slash survives parsing and would climb out after decoding.
    for (const bad of [`${APP_ORIGIN}/..%2fsecret`, `${APP_ORIGIN}/assets/..%2f..%2f..%2fetc%2fpasswd`,
      'app://other/index.html', 'file:///etc/passwd', `${APP_ORIGIN}/a%00b`, `${APP_ORIGIN}/%E0%A4%A`]) {
      expect(resolveAppFile(root, bad), bad).toBeNull();
    }
  });
  it('allow navigation and requests to our origin and in-memory data only', () => {
    expect(isAllowedNavigation(`${APP_ORIGIN}/index.html`)).toBe(true);
    expect(isAllowedNavigation('https://example.com/')).toBe(false);
    expect(isAllowedNavigation('file:///tmp/x.pcap')).toBe(false);
    expect(isAllowedRequest('blob:app://packetflow/1234')).toBe(true);
    expect(isAllowedRequest('data:image/png;base64,AA==')).toBe(true);
    expect(isAllowedRequest('http://127.0.0.1:8080/')).toBe(false);
    expect(isAllowedRequest('ws://example.com/')).toBe(false);
  });
  it('block foreign navigation, redirects, webviews and new windows', () => {
    const handlers = new Map<string, (e: { preventDefault(): void }, url: string) => void>();
    let openHandler: ((d: { url: string }) => { action: string }) | null = null;
    hardenContents({
      on: (ev, fn) => handlers.set(ev, fn),
      setWindowOpenHandler: (h) => { openHandler = h; },
    });
    const prevented = (ev: string, url: string) => {
      let p = false;
      handlers.get(ev)!({ preventDefault: () => { p = true; } }, url);
      return p;
    };
    expect(prevented('will-navigate', 'https://evil.example/')).toBe(true);
    expect(prevented('will-navigate', 'file:///home/user/dropped.pcap')).toBe(true);
    expect(prevented('will-navigate', `${APP_ORIGIN}/index.html`)).toBe(false);
    expect(prevented('will-redirect', 'https://evil.example/')).toBe(true);
    expect(prevented('will-attach-webview', '')).toBe(true);
    expect(openHandler!({ url: `${APP_ORIGIN}/index.html` })).toEqual({ action: 'deny' });
  });
});

describe('preload', () => {
  it('exposes one function per operation, each invoking its own channel, and no generic bridge', async () => {
    const exposed: Record<string, unknown> = {};
    const invoked: unknown[][] = [];
    const listeners = new Map<string, (e: unknown, p: unknown) => void>();
    vi.resetModules();
    vi.doMock('electron', () => ({
      contextBridge: { exposeInMainWorld: (k: string, v: unknown) => { exposed[k] = v; } },
      ipcRenderer: {
        invoke: (...a: unknown[]) => { invoked.push(a); return Promise.resolve(null); },
        on: (c: string, fn: (e: unknown, p: unknown) => void) => listeners.set(c, fn),
        removeListener: (c: string) => listeners.delete(c),
      },
      webUtils: { getPathForFile: () => '/dropped/x.pcapng' },
    }));
    await import('../../electron/preload');
    vi.doUnmock('electron');
    const api = exposed.packetflow as PacketflowApi & Record<string, unknown>;
    expect(Object.keys(exposed)).toEqual(['packetflow']);
    for (const k of Object.keys(api)) expect(typeof api[k], k).toBe('function');
    for (const generic of ['invoke', 'send', 'on', 'ipcRenderer', 'sendSync']) expect(api[generic]).toBeUndefined();

    await api.readCapture(3, 10, 20);
    await api.openDroppedFile({} as File);
    await api.startCapture({ device: 'lo', filter: '', snaplen: 100, promiscuous: false });
    await api.setReplaySpeed(2, 10);
    expect(invoked).toEqual([
      ['file.read', 3, 10, 20], ['file.openDropped', '/dropped/x.pcapng'],
      ['capture.start', { device: 'lo', filter: '', snaplen: 100, promiscuous: false }], ['replay.speed', 2, 10],
    ]);
    // Every invoke function maps to a channel of the contract.
    invoked.length = 0;
    const calls: [keyof PacketflowApi, unknown[]][] = [
      ['appInfo', []], ['openFileDialog', []], ['openRecent', ['/a.pcap']], ['openInitial', []], ['closeCapture', [1]],
      ['listRecent', []], ['clearRecent', []], ['saveExport', ['svg', 'a.svg', '<svg/>']], ['setTheme', ['dark']],
      ['listInterfaces', []], ['validateFilter', ['tcp', 'lo']], ['pauseCapture', [1, true]], ['stopCapture', [1]],
      ['saveCaptureAs', [1]], ['startReplay', [{ handle: 1, speed: 1 }]], ['pauseReplay', [1, false]],
    ];
    for (const [name, args] of calls) await (api[name] as (...a: unknown[]) => Promise<unknown>)(...args);
    const channels = new Set(invoked.map((a) => a[0]));
    expect(channels.size).toBe(calls.length);
    for (const c of channels) expect(INVOKE_CHANNELS).toContain(c);
    // Listeners get the payload only, never the IpcRendererEvent, and can unsubscribe.
    const got: unknown[] = [];
    const off = api.onCaptureStats((s) => got.push(s));
    listeners.get('capture.stats')!({ sender: 'secret' }, { session: 1 });
    expect(got).toEqual([{ session: 1 }]);
    off();
    expect(listeners.has('capture.stats')).toBe(false);
  });
});

describe('menus', () => {
  const actions = { openDialog: vi.fn(), openRecent: vi.fn(), clearRecent: vi.fn(), command: vi.fn(), isMac: false, appName: 'PacketFlow', dev: false };
  const labels = (items: { label?: string; role?: string }[] | undefined) => (items ?? []).map((i) => i.label ?? i.role);
  it('have File (Open, Open Recent, Close), View (zoom, theme, presentation) and Help', () => {
    const t = buildMenuTemplate([], actions);
    expect(labels(t)).toEqual(['&File', '&Edit', '&View', '&Help']);
    const file = t[0].submenu as { label?: string; role?: string }[];
    expect(labels(file)).toEqual(expect.arrayContaining(['&Open Capture…', 'Open &Recent', '&Close Capture', 'quit']));
    const view = labels(t[2].submenu as { label?: string }[]);
    expect(view).toEqual(expect.arrayContaining(['Zoom &In (diagram)', 'Zoom &Out (diagram)', '&Theme', '&Presentation Mode']));
    expect(view).not.toContain('toggleDevTools');
    expect(labels(t[3].submenu as { label?: string }[])).toEqual(expect.arrayContaining(['&Keyboard Shortcuts']));
  });
  it('list recent files that reopen by path', () => {
    const t = buildMenuTemplate([{ path: '/c/one.pcap', name: 'one.pcap', openedAt: 1 }], actions);
    const recent = (t[0].submenu as { label?: string; submenu?: { label?: string; click?: () => void }[] }[])[1].submenu!;
    expect(recent[0].label).toBe('&1 one.pcap');
    recent[0].click!();
    expect(actions.openRecent).toHaveBeenCalledWith('/c/one.pcap');
    expect(labels(recent)).toContain('Clear Recent');
  });
});

describe('start-up file', () => {
  it('takes the first existing file argument, after the app path when run as `electron .`', () => {
    const exists = (p: string) => p.endsWith('.pcap');
    expect(captureFromArgv(['/usr/bin/electron', '.', '--inspect', 'x.pcap'], true, '/home/u', exists)).toBe('/home/u/x.pcap');
    expect(captureFromArgv(['/opt/PacketFlow/packetflow', '/data/y.pcap'], false, '/', exists)).toBe('/data/y.pcap');
    expect(captureFromArgv(['/opt/PacketFlow/packetflow', '--no-sandbox'], false, '/', exists)).toBeNull();
    expect(captureFromArgv(['/usr/bin/electron', '.'], true, '/', () => true)).toBeNull();
  });
  it('opens the first bundled sample by name', () => {
    const d = mkdtempSync(join(tmpdir(), 'pf-samples-'));
    dirs.push(d);
    writeFileSync(join(d, 'README.md'), '');
    writeFileSync(join(d, 'b-dns.pcapng'), 'x');
    writeFileSync(join(d, 'a-tcp.pcapng'), 'x');
    mkdirSync(join(d, '0-dir.pcap'));
    expect(firstSample(d)).toBe(join(d, 'a-tcp.pcapng'));
    expect(firstSample(join(d, 'missing'))).toBeNull();
  });
  it('recognises capture extensions', () => {
    for (const ok of ['a.pcap', 'a.PCAPNG', 'a.cap', 'a.pcapng.gz']) expect(hasCaptureExtension(ok), ok).toBe(true);
    for (const bad of ['a.txt', 'pcap', 'a.pcap.zip']) expect(hasCaptureExtension(bad), bad).toBe(false);
  });
});

describe('recent files', () => {
  it('keep the newest first, without duplicates, at most MAX_RECENT', () => {
    let list = withRecent([], '/a.pcap', 1);
    list = withRecent(list, '/b.pcap', 2);
    list = withRecent(list, '/a.pcap', 3);
    expect(list.map((r) => r.path)).toEqual(['/a.pcap', '/b.pcap']);
    for (let i = 0; i < 20; i++) list = withRecent(list, `/f${i}.pcap`, 10 + i);
    expect(list.length).toBe(MAX_RECENT);
    expect(list[0].path).toBe('/f19.pcap');
  });
  it('survive a corrupt or hand-edited file', () => {
    expect(sanitizeRecent('nonsense')).toEqual([]);
    expect(sanitizeRecent([{ path: '/x.pcap', openedAt: 1 }, { path: 3 }, null, { path: '/x.pcap', openedAt: 2 }]))
      .toEqual([{ path: '/x.pcap', name: 'x.pcap', openedAt: 1 }]);
  });
});
