// The native menus as plain data (Electron's MenuItemConstructorOptions), built from the recent list and a few
// callbacks so the structure is testable without Electron. Shortcuts the renderer's keyboard map already handles
// are shown in the menu but not registered (registerAccelerator: false), so one key press never acts twice.
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand, RecentFile } from './ipc-contract';

export interface MenuActions {
  openDialog(): void;
  openRecent(path: string): void;
  clearRecent(): void;
  command(c: MenuCommand): void;
  isMac: boolean;
  appName: string;
  /** Unpackaged runs get the developer tools item. */
  dev: boolean;
}

export function buildMenuTemplate(recent: readonly RecentFile[], a: MenuActions): MenuItemConstructorOptions[] {
  const cmd = (c: MenuCommand) => () => a.command(c);
  const recentItems: MenuItemConstructorOptions[] = recent.length
    ? [
      ...recent.map((r, i): MenuItemConstructorOptions => ({
        label: `${i < 9 ? `&${i + 1} ` : ''}${r.name}`, toolTip: r.path, click: () => a.openRecent(r.path),
      })),
      { type: 'separator' },
      { label: 'Clear Recent', click: () => a.clearRecent() },
    ]
    : [{ label: 'No recent captures', enabled: false }];

  const template: MenuItemConstructorOptions[] = [];
  if (a.isMac) template.push({ label: a.appName, role: 'appMenu' });
  template.push(
    {
      label: '&File',
      submenu: [
        { label: '&Open Capture…', accelerator: 'CmdOrCtrl+O', registerAccelerator: false, click: () => a.openDialog() },
        { label: 'Open &Recent', submenu: recentItems },
        { label: '&Live Capture…', accelerator: 'CmdOrCtrl+L', click: cmd('live-capture') },
        { type: 'separator' },
        { label: 'Export Diagram as &SVG…', accelerator: 'CmdOrCtrl+Shift+S', click: cmd('export-svg') },
        { label: 'Export Diagram as &PNG…', accelerator: 'CmdOrCtrl+Shift+P', click: cmd('export-png') },
        { type: 'separator' },
        { label: '&Close Capture', accelerator: 'CmdOrCtrl+W', click: cmd('close-capture') },
        ...(a.isMac ? [] : [{ type: 'separator' } as MenuItemConstructorOptions, { role: 'quit' } as MenuItemConstructorOptions]),
      ],
    },
    { label: '&Edit', submenu: [{ role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }] },
    {
      label: '&View',
      submenu: [
        { label: 'Zoom &In (diagram)', accelerator: 'CmdOrCtrl+=', registerAccelerator: false, click: cmd('zoom-in') },
        { label: 'Zoom &Out (diagram)', accelerator: 'CmdOrCtrl+-', registerAccelerator: false, click: cmd('zoom-out') },
        { label: '&Fit Conversation', accelerator: 'F', registerAccelerator: false, click: cmd('fit-conversation') },
        { label: 'Follow &Cursor', accelerator: 'C', registerAccelerator: false, click: cmd('follow-cursor') },
        { type: 'separator' },
        { label: 'Interface Zoom In', role: 'zoomIn' },
        { label: 'Interface Zoom Out', role: 'zoomOut' },
        { label: 'Actual Size', role: 'resetZoom' },
        { type: 'separator' },
        {
          label: '&Theme',
          submenu: [
            { label: 'System', type: 'radio', click: cmd('theme-system') },
            { label: 'Light', type: 'radio', click: cmd('theme-light') },
            { label: 'Dark', type: 'radio', click: cmd('theme-dark') },
          ],
        },
        { label: '&Presentation Mode', accelerator: 'F5', registerAccelerator: false, click: cmd('toggle-presentation') },
        { role: 'togglefullscreen' },
        ...(a.dev ? [{ type: 'separator' } as MenuItemConstructorOptions, { role: 'toggleDevTools' } as MenuItemConstructorOptions] : []),
      ],
    },
    {
      label: '&Help',
      role: 'help',
      submenu: [
        { label: '&Keyboard Shortcuts', accelerator: 'F1', registerAccelerator: false, click: cmd('show-shortcuts') },
        { label: `&About ${a.appName}`, click: cmd('show-about') },
      ],
    },
  );
  return template;
}
