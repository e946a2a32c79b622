// pcapng (draft-ietf-opsawg-pcapng): a sequence of blocks, each "type, total length, body, total length again".
// Sections (SHB) set the byte order and restart interface numbering; frames keep file-wide interface ids.
// A block whose lengths do not add up is reported and skipped by scanning forward for the next plausible block.
import { frameBytes, type FrameRecord, type InterfaceInfo, type RawFrame } from './frame';
import type { InterfaceStatistics, ParseContext, RecordParser } from './capture-info';
import { MICROSECONDS, NANOSECONDS, split, splitTimestamp, unitsFromTsresol, type TsUnits } from './timestamps';

export const BT_SHB = 0x0a0d0d0a;
export const BT_IDB = 0x00000001;
export const BT_PB = 0x00000002;
export const BT_SPB = 0x00000003;
export const BT_NRB = 0x00000004;
export const BT_ISB = 0x00000005;
export const BT_EPB = 0x00000006;
export const BT_JOURNAL = 0x00000009;
export const BT_DSB = 0x0000000a;
export const BT_SYSDIG_EVENT = 0x00000204;
export const BT_SYSDIG_EVENT_V2 = 0x00000216;
export const BT_SYSDIG_EVENT_V2_LARGE = 0x00000221;
export const BT_CB_COPY = 0x00000bad;
export const BT_CB_NOCOPY = 0x40000bad;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
export const SECRETS_TLS_KEYLOG = 0x544c534b;

/** Blocks larger than this are taken as a damaged length (Wireshark's own limit is of the same order). */
export const PCAPNG_MAX_BLOCK = 16 << 20;

const BLOCK_NAMES: Record<number, string> = {
  [BT_SHB]: 'Section Header', [BT_IDB]: 'Interface Description', [BT_PB]: 'Packet', [BT_SPB]: 'Simple Packet',
  [BT_NRB]: 'Name Resolution', [BT_ISB]: 'Interface Statistics', [BT_EPB]: 'Enhanced Packet',
  [BT_DSB]: 'Decryption Secrets', [BT_CB_COPY]: 'Custom', [BT_CB_NOCOPY]: 'Custom',
  [BT_JOURNAL]: 'systemd Journal Export', [BT_SYSDIG_EVENT]: 'Sysdig Event', [BT_SYSDIG_EVENT_V2]: 'Sysdig Event',
  [BT_SYSDIG_EVENT_V2_LARGE]: 'Sysdig Event',
};

/** Smallest total length Wireshark 4.0 accepts for the record blocks (a shorter one makes it stop reading the file). */
const CB_MIN = 16; // header, PEN, trailer
const JOURNAL_ENTRY_MIN = 23; // "__REALTIME_TIMESTAMP=0\n"
const SYSDIG_MIN = 36; // header, cpu id, timestamp, thread id, event length, event type, trailer
const SYSDIG_V2_MIN = 40; // ... and the parameter count
const REALTIME = Array.from('__REALTIME_TIMESTAMP=', (c) => c.charCodeAt(0));

/** Smallest valid total length of each known block type (used to judge candidates while resynchronising). */
const MIN_LENGTH: Record<number, number> = {
  [BT_SHB]: 28, [BT_IDB]: 20, [BT_PB]: 32, [BT_SPB]: 16, [BT_NRB]: 12, [BT_ISB]: 24, [BT_EPB]: 32, [BT_DSB]: 20,
  [BT_CB_COPY]: CB_MIN, [BT_CB_NOCOPY]: CB_MIN, [BT_JOURNAL]: 12 + JOURNAL_ENTRY_MIN, [BT_SYSDIG_EVENT]: SYSDIG_MIN,
  [BT_SYSDIG_EVENT_V2]: SYSDIG_V2_MIN, [BT_SYSDIG_EVENT_V2_LARGE]: SYSDIG_V2_MIN,
};

const utf8 = new TextDecoder();

/** Block types that become frames (packets, and the records tshark numbers). */
const FRAME_BLOCKS = new Set([BT_EPB, BT_SPB, BT_PB, BT_CB_COPY, BT_CB_NOCOPY, BT_JOURNAL, BT_SYSDIG_EVENT,
  BT_SYSDIG_EVENT_V2, BT_SYSDIG_EVENT_V2_LARGE]);

/** True if buf[pos..pos+4) is the Section Header Block type (the same bytes in either byte order). */
export function isPcapngStart(buf: Uint8Array, pos = 0): boolean {
  return buf[pos] === 0x0a && buf[pos + 1] === 0x0d && buf[pos + 2] === 0x0d && buf[pos + 3] === 0x0a;
}

function u32(buf: Uint8Array, i: number, le: boolean): number {
  return le
    ? (buf[i] | buf[i + 1] << 8 | buf[i + 2] << 16 | buf[i + 3] << 24) >>> 0
    : (buf[i] << 24 | buf[i + 1] << 16 | buf[i + 2] << 8 | buf[i + 3]) >>> 0;
}

function u16(buf: Uint8Array, i: number, le: boolean): number {
  return le ? buf[i] | buf[i + 1] << 8 : buf[i] << 8 | buf[i + 1];
}

/** Byte order of the SHB at pos from its byte-order magic, or null if the magic is wrong. */
function shbOrder(buf: Uint8Array, pos: number): boolean | null {
  const v = u32(buf, pos + 8, false);
  if (v === BYTE_ORDER_MAGIC) return false;
  if (v === 0x4d3c2b1a) return true;
  return null;
}

interface Iface {
  /** File-wide id (RawFrame.interface). */
  id: number;
  linkType: number;
  snaplen: number;
  units: TsUnits;
  /** if_tsoffset: seconds added to every timestamp. */
  offsetSec: number;
}

export class PcapngParser implements RecordParser {
  need = 12;
  stopped = false;
  private le = true;
  private inSection = false;
  /** Interfaces of the current section, by section-local id. */
  private ifaces: Iface[] = [];
  /** Looking for the next plausible block after damage; damageAt is the stream offset of the damaged block. */
  private scanning = false;
  private damageAt = 0;
  /** Time of the last frame (any kind), given to records that have none of their own. */
  private lastSec = 0;
  private lastNsec = 0;

  constructor(private readonly ctx: ParseContext) {}

  get greedy(): boolean {
    return this.scanning;
  }

  parse(buf: Uint8Array, pos: number, end: number, base: number, copy: boolean, out: RawFrame[]): number {
    return this.run(buf, pos, end, base, copy, out, false);
  }

  finish(buf: Uint8Array, pos: number, end: number, base: number, out: RawFrame[]): void {
    this.run(buf, pos, end, base, true, out, true);
  }

  /** With `final`, no more bytes will come: incomplete blocks are reported instead of waited for. */
  private run(buf: Uint8Array, pos: number, end: number, base: number, copy: boolean, out: RawFrame[],
    final: boolean): number {
    const ctx = this.ctx;
    const info = ctx.info;
    const chunk = buf.buffer, chunkAt = buf.byteOffset; // frame views: see frameBytes
    for (;;) {
      if (this.scanning) {
        pos = this.scan(buf, pos, end, base, final);
        if (this.scanning) return final ? end : pos;
      }
      const avail = end - pos;
      if (avail < 12) {
        if (!final) { this.need = 12; return pos; }
        if (!this.inSection) return this.fatal(`the file ends inside the Section Header Block (${avail} bytes)`);
        if (avail > 0) this.truncated(buf, pos, end, base);
        return end;
      }
      let le = this.le;
      let type: number;
      if (isPcapngStart(buf, pos)) {
        const order = shbOrder(buf, pos);
        if (order === null) {
          if (!this.inSection) return this.fatal('the Section Header Block has no valid byte-order magic');
          pos = this.damaged(pos, base, 'a Section Header Block has no valid byte-order magic');
          continue;
        }
        le = order;
        type = BT_SHB;
      } else {
        if (!this.inSection) return this.fatal('the file does not start with a Section Header Block');
        type = u32(buf, pos, le);
      }
      const len = u32(buf, pos + 4, le);
      if ((len & 3) !== 0 || len < 12 || len > PCAPNG_MAX_BLOCK) {
        if (!this.inSection) return this.fatal(`the Section Header Block has an impossible length ${len}`);
        const why = (len & 3) !== 0 ? 'is not a multiple of 4' : len < 12 ? 'is smaller than 12' : 'is too large';
        pos = this.damaged(pos, base, `the ${blockName(type)} block's length ${len} ${why}`);
        continue;
      }
      if (avail < len) {
        if (!final) { this.need = len; return pos; }
        if (!this.inSection) return this.fatal(`the file ends inside the Section Header Block (${avail} of ${len} bytes)`);
        // The block runs past the end of the input: a truncated file, or a damaged length with blocks after it.
        const next = this.findBlock(buf, pos + 1, end, true);
        if (next < 0) { this.truncated(buf, pos, end, base); return end; }
        this.damaged(pos, base, `the ${blockName(type)} block's length ${len} runs past the end of the file`);
        pos = next;
        this.resynced(next, base);
        continue;
      }
      const trailer = u32(buf, pos + len - 4, le);
      if (trailer !== len) {
        if (!this.inSection && type === BT_SHB) return this.fatal(`the Section Header Block's lengths disagree (${len} and ${trailer})`);
        pos = this.damaged(pos, base, `the ${blockName(type)} block's length ${len} differs from its trailing copy ${trailer}`);
        continue;
      }
      if (type === BT_EPB) {
        const ifid = u32(buf, pos + 8, le);
        const cap = u32(buf, pos + 20, le);
        const iface = this.ifaces[ifid];
        if (iface === undefined || cap > len - 32) {
          this.badPacket(pos, base, iface === undefined
            ? `refers to interface ${ifid}, which the section does not describe`
            : `claims ${cap} captured bytes but the block holds only ${len - 32}`);
        } else {
          splitTimestamp(u32(buf, pos + 12, le), u32(buf, pos + 16, le), iface.units);
          const start = pos + 28;
          const optStart = start + ((cap + 3) & ~3);
          const index = ++info.frames;
          const linkType = iface.linkType;
          const sec = split.sec + iface.offsetSec;
          const nsec = split.nsec;
          this.lastSec = sec;
          this.lastNsec = nsec;
          out[out.length] = { // an indexed store: see PcapParser.parse
            index,
            timestamp: sec + nsec / 1e9,
            tsSec: sec,
            tsNsec: nsec,
            linkType,
            bytes: copy ? buf.slice(start, start + cap) : new Uint8Array(chunk, chunkAt + start, cap),
            originalLength: u32(buf, pos + 24, le),
            interface: iface.id,
            fileOffset: base + pos,
            comments: optStart < pos + len - 4 ? this.comments(buf, optStart, pos + len - 4, le) : undefined,
          };
          ctx.linkType(linkType);
        }
      } else if (type === BT_SHB) {
        this.section(buf, pos, le, base);
      } else {
        this.otherBlock(type, buf, pos, len, le, base, copy, out);
      }
      pos += len;
    }
  }

  private fatal(why: string): number {
    this.ctx.info.fatal = `${this.ctx.fileName}: not a readable pcapng file: ${why}`;
    this.stopped = true;
    return 0;
  }

  private section(buf: Uint8Array, pos: number, le: boolean, base: number): void {
    const major = u16(buf, pos + 12, le);
    const minor = u16(buf, pos + 14, le);
    if (major !== 1) {
      const frame = this.ctx.info.frames + 1;
      this.ctx.warn(frame, base + pos, `the section at ${this.ctx.at(base + pos)} (before frame ${frame}) has pcapng ` +
        `version ${major}.${minor} (expected 1.0); reading it anyway`);
    }
    this.le = le;
    this.inSection = true;
    this.ifaces = [];
    this.ctx.info.format = 'pcapng';
  }

  private otherBlock(type: number, buf: Uint8Array, pos: number, len: number, le: boolean, base: number,
    copy: boolean, out: RawFrame[]): void {
    switch (type) {
      case BT_IDB: this.interfaceBlock(buf, pos, len, le); break;
      case BT_SPB: this.simplePacket(buf, pos, len, le, base, copy, out); break;
      case BT_PB: this.obsoletePacket(buf, pos, len, le, base, copy, out); break;
      case BT_NRB: this.nameResolution(buf, pos + 8, pos + len - 4, le); break;
      case BT_ISB: this.statistics(buf, pos, len, le, base); break;
      case BT_DSB: this.secrets(buf, pos, len, le, base); break;
      case BT_CB_COPY: case BT_CB_NOCOPY: this.customBlock(type, buf, pos, len, base, copy, out); break;
      case BT_JOURNAL: this.journalBlock(buf, pos, len, base, copy, out); break;
      case BT_SYSDIG_EVENT: case BT_SYSDIG_EVENT_V2: case BT_SYSDIG_EVENT_V2_LARGE:
        this.sysdigBlock(type, buf, pos, len, le, base, copy, out); break;
      default: break; // unknown blocks (tshark 4.0.17 skips them too, unnumbered)
    }
  }

  private interfaceBlock(buf: Uint8Array, pos: number, len: number, le: boolean): void {
    const info = this.ctx.info;
    const iface: Iface = {
      id: info.interfaces.length, linkType: u16(buf, pos + 8, le), snaplen: u32(buf, pos + 12, le),
      units: MICROSECONDS, offsetSec: 0,
    };
    const desc: InterfaceInfo = { id: iface.id, linkType: iface.linkType, snaplen: iface.snaplen, tsResolution: 1e6 };
    forEachOption(buf, pos + 16, pos + len - 4, le, (code, at, olen) => {
      if (code === 2) desc.name = utf8.decode(trimNul(buf, at, olen));
      else if (code === 3) desc.description = utf8.decode(trimNul(buf, at, olen));
      else if (code === 9 && olen >= 1) iface.units = unitsFromTsresol(buf[at]);
      else if (code === 14 && olen >= 8) {
        // if_tsoffset is a signed 64-bit count of seconds.
        const hi = u32(buf, le ? at + 4 : at, le) | 0;
        iface.offsetSec = hi * 4294967296 + u32(buf, le ? at : at + 4, le);
      }
    });
    desc.tsResolution = iface.units.perSecond;
    this.ifaces.push(iface);
    info.interfaces.push(desc);
  }

  private simplePacket(buf: Uint8Array, pos: number, len: number, le: boolean, base: number, copy: boolean,
    out: RawFrame[]): void {
    const iface = this.ifaces[0];
    if (iface === undefined) {
      this.badPacket(pos, base, 'is a Simple Packet Block but the section describes no interface');
      return;
    }
    const orig = u32(buf, pos + 8, le);
    // The block does not store the captured length: it is the original length cut by the snaplen and the room.
    let cap = Math.min(orig, len - 16);
    if (iface.snaplen > 0 && iface.snaplen < cap) cap = iface.snaplen;
    const start = pos + 12;
    const index = ++this.ctx.info.frames;
    this.lastSec = 0;
    this.lastNsec = 0;
    out.push({
      index, timestamp: 0, tsSec: 0, tsNsec: 0, linkType: iface.linkType,
      bytes: frameBytes(buf, start, start + cap, copy),
      originalLength: orig, interface: iface.id, fileOffset: base + pos, comments: undefined,
    });
    this.ctx.linkType(iface.linkType);
  }

  private obsoletePacket(buf: Uint8Array, pos: number, len: number, le: boolean, base: number, copy: boolean,
    out: RawFrame[]): void {
    const ifid = u16(buf, pos + 8, le);
    const cap = u32(buf, pos + 20, le);
    const iface = this.ifaces[ifid];
    if (iface === undefined || cap > len - 32) {
      this.badPacket(pos, base, iface === undefined
        ? `refers to interface ${ifid}, which the section does not describe`
        : `claims ${cap} captured bytes but the block holds only ${len - 32}`);
      return;
    }
    splitTimestamp(u32(buf, pos + 12, le), u32(buf, pos + 16, le), iface.units);
    const sec = split.sec + iface.offsetSec;
    const nsec = split.nsec;
    const start = pos + 28;
    const optStart = start + ((cap + 3) & ~3);
    const index = ++this.ctx.info.frames;
    this.lastSec = sec;
    this.lastNsec = nsec;
    out.push({
      index, timestamp: sec + nsec / 1e9, tsSec: sec, tsNsec: nsec, linkType: iface.linkType,
      bytes: frameBytes(buf, start, start + cap, copy),
      originalLength: u32(buf, pos + 24, le), interface: iface.id, fileOffset: base + pos,
      comments: optStart < pos + len - 4 ? this.comments(buf, optStart, pos + len - 4, le) : undefined,
    });
    this.ctx.linkType(iface.linkType);
  }

  /**
   * Custom Block: tshark 4.0.17 lists it as a frame ("PCAPNG Custom Block: PEN = ...") with no time, frame.len =
   * the block's length less 16 (everything after the PEN: data, options, padding). It gets the previous frame's
   * time (0 before any frame, which is also what tshark's relative times use) so that times stay monotonic.
   */
  private customBlock(type: number, buf: Uint8Array, pos: number, len: number, base: number, copy: boolean,
    out: RawFrame[]): void {
    if (len < CB_MIN) { this.badRecord(type, pos, base, len, CB_MIN); return; }
    this.record('custom', buf, pos + 12, pos + len - 4, len - CB_MIN, this.lastSec, this.lastNsec, base + pos,
      copy, out);
  }

  /**
   * systemd Journal Export Block: one journal entry in export format, NUL-padded. tshark 4.0.17 numbers it with the
   * entry's __REALTIME_TIMESTAMP (microseconds) as its time, or no time when it has none (then: the previous frame's).
   */
  private journalBlock(buf: Uint8Array, pos: number, len: number, base: number, copy: boolean, out: RawFrame[]): void {
    const start = pos + 8;
    let end = pos + len - 4;
    while (end > start && buf[end - 1] === 0) end--;
    if (end - start < JOURNAL_ENTRY_MIN) {
      this.badRecord(BT_JOURNAL, pos, base, len, 12 + JOURNAL_ENTRY_MIN, end - start);
      return;
    }
    const us = realtimeMicroseconds(buf, start, end);
    let sec = this.lastSec, nsec = this.lastNsec;
    if (us !== null) {
      splitTimestamp(Number(us >> 32n), Number(us & 0xffffffffn), MICROSECONDS);
      sec = split.sec;
      nsec = split.nsec;
    }
    this.record('journal', buf, start, end, end - start, sec, nsec, base + pos, copy, out);
  }

  /**
   * Sysdig Event Block (0x204, and 0x216 / 0x221 with a parameter count): tshark 4.0.17 numbers it with the event's
   * nanosecond timestamp, frame.len = the header's event length, frame.cap_len = the bytes after the fixed header.
   * The "with flags" variants (0x208, 0x217, 0x222) it skips like unknown blocks, and so do we.
   */
  private sysdigBlock(type: number, buf: Uint8Array, pos: number, len: number, le: boolean, base: number, copy: boolean,
    out: RawFrame[]): void {
    const min = type === BT_SYSDIG_EVENT ? SYSDIG_MIN : SYSDIG_V2_MIN;
    if (len < min) { this.badRecord(type, pos, base, len, min); return; }
    // After the 16-bit CPU id: the 64-bit timestamp at pos + 10, so its words sit at pos + 10 and pos + 14.
    const hi = u32(buf, le ? pos + 14 : pos + 10, le);
    const lo = u32(buf, le ? pos + 10 : pos + 14, le);
    splitTimestamp(hi, lo, NANOSECONDS);
    this.record('syscall', buf, pos + min - 4, pos + len - 4, u32(buf, pos + 26, le), split.sec, split.nsec, base + pos,
      copy, out);
  }

  private record(kind: FrameRecord, buf: Uint8Array, start: number, end: number, originalLength: number, sec: number,
    nsec: number, fileOffset: number, copy: boolean, out: RawFrame[]): void {
    const index = ++this.ctx.info.frames;
    this.lastSec = sec;
    this.lastNsec = nsec;
    // linkType -1 is no LINKTYPE_ value: it is not recorded in info.linkTypes.
    out.push({
      index, timestamp: sec + nsec / 1e9, tsSec: sec, tsNsec: nsec, linkType: -1,
      bytes: frameBytes(buf, start, end, copy),
      originalLength, interface: -1, fileOffset, comments: undefined, record: kind,
    });
  }

  /** A record block too short for its fixed part: reported and skipped (tshark 4.0.17 stops reading the file there). */
  private badRecord(type: number, pos: number, base: number, len: number, min: number, entry?: number): void {
    const frame = this.ctx.info.frames + 1;
    const what = entry === undefined ? `is only ${len} bytes long (at least ${min} needed)`
      : `holds a ${entry}-byte entry (at least ${JOURNAL_ENTRY_MIN} needed)`;
    this.ctx.warn(frame, base + pos, `the ${blockName(type)} block at ${this.ctx.at(base + pos)} (would be frame ` +
      `${frame}) ${what}; block skipped (tshark stops reading the file at such a block)`);
  }

  private nameResolution(buf: Uint8Array, pos: number, end: number, le: boolean): void {
    const names = this.ctx.info.names;
    while (pos + 4 <= end) {
      const type = u16(buf, pos, le);
      const vlen = u16(buf, pos + 2, le);
      const v = pos + 4;
      if (type === 0 || v + vlen > end) break;
      const addrLen = type === 1 ? 4 : type === 2 ? 16 : 0;
      if (addrLen > 0 && vlen > addrLen) {
        const address = addrLen === 4 ? Array.from(buf.subarray(v, v + 4)).join('.') : formatIPv6(buf, v);
        const list = utf8.decode(buf.subarray(v + addrLen, v + vlen)).split('\0').filter((s) => s.length > 0);
        names.push({ address, names: list });
      }
      pos = v + ((vlen + 3) & ~3);
    }
  }

  private statistics(buf: Uint8Array, pos: number, len: number, le: boolean, base: number): void {
    const ifid = u32(buf, pos + 8, le);
    const iface = this.ifaces[ifid];
    if (iface === undefined) {
      const frame = this.ctx.info.frames + 1;
      this.ctx.warn(frame, base + pos, `the Interface Statistics Block at ${this.ctx.at(base + pos)} (before frame ` +
        `${frame}) refers to interface ${ifid}, which the section does not describe; ignored`);
      return;
    }
    splitTimestamp(u32(buf, pos + 12, le), u32(buf, pos + 16, le), iface.units);
    const stats: InterfaceStatistics = { interface: iface.id, tsSec: split.sec + iface.offsetSec, tsNsec: split.nsec };
    const u64 = (at: number) => u32(buf, le ? at + 4 : at, le) * 4294967296 + u32(buf, le ? at : at + 4, le);
    forEachOption(buf, pos + 20, pos + len - 4, le, (code, at, olen) => {
      if (code === 1) (stats.comments ??= []).push(utf8.decode(buf.subarray(at, at + olen)));
      if (olen < 8) return;
      if (code === 2 || code === 3) {
        // isb_starttime / isb_endtime: two 32-bit words (high first) in the interface's units.
        splitTimestamp(u32(buf, at, le), u32(buf, at + 4, le), iface.units);
        if (code === 2) { stats.startSec = split.sec + iface.offsetSec; stats.startNsec = split.nsec; }
        else { stats.endSec = split.sec + iface.offsetSec; stats.endNsec = split.nsec; }
      } else if (code === 4) stats.ifRecv = u64(at);
      else if (code === 5) stats.ifDrop = u64(at);
      else if (code === 6) stats.filterAccept = u64(at);
      else if (code === 7) stats.osDrop = u64(at);
      else if (code === 8) stats.usrDeliv = u64(at);
    });
    this.ctx.info.statistics.push(stats);
  }

  private secrets(buf: Uint8Array, pos: number, len: number, le: boolean, base: number): void {
    const type = u32(buf, pos + 8, le);
    const slen = u32(buf, pos + 12, le);
    if (slen > len - 20) {
      const frame = this.ctx.info.frames + 1;
      this.ctx.warn(frame, base + pos, `the Decryption Secrets Block at ${this.ctx.at(base + pos)} (before frame ` +
        `${frame}) claims ${slen} bytes of secrets but holds only ${len - 20}; ignored`);
      return;
    }
    const text = utf8.decode(buf.subarray(pos + 16, pos + 16 + slen));
    this.ctx.info.secrets.push({ type, text, beforeFrame: this.ctx.info.frames + 1 });
  }

  /** opt_comment values among a packet block's options. */
  private comments(buf: Uint8Array, pos: number, end: number, le: boolean): string[] | undefined {
    let list: string[] | undefined;
    while (pos + 4 <= end) {
      const code = u16(buf, pos, le);
      const olen = u16(buf, pos + 2, le);
      if (code === 0 || pos + 4 + olen > end) break;
      if (code === 1) (list ??= []).push(utf8.decode(buf.subarray(pos + 4, pos + 4 + olen)));
      pos += 4 + ((olen + 3) & ~3);
    }
    return list;
  }

  private badPacket(pos: number, base: number, why: string): void {
    const frame = this.ctx.info.frames + 1;
    this.ctx.warn(frame, base + pos, `the packet block at ${this.ctx.at(base + pos)} (would be frame ${frame}) ${why}; ` +
      'block skipped');
  }

  /** Reports a damaged block at pos and starts scanning for the next plausible one; returns where to scan from. */
  private damaged(pos: number, base: number, why: string): number {
    const frame = this.ctx.info.frames + 1;
    this.ctx.warn(frame, base + pos, `damaged pcapng block at ${this.ctx.at(base + pos)} (before frame ${frame}): ` +
      `${why}; skipping to the next valid block`);
    this.scanning = true;
    this.damageAt = base + pos;
    return pos + 1;
  }

  private resynced(pos: number, base: number): void {
    const frame = this.ctx.info.frames + 1;
    this.ctx.warn(frame, base + pos, `resumed reading at the next valid block at ${this.ctx.at(base + pos)} ` +
      `(${base + pos - this.damageAt} bytes skipped from ${this.ctx.at(this.damageAt)}); frame ${frame} is the next frame`);
    this.scanning = false;
  }

  /** Scanning mode: consumes bytes until a plausible block starts; stays in scanning mode if none is found yet. */
  private scan(buf: Uint8Array, pos: number, end: number, base: number, final: boolean): number {
    const found = this.findBlock(buf, pos, end, final);
    if (found >= 0) { this.resynced(found, base); return found; }
    if (found === -2) return this.pendingAt; // candidate needs more bytes: keep it (and what follows) buffered
    if (final) {
      const frame = this.ctx.info.frames + 1;
      this.ctx.warn(frame, base + end, `no valid pcapng block after the damage at ${this.ctx.at(this.damageAt)}: ` +
        `the remaining ${base + end - this.damageAt} bytes were skipped (frame ${frame} and later, if any, are lost)`);
      this.scanning = false;
      return end;
    }
    // Keep the last 11 bytes: a block header may start among them.
    this.need = 12;
    return Math.max(pos, end - 11);
  }

  private pendingAt = 0;

  /**
   * Position of the first plausible block in buf[from, end): a known type, a sane length and a matching trailing
   * length. -1 if none; -2 (not final) when a candidate needs more bytes than present (pendingAt, need are set).
   */
  private findBlock(buf: Uint8Array, from: number, end: number, final: boolean): number {
    for (let i = from; i + 12 <= end; i++) {
      let le = this.le;
      let type: number;
      // Every known type has a zero third byte (LE) or second byte (BE); only the SHB magic does not.
      if ((le ? buf[i + 2] : buf[i + 1]) !== 0 && buf[i] !== 0x0a) continue;
      if (isPcapngStart(buf, i)) {
        const order = shbOrder(buf, i);
        if (order === null) continue;
        le = order;
        type = BT_SHB;
      } else {
        type = u32(buf, i, le);
        if (MIN_LENGTH[type] === undefined) continue;
      }
      const len = u32(buf, i + 4, le);
      if ((len & 3) !== 0 || len < MIN_LENGTH[type] || len > PCAPNG_MAX_BLOCK) continue;
      if (i + len > end) {
        if (final) continue;
        this.pendingAt = i;
        this.need = len;
        return -2;
      }
      if (u32(buf, i + len - 4, le) !== len) continue;
      if (!this.plausibleBody(type, buf, i, len, le)) continue;
      return i;
    }
    return -1;
  }

  private plausibleBody(type: number, buf: Uint8Array, pos: number, len: number, le: boolean): boolean {
    switch (type) {
      case BT_EPB: return u32(buf, pos + 8, le) < this.ifaces.length && u32(buf, pos + 20, le) <= len - 32;
      case BT_PB: return u16(buf, pos + 8, le) < this.ifaces.length && u32(buf, pos + 20, le) <= len - 32;
      case BT_SPB: return this.ifaces.length > 0;
      case BT_ISB: return u32(buf, pos + 8, le) < this.ifaces.length;
      case BT_DSB: return u32(buf, pos + 12, le) <= len - 20;
      default: return true;
    }
  }

  private truncated(buf: Uint8Array, pos: number, end: number, base: number): void {
    const ctx = this.ctx;
    const frame = ctx.info.frames + 1;
    const have = end - pos;
    let what = 'a block';
    if (have >= 8) {
      const type = isPcapngStart(buf, pos) ? BT_SHB : u32(buf, pos, this.le);
      what = FRAME_BLOCKS.has(type) ? `frame ${frame}` : withArticle(`${blockName(type)} block`);
      const len = u32(buf, pos + 4, this.le);
      ctx.warn(frame, base + pos, `the file ends in the middle of ${what} at ${ctx.at(base + pos)} ` +
        `(the block needs ${len} bytes, only ${have} are present); the ${ctx.info.frames} whole frames before it were read`);
      return;
    }
    ctx.warn(frame, base + pos, `the file ends in the middle of ${what} at ${ctx.at(base + pos)} (only ${have} bytes ` +
      `of a block header; frame ${frame} would be next); the ${ctx.info.frames} whole frames before it were read`);
  }
}

/**
 * The value of the first "__REALTIME_TIMESTAMP=" in the entry, as Wireshark 4.0 finds it: a C-string search (so
 * not past a NUL), then an unsigned decimal number after optional white space, any text after it. Null if none.
 * (A sign after the white space is taken as no number; strtoull would accept it. Journal entries never have one.)
 */
export function realtimeMicroseconds(buf: Uint8Array, start: number, end: number): bigint | null {
  const nul = buf.subarray(start, end).indexOf(0);
  const stop = nul < 0 ? end : start + nul;
  const n = REALTIME.length;
  outer: for (let i = start; i + n <= stop; i++) {
    for (let k = 0; k < n; k++) if (buf[i + k] !== REALTIME[k]) continue outer;
    let at = i + n;
    if (at >= end) return null;
    if (buf[at] === 0x2b || buf[at] === 0x2d) return null; // ws_strtou64 refuses a sign
    while (at < stop && (buf[at] === 0x20 || (buf[at] >= 0x09 && buf[at] <= 0x0d))) at++;
    let v = 0n;
    const first = at;
    while (at < stop && buf[at] >= 0x30 && buf[at] <= 0x39) {
      v = v * 10n + BigInt(buf[at++] - 0x30);
      if (v >= 0xffffffffffffffffn) return null; // out of range (strtoull's ERANGE), or exactly its maximum
    }
    return at === first ? null : v;
  }
  return null;
}

function withArticle(s: string): string {
  return `${/^[AEIOUaeiou]/.test(s) ? 'an' : 'a'} ${s}`;
}

function blockName(type: number): string {
  return BLOCK_NAMES[type] ?? `unknown (type 0x${type.toString(16).padStart(8, '0')})`;
}

/** Calls fn(code, valueOffset, valueLength) for each option in buf[pos, end) until opt_endofopt. */
export function forEachOption(buf: Uint8Array, pos: number, end: number, le: boolean,
  fn: (code: number, at: number, len: number) => void): void {
  while (pos + 4 <= end) {
    const code = u16(buf, pos, le);
    const olen = u16(buf, pos + 2, le);
    if (code === 0 || pos + 4 + olen > end) return;
    fn(code, pos + 4, olen);
    pos += 4 + ((olen + 3) & ~3);
  }
}

function trimNul(buf: Uint8Array, at: number, len: number): Uint8Array {
  let e = at + len;
  while (e > at && buf[e - 1] === 0) e--;
  return buf.subarray(at, e);
}

/** RFC 5952 text form of the IPv6 address at buf[at..at+16). */
export function formatIPv6(buf: Uint8Array, at: number): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(buf[at + 2 * i] << 8 | buf[at + 2 * i + 1]);
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}
