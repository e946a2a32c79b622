// The one declaration of every message between PacketFlow's main process and its renderer.
// Main (ipc-handlers.ts), the preload (preload.ts) and the renderer (renderer/api.ts, browser-api.ts) take their
// channel names and types from here, so a change to a message is a compile error everywhere it matters.
// Types only plus plain constants: this file is imported by the sandboxed preload and by the browser bundle.
//
// Capture bytes are never parsed in the main process: main only opens files the user chose and hands their raw
// bytes to the renderer in chunks; the renderer's worker runs the reader and the analyzer.

// ---------------------------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------------------------

/** A capture file main has opened for this window. The handle is only meaningful to `readCapture`. */
export interface OpenedCapture {
  handle: number;
  /** Base name for the title bar. */
  name: string;
  /** Full path (shown in tooltips and the recent list); '' for browser sources. */
  path: string;
  size: number;
  /** Why it was opened: the user's choice, the command line, or the bundled sample opened at start. */
  origin: 'dialog' | 'recent' | 'drop' | 'argv' | 'sample' | 'live';
}

export interface RecentFile {
  path: string;
  name: string;
  openedAt: number;
}

/** Either a capture or the reason it could not be opened (a missing file, a directory, not a capture...). */
export type OpenResult = { ok: true; capture: OpenedCapture } | { ok: false; message: string };

/** Extensions the file dialog offers and drag-and-drop accepts. */
export const CAPTURE_EXTENSIONS = ['pcap', 'pcapng', 'cap', 'gz'] as const;

/** Largest chunk one readCapture call may ask for (keeps a single IPC message bounded). */
export const MAX_READ_CHUNK = 4 << 20;

export type ExportKind = 'svg' | 'png';

// ---------------------------------------------------------------------------------------------------------------
// Menus and settings
// ---------------------------------------------------------------------------------------------------------------

export type ThemeSetting = 'system' | 'light' | 'dark';

/** Commands the native menus send to the renderer (the renderer owns what they do). */
export type MenuCommand =
  | 'close-capture' | 'zoom-in' | 'zoom-out' | 'zoom-reset' | 'toggle-presentation' | 'fit-conversation'
  | 'follow-cursor' | 'export-svg' | 'export-png' | 'show-shortcuts' | 'show-about' | 'live-capture'
  | 'theme-system' | 'theme-light' | 'theme-dark';
export const MENU_COMMANDS: readonly MenuCommand[] = [
  'close-capture', 'zoom-in', 'zoom-out', 'zoom-reset', 'toggle-presentation', 'fit-conversation', 'follow-cursor',
  'export-svg', 'export-png', 'show-shortcuts', 'show-about', 'live-capture', 'theme-system', 'theme-light',
  'theme-dark',
];

export interface AppInfo {
  version: string;
  platform: string;
  /** True in the Electron app; false for the browser implementation used by tests. */
  electron: boolean;
  /** Whether live capture can be offered at all (H7 decides from `cap` / tcpdump availability). */
  liveCapture: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Live capture and replay (main-process side implemented by electron/live-capture.ts)
// ---------------------------------------------------------------------------------------------------------------

export interface CaptureInterface {
  /** Device name to pass to startCapture ("lo", "eth0", "\\Device\\NPF_{...}"). */
  name: string;
  description?: string;
  addresses: string[];
  loopback?: boolean;
}

export type FilterCheck = { ok: true } | { ok: false; message: string };

export interface CaptureOptions {
  device: string;
  /** libpcap / BPF capture filter; '' for none. */
  filter: string;
  snaplen: number;
  promiscuous: boolean;
}

export interface ReplayOptions {
  /** An OpenedCapture.handle to replay. */
  handle: number;
  /** Pacing factor, 0.1..100 (issue 7). */
  speed: number;
}

export type CaptureSourceKind = 'cap' | 'tcpdump' | 'dumpcap' | 'replay';

export interface CaptureStarted {
  /** Session ids are integers from 1 (main's argument validation rejects 0). */
  session: number;
  source: CaptureSourceKind;
  /** File the capture is being written to as it runs (pcapng), or the replayed file. */
  file: string;
  /** A human sentence for the status bar: "capturing on lo with cap (libpcap 1.10.3)". */
  description: string;
}

export interface CaptureStats {
  session: number;
  captured: number;
  /** Dropped by the kernel / pcap (pcap_stats ps_drop + ps_ifdrop). */
  droppedKernel: number;
  /** (H7) True when the source cannot report kernel drops (cap 0.2.1 has no pcap_stats): show "n/a", not 0. */
  droppedKernelUnknown?: boolean;
  /** Dropped by PacketFlow itself (must stay zero). */
  droppedOurs: number;
  bytes: number;
  /** Packets per second over the last second. */
  rate: number;
  elapsedMs: number;
  paused: boolean;
}

/**
 * A batch of captured traffic, as a piece of a pcapng byte stream (the same bytes written to the file): the
 * renderer feeds the pieces, in order, to the same reader as for files. `seq` starts at 0 for each session.
 */
export interface CaptureFramesBatch {
  session: number;
  seq: number;
  bytes: Uint8Array;
  frames: number;
}

export interface CaptureEnded {
  session: number;
  /** null when stopped by the user; otherwise a clear message (device vanished, disk full, no permission...). */
  error: string | null;
  /** How to fix it, when known (e.g. "sudo setcap cap_net_raw,cap_net_admin+eip /path/to/packetflow"). */
  hint?: string;
  stats: CaptureStats | null;
  /** The pcapng file holding everything captured (kept even after an error). */
  file: string | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Channels
// ---------------------------------------------------------------------------------------------------------------

/** renderer → main request/response channels: name → [argument tuple, result]. */
export interface InvokeMap {
  'app.info': [[], AppInfo];
  'file.openDialog': [[], OpenResult | null];
  'file.openRecent': [[path: string], OpenResult];
  'file.openDropped': [[path: string], OpenResult];
  /** The file given on the command line, else the first bundled sample, else null. */
  'file.openInitial': [[], OpenResult | null];
  'file.read': [[handle: number, offset: number, length: number], Uint8Array];
  'file.close': [[handle: number], void];
  'file.listRecent': [[], RecentFile[]];
  'file.clearRecent': [[], void];
  'export.save': [[kind: ExportKind, suggestedName: string, data: string | Uint8Array], string | null];
  'settings.setTheme': [[theme: ThemeSetting], void];
  'capture.listInterfaces': [[], CaptureInterface[]];
  'capture.validateFilter': [[filter: string, device: string], FilterCheck];
  'capture.start': [[options: CaptureOptions], CaptureStarted];
  'capture.pause': [[session: number, paused: boolean], void];
  'capture.stop': [[session: number], CaptureStats | null];
  'capture.saveAs': [[session: number], string | null];
  'replay.start': [[options: ReplayOptions], CaptureStarted];
  'replay.pause': [[session: number, paused: boolean], void];
  'replay.speed': [[session: number, speed: number], void];
}
export type InvokeChannel = keyof InvokeMap;
export type InvokeArgs<C extends InvokeChannel> = InvokeMap[C][0];
export type InvokeResult<C extends InvokeChannel> = InvokeMap[C][1];

/** main → renderer notifications: name → payload. */
export interface EventMap {
  'menu.command': MenuCommand;
  /** A capture main opened on its own (File ▸ Open…, Open Recent, a second launch with a file, macOS open-file). */
  'file.opened': OpenResult;
  'capture.frames': CaptureFramesBatch;
  'capture.stats': CaptureStats;
  'capture.ended': CaptureEnded;
}
export type EventChannel = keyof EventMap;

export const INVOKE_CHANNELS: readonly InvokeChannel[] = [
  'app.info', 'file.openDialog', 'file.openRecent', 'file.openDropped', 'file.openInitial', 'file.read', 'file.close',
  'file.listRecent', 'file.clearRecent', 'export.save', 'settings.setTheme', 'capture.listInterfaces',
  'capture.validateFilter', 'capture.start', 'capture.pause', 'capture.stop', 'capture.saveAs', 'replay.start',
  'replay.pause', 'replay.speed',
];
export const EVENT_CHANNELS: readonly EventChannel[] = [
  'menu.command', 'file.opened', 'capture.frames', 'capture.stats', 'capture.ended',
];

// ---------------------------------------------------------------------------------------------------------------
// What the preload exposes as window.packetflow: one typed function per operation, never a generic invoke/send.
// renderer/browser-api.ts implements the same interface for plain Chromium (tests, benchmark).
// ---------------------------------------------------------------------------------------------------------------

export type Unsubscribe = () => void;

export interface PacketflowApi {
  appInfo(): Promise<AppInfo>;
  openFileDialog(): Promise<OpenResult | null>;
  openRecent(path: string): Promise<OpenResult>;
  /** A file dropped on the window (the preload resolves its path with webUtils.getPathForFile). */
  openDroppedFile(file: File): Promise<OpenResult>;
  openInitial(): Promise<OpenResult | null>;
  readCapture(handle: number, offset: number, length: number): Promise<Uint8Array>;
  closeCapture(handle: number): Promise<void>;
  listRecent(): Promise<RecentFile[]>;
  clearRecent(): Promise<void>;
  saveExport(kind: ExportKind, suggestedName: string, data: string | Uint8Array): Promise<string | null>;
  setTheme(theme: ThemeSetting): Promise<void>;
  onMenuCommand(listener: (command: MenuCommand) => void): Unsubscribe;
  onFileOpened(listener: (result: OpenResult) => void): Unsubscribe;

  listInterfaces(): Promise<CaptureInterface[]>;
  validateFilter(filter: string, device: string): Promise<FilterCheck>;
  startCapture(options: CaptureOptions): Promise<CaptureStarted>;
  pauseCapture(session: number, paused: boolean): Promise<void>;
  stopCapture(session: number): Promise<CaptureStats | null>;
  saveCaptureAs(session: number): Promise<string | null>;
  startReplay(options: ReplayOptions): Promise<CaptureStarted>;
  pauseReplay(session: number, paused: boolean): Promise<void>;
  setReplaySpeed(session: number, speed: number): Promise<void>;
  onCaptureFrames(listener: (batch: CaptureFramesBatch) => void): Unsubscribe;
  onCaptureStats(listener: (stats: CaptureStats) => void): Unsubscribe;
  onCaptureEnded(listener: (ended: CaptureEnded) => void): Unsubscribe;
}

// ---------------------------------------------------------------------------------------------------------------
// The seam between main.ts (H6) and electron/live-capture.ts (H7).
// live-capture.ts exports `createLiveCapture(host: LiveCaptureHost): LiveCaptureHandlers`. main registers the IPC
// handlers, checks the sender and validates every argument before calling these functions, so they receive
// well-formed values only. Errors thrown become rejected promises in the renderer with the Error's message.
// ---------------------------------------------------------------------------------------------------------------

export interface LiveCaptureHost {
  /** Sends a notification to the app window's renderer (dropped when the window is gone). */
  emit<C extends 'capture.frames' | 'capture.stats' | 'capture.ended'>(channel: C, payload: EventMap[C]): void;
  /** Path of a capture the renderer opened (for replay), or null for an unknown handle. */
  pathOfHandle(handle: number): string | null;
  /** Native save dialog; resolves to the chosen path or null when cancelled. */
  showSaveDialog(defaultName: string): Promise<string | null>;
  /** Absolute path of dist/electron/capture-process.cjs (for utilityProcess.fork). */
  captureProcessPath: string;
  /** Directory for capture files being written (app.getPath('userData')/captures). */
  capturesDir: string;
}

export interface LiveCaptureHandlers {
  available(): boolean;
  listInterfaces(): Promise<CaptureInterface[]>;
  validateFilter(filter: string, device: string): Promise<FilterCheck>;
  start(options: CaptureOptions): Promise<CaptureStarted>;
  pause(session: number, paused: boolean): Promise<void>;
  stop(session: number): Promise<CaptureStats | null>;
  saveAs(session: number): Promise<string | null>;
  startReplay(options: ReplayOptions): Promise<CaptureStarted>;
  pauseReplay(session: number, paused: boolean): Promise<void>;
  setReplaySpeed(session: number, speed: number): Promise<void>;
  /** The window closed or the app quits: stop everything, keep the files. */
  dispose(): void;
}

export type CreateLiveCapture = (host: LiveCaptureHost) => LiveCaptureHandlers;
