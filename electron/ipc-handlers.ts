// Every IPC handler of the main process, as plain functions over injected dependencies (tested without Electron).
// guard() wraps each one: the sender must be the main frame of our window showing our own page (checklist #17),
// and the arguments must pass the channel's validator before the implementation runs.
import type {
  AppInfo, ExportKind, InvokeArgs, InvokeChannel, InvokeResult, LiveCaptureHandlers, OpenResult, OpenedCapture,
  RecentFile, ThemeSetting,
} from './ipc-contract';
import { VALIDATORS } from './ipc-validate';
import type { CaptureFiles } from './capture-files';
import type { RecentFiles } from './recent-files';

/** The parts of Electron's IpcMainInvokeEvent the checks read. */
export interface SenderEvent {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown | null } | null;
}

export interface TrustPolicy {
  /** webContents id of the app window, or null when there is none. */
  windowId(): number | null;
  /** The origin our page is served from, e.g. "app://packetflow". */
  origin: string;
}

export class UntrustedSenderError extends Error {
  override name = 'UntrustedSenderError';
}

/** True only for the main frame of our own window, showing a page of our own origin. */
export function isTrustedSender(event: SenderEvent, policy: TrustPolicy): boolean {
  const id = policy.windowId();
  if (id === null || event.sender?.id !== id) return false;
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    return false;
  }
  return originOf(url) === policy.origin;
}

/**
 * scheme://host[:port] of a URL. Not URL.origin: WHATWG URL parsing in Node gives custom schemes such as app:// an
 * opaque origin ("null"), while Chromium treats our privileged scheme as standard.
 */
export function originOf(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

export type Impl<C extends InvokeChannel> = (...args: InvokeArgs<C>) => Promise<InvokeResult<C>> | InvokeResult<C>;
export type Impls = { [C in InvokeChannel]: Impl<C> };

/** The function ipcMain.handle(channel, ...) receives: sender check, argument validation, then the implementation. */
export function guard<C extends InvokeChannel>(channel: C, policy: TrustPolicy, impl: Impl<C>) {
  return async (event: SenderEvent, ...raw: unknown[]): Promise<InvokeResult<C>> => {
    if (!isTrustedSender(event, policy)) throw new UntrustedSenderError(`${channel}: rejected a message from an untrusted sender`);
    const args = VALIDATORS[channel](raw) as InvokeArgs<C>;
    return (impl as (...a: unknown[]) => Promise<InvokeResult<C>> | InvokeResult<C>)(...args);
  };
}

export interface HandlerDeps {
  files: CaptureFiles;
  recent: RecentFiles;
  info: AppInfo;
  /** Native open dialog; resolves to a path or null when cancelled. */
  showOpenDialog(): Promise<string | null>;
  showSaveDialog(kind: ExportKind, suggestedName: string): Promise<string | null>;
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
  /** The command-line capture (first call only) and the bundled sample. */
  argvFile(): string | null;
  sampleFile(): string | null;
  setTheme(theme: ThemeSetting): void;
  /** Called after the recent list changed (main rebuilds the Open Recent menu). */
  recentChanged(): void;
  live: LiveCaptureHandlers | null;
}

const noLive = (): never => {
  throw new Error('live capture is not available in this build');
};

export function createImpls(d: HandlerDeps): Impls {
  const opened = (r: OpenResult, addToRecent: boolean): OpenResult => {
    if (r.ok && addToRecent) {
      d.recent.add(r.capture.path);
      d.recentChanged();
    }
    return r;
  };
  const openUser = async (path: string, origin: OpenedCapture['origin'], requireExt: boolean) =>
    opened(await d.files.openPath(path, origin, requireExt), true);
  const live = () => d.live ?? noLive();
  let argvUsed = false;

  return {
    'app.info': () => ({ ...d.info, liveCapture: d.live?.available() ?? false }),
    'file.openDialog': async () => {
      const path = await d.showOpenDialog();
      return path ? openUser(path, 'dialog', false) : null;
    },
    'file.openRecent': async (path) => {
      if (!d.recent.has(path)) return { ok: false, message: `${path} is not in the recent files list` };
      const r = await openUser(path, 'recent', false);
      if (!r.ok) {
        d.recent.remove(path);
        d.recentChanged();
      }
      return r;
    },
    'file.openDropped': (path) => openUser(path, 'drop', true),
    'file.openInitial': async () => {
      const fromArgv = argvUsed ? null : d.argvFile();
      argvUsed = true;
      if (fromArgv) return openUser(fromArgv, 'argv', false);
      const sample = d.sampleFile();
      return sample ? d.files.openPath(sample, 'sample', false) : null;
    },
    'file.read': (handle, offset, length) => d.files.read(handle, offset, length),
    'file.close': (handle) => d.files.close(handle),
    'file.listRecent': (): RecentFile[] => d.recent.all(),
    'file.clearRecent': () => {
      d.recent.clear();
      d.recentChanged();
    },
    'export.save': async (kind, suggestedName, data) => {
      const path = await d.showSaveDialog(kind, suggestedName);
      if (!path) return null;
      await d.writeFile(path, data);
      return path;
    },
    'settings.setTheme': (theme) => d.setTheme(theme),
    'capture.listInterfaces': () => live().listInterfaces(),
    'capture.validateFilter': (filter, device) => live().validateFilter(filter, device),
    'capture.start': (options) => live().start(options),
    'capture.pause': (session, paused) => live().pause(session, paused),
    'capture.stop': (session) => live().stop(session),
    'capture.saveAs': (session) => live().saveAs(session),
    'replay.start': (options) => live().startReplay(options),
    'replay.pause': (session, paused) => live().pauseReplay(session, paused),
    'replay.speed': (session, speed) => live().setReplaySpeed(session, speed),
  };
}

/** Registers every channel on something shaped like ipcMain. Returns a function that removes them. */
export interface IpcLike {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handle(channel: string, listener: (event: SenderEvent, ...args: any[]) => unknown): void;
  removeHandler(channel: string): void;
}

export function registerAll(ipc: IpcLike, policy: TrustPolicy, impls: Impls): () => void {
  const channels = Object.keys(impls) as InvokeChannel[];
  for (const c of channels) ipc.handle(c, guard(c, policy, impls[c] as Impl<typeof c>));
  return () => channels.forEach((c) => ipc.removeHandler(c));
}
