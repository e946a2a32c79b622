// The sandboxed preload: exposes window.packetflow with one typed function per operation of the IPC contract.
// Never a generic invoke/send; listeners receive only the payload, never the IpcRendererEvent.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type {
  EventChannel, EventMap, InvokeArgs, InvokeChannel, InvokeResult, PacketflowApi, Unsubscribe,
} from './ipc-contract';

const call = <C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<InvokeResult<C>> =>
  ipcRenderer.invoke(channel, ...args) as Promise<InvokeResult<C>>;

function on<C extends EventChannel>(channel: C, listener: (payload: EventMap[C]) => void): Unsubscribe {
  const wrapped = (_event: unknown, payload: EventMap[C]) => listener(payload);
  ipcRenderer.on(channel, wrapped);
  return () => {
    ipcRenderer.removeListener(channel, wrapped);
  };
}

const api: PacketflowApi = {
  appInfo: () => call('app.info'),
  openFileDialog: () => call('file.openDialog'),
  openRecent: (path) => call('file.openRecent', path),
  openDroppedFile: (file) => call('file.openDropped', webUtils.getPathForFile(file)),
  openInitial: () => call('file.openInitial'),
  readCapture: (handle, offset, length) => call('file.read', handle, offset, length),
  closeCapture: (handle) => call('file.close', handle),
  listRecent: () => call('file.listRecent'),
  clearRecent: () => call('file.clearRecent'),
  saveExport: (kind, name, data) => call('export.save', kind, name, data),
  setTheme: (theme) => call('settings.setTheme', theme),
  onMenuCommand: (listener) => on('menu.command', listener),
  onFileOpened: (listener) => on('file.opened', listener),

  listInterfaces: () => call('capture.listInterfaces'),
  validateFilter: (filter, device) => call('capture.validateFilter', filter, device),
  startCapture: (options) => call('capture.start', options),
  pauseCapture: (session, paused) => call('capture.pause', session, paused),
  stopCapture: (session) => call('capture.stop', session),
  saveCaptureAs: (session) => call('capture.saveAs', session),
  startReplay: (options) => call('replay.start', options),
  pauseReplay: (session, paused) => call('replay.pause', session, paused),
  setReplaySpeed: (session, speed) => call('replay.speed', session, speed),
  onCaptureFrames: (listener) => on('capture.frames', listener),
  onCaptureStats: (listener) => on('capture.stats', listener),
  onCaptureEnded: (listener) => on('capture.ended', listener),
};

contextBridge.exposeInMainWorld('packetflow', api);
