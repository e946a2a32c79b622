// UDP conversations by canonical 5-tuple (both directions one conversation; the first sender is the client).
import type { ConversationTable } from './conversations';
import type { Conversation } from './model';
import type { DecodedPacket } from './packet';

const DNS_PORTS = new Set([53, 5353, 5355]);
/** DNS, mDNS and LLMNR ports. */
export const isDnsPort = (port: number): boolean => DNS_PORTS.has(port);

export class UdpConversations {
  /** Both directions' keys map to the conversation and the direction that key stands for. */
  private readonly byKey = new Map<string, { c: Conversation; dir: number }>();
  /** Direction of the last looked-up packet: 0 client→server, 1 server→client. */
  lastDir = 0;

  constructor(private readonly table: ConversationTable) {}

  /** Finds or opens the conversation of a UDP packet and counts the packet in it. */
  lookup(p: DecodedPacket, frame: number, app?: string): Conversation {
    const u = p.udp!;
    const fwd = `${p.src}|${u.srcPort}|${p.dst}|${u.dstPort}`;
    let hit = this.byKey.get(fwd);
    if (!hit) {
      const c = this.table.open('udp', p.src, u.srcPort, p.dst, u.dstPort, frame);
      if (app) { c.app = app; c.title = app.toUpperCase(); }
      hit = { c, dir: 0 };
      this.byKey.set(fwd, hit);
      const rev = `${p.dst}|${u.dstPort}|${p.src}|${u.srcPort}`;
      if (rev !== fwd) this.byKey.set(rev, { c, dir: 1 });
    }
    const { c, dir } = hit;
    this.lastDir = dir;
    this.table.count(c, frame, dir, u.payloadLength);
    return c;
  }
}
