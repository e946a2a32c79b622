// PacketFlow's Electron main process: one window, native menus, files the user opens, and the IPC handlers.
// Kept thin on purpose: it never parses capture bytes (the renderer's worker does) and never runs native capture
// on its own event loop (live-capture.ts hosts `cap` in a utility process).
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeTheme, protocol, session } from 'electron';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventChannel, EventMap, LiveCaptureHandlers, MenuCommand, OpenResult, ThemeSetting } from './ipc-contract';
import { CaptureFiles } from './capture-files';
import { RecentFiles } from './recent-files';
import { createImpls, registerAll, type TrustPolicy } from './ipc-handlers';
import { buildMenuTemplate } from './menu';
import { captureFromArgv, firstSample } from './startup-file';
import {
  APP_ENTRY, APP_ORIGIN, APP_SCHEME, CSP, contentTypeFor, hardenContents, isAllowedRequest, resolveAppFile,
  secureWebPreferences,
} from './security';
import { createLiveCapture } from './live-capture';

const rendererDir = join(__dirname, '../renderer');
const preloadPath = join(__dirname, 'preload.cjs');

let win: BrowserWindow | null = null;
const files = new CaptureFiles();
let recent: RecentFiles;
/** A file to open once the window exists (macOS open-file before ready, second instance while loading). */
let pendingOpen: string | null = null;

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
]);
app.enableSandbox();

function send<C extends EventChannel>(channel: C, payload: EventMap[C]): void {
  if (win && !win.isDestroyed()) win.webContents.send(channel, payload);
}

async function openFromMain(path: string, origin: 'dialog' | 'recent' | 'argv'): Promise<void> {
  const r: OpenResult = await files.openPath(path, origin, false);
  if (r.ok) {
    recent.add(path);
    rebuildMenu();
  }
  send('file.opened', r);
  win?.show();
}

async function showOpenDialog(): Promise<string | null> {
  const opts = {
    title: 'Open capture',
    properties: ['openFile'] as Array<'openFile'>,
    filters: [
      { name: 'Captures (pcap, pcapng, cap, gz)', extensions: ['pcap', 'pcapng', 'cap', 'gz'] },
      { name: 'All files', extensions: ['*'] },
    ],
  };
  const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
  return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0];
}

async function showSaveDialog(defaultPath: string, filters: { name: string; extensions: string[] }[]) {
  const opts = { defaultPath, filters };
  const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
  return r.canceled || !r.filePath ? null : r.filePath;
}

function menuCommand(c: MenuCommand): void {
  if (c === 'theme-system' || c === 'theme-light' || c === 'theme-dark') setTheme(c.slice(6) as ThemeSetting);
  send('menu.command', c);
}

function setTheme(t: ThemeSetting): void {
  nativeTheme.themeSource = t;
}

function rebuildMenu(): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate(recent.all(), {
    openDialog: () => void showOpenDialog().then((p) => {
      if (p) void openFromMain(p, 'dialog');
    }),
    openRecent: (p) => void openFromMain(p, 'recent'),
    clearRecent: () => {
      recent.clear();
      rebuildMenu();
    },
    command: menuCommand,
    isMac: process.platform === 'darwin',
    appName: app.getName(),
    dev: !app.isPackaged,
  })));
}

async function serveAppFile(request: Request): Promise<Response> {
  const file = resolveAppFile(rendererDir, request.url);
  if (!file) return new Response('not found', { status: 404 });
  try {
    const body = await readFile(file);
    return new Response(body, {
      headers: {
        'content-type': contentTypeFor(file),
        'content-security-policy': CSP,
        'x-content-type-options': 'nosniff',
        'cross-origin-opener-policy': 'same-origin',
      },
    });
  } catch {
    return new Response('not found', { status: 404 });
  }
}

function createWindow(): void {
  win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 900,
    minHeight: 560,
    show: false,
    title: 'PacketFlow',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#14171c' : '#f7f8fa',
    webPreferences: secureWebPreferences(preloadPath),
  });
  win.once('ready-to-show', () => win?.show());
  win.on('closed', () => {
    win = null;
    live?.dispose();
    void files.closeAll();
  });
  void win.loadURL(APP_ENTRY);
  win.webContents.once('did-finish-load', () => {
    if (pendingOpen) {
      const p = pendingOpen;
      pendingOpen = null;
      void openFromMain(p, 'argv');
    }
  });
}

const live: LiveCaptureHandlers | null = (() => {
  try {
    return createLiveCapture({
      emit: (channel, payload) => send(channel, payload),
      pathOfHandle: (h: number) => files.pathOf(h),
      showSaveDialog: (name: string) => showSaveDialog(name, [{ name: 'pcapng capture', extensions: ['pcapng'] }]),
      captureProcessPath: join(__dirname, 'capture-process.cjs'),
      capturesDir: join(app.getPath('userData'), 'captures'),
    });
  } catch (e) {
    console.error(`live capture unavailable: ${(e as Error).message}`);
    return null;
  }
})();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv, cwd) => {
    const p = captureFromArgv(argv, process.defaultApp === true, cwd);
    if (p) void openFromMain(p, 'argv');
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  // macOS: double-clicking a .pcap in Finder (file association) or dropping it on the Dock icon.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (win && !win.webContents.isLoading()) void openFromMain(path, 'argv');
    else pendingOpen = path;
  });

  app.on('web-contents-created', (_e, contents) => hardenContents(contents));

  void app.whenReady().then(() => {
    recent = new RecentFiles(join(app.getPath('userData'), 'recent.json'));
    const ses = session.defaultSession;
    ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    ses.setPermissionCheckHandler(() => false);
    ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequest(details.url) }));
    protocol.handle(APP_SCHEME, serveAppFile);

    const policy: TrustPolicy = { windowId: () => (win && !win.isDestroyed() ? win.webContents.id : null), origin: APP_ORIGIN };
    const cliFile = captureFromArgv(process.argv, process.defaultApp === true, process.cwd());
    registerAll(ipcMain, policy, createImpls({
      files,
      recent,
      info: { version: app.getVersion(), platform: process.platform, electron: true, liveCapture: false },
      showOpenDialog,
      showSaveDialog: (kind, name) => showSaveDialog(name, kind === 'svg'
        ? [{ name: 'SVG image', extensions: ['svg'] }] : [{ name: 'PNG image', extensions: ['png'] }]),
      writeFile: (path, data) => writeFile(path, data),
      argvFile: () => cliFile,
      sampleFile: () => firstSample(join(app.getAppPath(), 'assets', 'samples')),
      setTheme,
      recentChanged: rebuildMenu,
      live,
    }));
    rebuildMenu();
    createWindow();
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('before-quit', () => live?.dispose());
}
