// Hosts and conversations shared by every reconstruction, so that TCP, UDP, DNS and QUIC number them in one table.
import type { Conversation } from './model';

/** Interns printable addresses into small integer ids (the diagram's lifelines). */
export class HostTable {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();

  intern(address: string): number {
    let id = this.ids.get(address);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(address);
      this.ids.set(address, id);
    }
    return id;
  }
}

/** Formats an endpoint like the JSON contract: "ip:port", IPv6 as "[addr]:port". */
export function endpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export class ConversationTable {
  readonly list: Conversation[] = [];
  constructor(readonly hosts: HostTable) {}

  /** Opens a new conversation; `frame` is its first frame. */
  open(protocol: Conversation['protocol'], clientAddr: string, clientPort: number, serverAddr: string,
    serverPort: number, frame: number, tcpStream = -1): Conversation {
    const c: Conversation = {
      id: this.list.length, protocol,
      client: endpoint(clientAddr, clientPort), server: endpoint(serverAddr, serverPort),
      clientHost: this.hosts.intern(clientAddr), serverHost: this.hosts.intern(serverAddr),
      firstFrame: frame, lastFrame: frame, packets: 0, bytes: [0, 0], tcpStream, notes: {},
    };
    this.list.push(c);
    return c;
  }

  /** Counts one packet of `payloadBytes` in direction `dir` (0 client→server, 1 server→client). */
  count(c: Conversation, frame: number, dir: number, payloadBytes: number): void {
    c.packets++;
    c.lastFrame = frame;
    c.bytes[dir === 1 ? 1 : 0] += payloadBytes;
  }

  note(c: Conversation, what: string, n = 1): void {
    c.notes[what] = (c.notes[what] ?? 0) + n;
  }
}
