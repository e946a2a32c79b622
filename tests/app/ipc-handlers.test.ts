// IPC handlers as plain functions: the sender check (our window's main frame showing our own origin), argument
// validation of every channel, and what the file handlers do with real files on disk.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createImpls, guard, isTrustedSender, registerAll, UntrustedSenderError, type HandlerDeps, type SenderEvent, type TrustPolicy } from '../../electron/ipc-handlers';
import { IpcArgumentError, VALIDATORS } from '../../electron/ipc-validate';
import { INVOKE_CHANNELS, MAX_READ_CHUNK, type InvokeChannel, type LiveCaptureHandlers } from '../../electron/ipc-contract';
import { CaptureFiles } from '../../electron/capture-files';
import { RecentFiles } from '../../electron/recent-files';
import { APP_ORIGIN } from '../../electron/security';

const policy: TrustPolicy = { windowId: () => 7, origin: APP_ORIGIN };
const good: SenderEvent = { sender: { id: 7 }, senderFrame: { url: `${APP_ORIGIN}/index.html?x=1`, parent: null } };

describe('isTrustedSender', () => {
  it('accepts the main frame of our window on our origin', () => {
    expect(isTrustedSender(good, policy)).toBe(true);
  });
  it('rejects another webContents, a subframe, a gone frame, and foreign or file origins', () => {
    expect(isTrustedSender({ ...good, sender: { id: 8 } }, policy)).toBe(false);
    expect(isTrustedSender({ ...good, senderFrame: { url: good.senderFrame!.url, parent: {} } }, policy)).toBe(false);
    expect(isTrustedSender({ ...good, senderFrame: null }, policy)).toBe(false);
    for (const url of ['https://evil.example/index.html', 'file:///tmp/index.html', 'app://other/index.html', 'not a url', 'app://packetflow.evil/x']) {
      expect(isTrustedSender({ ...good, senderFrame: { url, parent: null } }, policy), url).toBe(false);
    }
  });
  it('rejects everything when there is no window', () => {
    expect(isTrustedSender(good, { windowId: () => null, origin: APP_ORIGIN })).toBe(false);
  });
});

describe('guard', () => {
  it('never calls the implementation for an untrusted sender', async () => {
    let called = 0;
    const h = guard('file.close', policy, () => void called++);
    await expect(h({ ...good, sender: { id: 99 } }, 1)).rejects.toBeInstanceOf(UntrustedSenderError);
    expect(called).toBe(0);
  });
  it('validates arguments before the implementation runs and passes the validated values', async () => {
    const seen: unknown[][] = [];
    const h = guard('file.read', policy, (...a) => { seen.push(a); return new Uint8Array(0); });
    await expect(h(good, 1, 0)).rejects.toBeInstanceOf(IpcArgumentError);
    await expect(h(good, 1, -1, 10)).rejects.toThrow(/offset/);
    await expect(h(good, 1, 0, MAX_READ_CHUNK + 1)).rejects.toThrow(/length/);
    await expect(h(good, '1', 0, 10)).rejects.toThrow(/handle/);
    await expect(h(good, 1.5, 0, 10)).rejects.toThrow(/handle/);
    expect(seen).toEqual([]);
    await h(good, 3, 100, 10);
    expect(seen).toEqual([[3, 100, 10]]);
  });
});

describe('argument validators', () => {
  const reject = (c: InvokeChannel, args: unknown[]) => expect(() => VALIDATORS[c](args), `${c} ${JSON.stringify(args)}`).toThrow(IpcArgumentError);
  it('cover every channel of the contract', () => {
    expect(Object.keys(VALIDATORS).sort()).toEqual([...INVOKE_CHANNELS].sort());
  });
  it('reject extra arguments on argument-less channels', () => {
    for (const c of INVOKE_CHANNELS) {
      const arity = { 'file.openRecent': 1, 'file.openDropped': 1, 'file.read': 3, 'file.close': 1, 'export.save': 3,
        'settings.setTheme': 1, 'capture.validateFilter': 2, 'capture.start': 1, 'capture.pause': 2, 'capture.stop': 1,
        'capture.saveAs': 1, 'replay.start': 1, 'replay.pause': 2, 'replay.speed': 2 }[c as string] ?? 0;
      reject(c, new Array(arity + 1).fill(1));
    }
  });
  it('reject relative paths, NUL bytes and non-strings for paths', () => {
    reject('file.openRecent', ['relative/file.pcap']);
    reject('file.openRecent', ['/tmp/a\0b.pcap']);
    reject('file.openDropped', [42]);
    expect(VALIDATORS['file.openRecent'](['/tmp/x.pcap'])).toEqual(['/tmp/x.pcap']);
    expect(VALIDATORS['file.openDropped'](['C:\\captures\\x.pcapng'])).toEqual(['C:\\captures\\x.pcapng']);
  });
  it('check capture options field by field', () => {
    const ok = { device: 'lo', filter: 'tcp port 80', snaplen: 65535, promiscuous: false };
    expect(VALIDATORS['capture.start']([ok])).toEqual([ok]);
    reject('capture.start', [{ ...ok, device: '' }]);
    reject('capture.start', [{ ...ok, snaplen: 10 }]);
    reject('capture.start', [{ ...ok, promiscuous: 'yes' }]);
    reject('capture.start', [{ ...ok, extra: 1 }]);
    reject('capture.start', [null]);
    reject('capture.start', [[ok]]);
  });
  it('bound replay speeds and sessions', () => {
    expect(VALIDATORS['replay.start']([{ handle: 2, speed: 0.1 }])).toEqual([{ handle: 2, speed: 0.1 }]);
    reject('replay.start', [{ handle: 2, speed: 0 }]);
    reject('replay.speed', [1, 1000]);
    reject('replay.speed', [0, 1]);
    reject('capture.pause', [1, 1]);
  });
  it('only accept plain file names and the right data for exports', () => {
    expect(VALIDATORS['export.save'](['svg', 'diagram.svg', '<svg/>'])).toEqual(['svg', 'diagram.svg', '<svg/>']);
    reject('export.save', ['svg', '../diagram.svg', '<svg/>']);
    reject('export.save', ['svg', 'a/b.svg', '<svg/>']);
    reject('export.save', ['png', 'd.png', 'not bytes']);
    reject('export.save', ['gif', 'd.gif', '']);
    reject('settings.setTheme', ['purple']);
  });
});

describe('file handlers on real files', () => {
  let dir: string;
  let deps: HandlerDeps;
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
  const opened: string[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pf-ipc-'));
    writeFileSync(join(dir, 'a.pcap'), bytes);
    writeFileSync(join(dir, 'notes.txt'), 'hello');
    mkdirSync(join(dir, 'samples'));
    writeFileSync(join(dir, 'samples', 'b.pcapng'), bytes.subarray(0, 10));
    deps = {
      files: new CaptureFiles(), recent: new RecentFiles(null),
      info: { version: '1', platform: 'linux', electron: true, liveCapture: false },
      showOpenDialog: async () => join(dir, 'a.pcap'),
      showSaveDialog: async () => null,
      writeFile: async () => undefined,
      argvFile: () => join(dir, 'a.pcap'),
      sampleFile: () => join(dir, 'samples', 'b.pcapng'),
      setTheme: () => undefined,
      recentChanged: () => opened.push('changed'),
      live: null,
    };
  });
  afterAll(async () => {
    await deps.files.closeAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens from the dialog, reads exact byte ranges clipped to the end, and remembers the file', async () => {
    const impl = createImpls(deps);
    const r = await impl['file.openDialog']();
    expect(r?.ok).toBe(true);
    if (!r?.ok) return;
    expect(r.capture).toMatchObject({ name: 'a.pcap', size: 1000, origin: 'dialog' });
    expect(Array.from(await impl['file.read'](r.capture.handle, 10, 5))).toEqual([10, 11, 12, 13, 14]);
    expect((await impl['file.read'](r.capture.handle, 990, 100)).length).toBe(10);
    expect((await impl['file.read'](r.capture.handle, 5000, 100)).length).toBe(0);
    expect(deps.recent.has(join(dir, 'a.pcap'))).toBe(true);
    await impl['file.close'](r.capture.handle);
    await expect(impl['file.read'](r.capture.handle, 0, 1)).rejects.toThrow(/no open capture/);
  });

  it('reopens only paths from the recent list', async () => {
    const impl = createImpls(deps);
    const r = await impl['file.openRecent'](join(dir, 'notes.txt'));
    expect(r).toEqual({ ok: false, message: expect.stringMatching(/not in the recent files list/) });
  });

  it('accepts dropped files with a capture extension only, and reports missing files as messages', async () => {
    const impl = createImpls(deps);
    expect(await impl['file.openDropped'](join(dir, 'notes.txt'))).toMatchObject({ ok: false, message: expect.stringMatching(/not a capture file/) });
    expect(await impl['file.openDropped'](join(dir, 'missing.pcap'))).toMatchObject({ ok: false, message: expect.stringMatching(/no such file/) });
    expect(await impl['file.openDropped'](join(dir, 'samples'))).toMatchObject({ ok: false });
    expect(await impl['file.openDropped'](join(dir, 'a.pcap'))).toMatchObject({ ok: true, capture: { origin: 'drop' } });
  });

  it('opens the command-line file first, then the bundled sample', async () => {
    const impl = createImpls(deps);
    expect(await impl['file.openInitial']()).toMatchObject({ ok: true, capture: { name: 'a.pcap', origin: 'argv' } });
    expect(await impl['file.openInitial']()).toMatchObject({ ok: true, capture: { name: 'b.pcapng', origin: 'sample' } });
  });

  it('answers live-capture channels with a clear error when live capture is unavailable', async () => {
    const impl = createImpls(deps);
    await expect(Promise.resolve().then(() => impl['capture.listInterfaces']())).rejects.toThrow(/not available/);
    expect(impl['app.info']()).toMatchObject({ liveCapture: false });
  });

  it('hands validated arguments to the live-capture module', async () => {
    const calls: unknown[][] = [];
    const live = new Proxy({}, {
      get: (_t, name) => (...args: unknown[]) => {
        calls.push([name, ...args]);
        return name === 'available' ? true : Promise.resolve(null);
      },
    }) as LiveCaptureHandlers;
    const registered = new Map<string, (e: SenderEvent, ...a: unknown[]) => unknown>();
    const unregister = registerAll({ handle: (c, fn) => registered.set(c, fn), removeHandler: (c) => registered.delete(c) },
      policy, createImpls({ ...deps, live }));
    expect([...registered.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort());
    await registered.get('capture.start')!(good, { device: 'lo', filter: '', snaplen: 128, promiscuous: true });
    await expect(Promise.resolve(registered.get('capture.start')!(good, { device: 'lo' }))).rejects.toBeInstanceOf(IpcArgumentError);
    await registered.get('replay.speed')!(good, 4, 2.5);
    expect(calls).toContainEqual(['start', { device: 'lo', filter: '', snaplen: 128, promiscuous: true }]);
    expect(calls).toContainEqual(['setReplaySpeed', 4, 2.5]);
    unregister();
    expect(registered.size).toBe(0);
  });
});
