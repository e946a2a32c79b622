// Turning libpcap's terse messages ("socket: Operation not permitted") into what the user must do about them.
// Pure: the platform and the program to grant rights to are parameters.
import type { LiveErrorCode } from './types';

export class LiveCaptureError extends Error {
  constructor(readonly code: LiveErrorCode, message: string, readonly detail?: string) {
    super(message);
    this.name = 'LiveCaptureError';
  }
}

export interface ErrorContext {
  /** process.platform of the machine capturing. */
  platform: string;
  /** The executable that needs the rights (Electron's binary or node). */
  executable: string;
  device?: string;
  filter?: string;
}

/** How to obtain capture rights on this OS, as one paragraph. */
export function privilegeAdvice(ctx: ErrorContext): string {
  switch (ctx.platform) {
    case 'linux':
      return `Capturing needs the Linux capabilities cap_net_raw and cap_net_admin. Grant them to the program once: ` +
        `sudo setcap cap_net_raw,cap_net_admin+eip ${quote(ctx.executable)} ` +
        `(check with: getcap ${quote(ctx.executable)}), or start PacketFlow from a terminal with those rights ` +
        `(for example with sudo).`;
    case 'darwin':
      return 'Capturing needs read access to the /dev/bpf* devices. Install Wireshark\'s "ChmodBPF" helper (it puts ' +
        'your user in the access_bpf group), or run: sudo chmod o+r /dev/bpf* (until the next reboot).';
    case 'win32':
      return 'Capturing needs Npcap (https://npcap.com) installed with "WinPcap API-compatible mode"; if Npcap was ' +
        'installed with "Restrict Npcap driver\'s access to Administrators only", run PacketFlow as administrator.';
    default:
      return 'Capturing needs the right to open raw packet sockets (run PacketFlow with administrator rights).';
  }
}

const PERMISSION = /operation not permitted|permission denied|you don't have permission|EPERM|EACCES|not permitted/i;
const NO_DEVICE = /no such device|doesn't exist|no such file or directory|that device is not up|SIOCGIFHWADDR/i;
const VANISHED = /interface disappeared|network is down|device.*(went down|removed)|ENETDOWN|ENXIO/i;
const FILTER = /filter|syntax error|parse|unknown (host|port|protocol)|illegal|not a valid|expression/i;

/** Classifies an error raised while opening or reading a device; `stage` tells what was being done. */
export function translateCaptureError(raw: unknown, ctx: ErrorContext, stage: 'open' | 'filter' | 'read'):
  LiveCaptureError {
  if (raw instanceof LiveCaptureError) return raw;
  const text = (raw instanceof Error ? raw.message : String(raw)).trim();
  const dev = ctx.device ? `'${ctx.device}'` : 'the device';
  if (PERMISSION.test(text)) {
    return new LiveCaptureError('permission', `No permission to capture on ${dev} (${text}). ${privilegeAdvice(ctx)}`, text);
  }
  if (stage === 'read' && VANISHED.test(text)) {
    return new LiveCaptureError('device-vanished', `The device ${dev} disappeared during the capture (${text}). ` +
      'The frames captured until then are kept.', text);
  }
  if (NO_DEVICE.test(text)) {
    return new LiveCaptureError('no-device', `There is no capture device ${dev} (${text}). ` +
      'Pick one from the list of interfaces (packetflow capture --list).', text);
  }
  if (stage === 'filter' || (stage === 'open' && FILTER.test(text))) {
    return new LiveCaptureError('bad-filter', `Invalid capture filter ${JSON.stringify(ctx.filter ?? '')}: ${text}`, text);
  }
  return new LiveCaptureError(stage === 'read' ? 'source-failed' : 'internal', text, text);
}

function quote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
