// What a capture reader learns about a file besides its frames, and the shared bookkeeping the format parsers use.
import type { CaptureFormat, CaptureWarning, DecryptionSecrets, InterfaceInfo, RawFrame } from './frame';

/** Values of one pcapng Interface Statistics Block (counters the capturing tool recorded). */
export interface InterfaceStatistics {
  /** Interface id within the file (same numbering as RawFrame.interface). */
  interface: number;
  /** Time the statistics were taken. */
  tsSec: number;
  tsNsec: number;
  startSec?: number;
  startNsec?: number;
  endSec?: number;
  endNsec?: number;
  /** isb_ifrecv: packets received by the interface. */
  ifRecv?: number;
  /** isb_ifdrop: packets dropped by the interface (no buffer). */
  ifDrop?: number;
  /** isb_filteraccept: packets accepted by the capture filter. */
  filterAccept?: number;
  /** isb_osdrop: packets dropped by the operating system. */
  osDrop?: number;
  /** isb_usrdeliv: packets delivered to the user. */
  usrDeliv?: number;
  comments?: string[];
}

/** One record of a pcapng Name Resolution Block. */
export interface ResolvedName {
  address: string;
  names: string[];
}

export interface CaptureReaderInfo {
  /** Detected format (inside the gzip layer, if any); null until known or when the input is not a capture. */
  format: CaptureFormat | null;
  /** The input was gzip-compressed. */
  compressed: boolean;
  /** Every interface described by the file, by RawFrame.interface id (classic pcap: one, id 0). */
  interfaces: InterfaceInfo[];
  /** Distinct LINKTYPE_ values of the packets seen, in order of first appearance (records have none). */
  linkTypes: number[];
  warnings: CaptureWarning[];
  secrets: DecryptionSecrets[];
  /**
   * Frames read so far, numbered as tshark numbers them: packets plus the pcapng records tshark lists as frames
   * (RawFrame.record: custom, journal and Sysdig blocks). capinfos' packet count leaves the records out.
   */
  frames: number;
  /** Set when the input cannot be read as a capture at all (not a capture, unreadable header, cannot open). */
  fatal: string | null;
  /** pcapng Interface Statistics Blocks, in file order. */
  statistics: InterfaceStatistics[];
  /** pcapng Name Resolution Block records, in file order. */
  names: ResolvedName[];
}

export function emptyInfo(): CaptureReaderInfo {
  return {
    format: null, compressed: false, interfaces: [], linkTypes: [], warnings: [], secrets: [], frames: 0, fatal: null,
    statistics: [], names: [],
  };
}

/** Shared state the format parsers write into. */
export class ParseContext {
  /** Appended to offsets in messages when the offsets are in decompressed data. */
  offsetNote = '';
  private lastLinkType = -1;

  constructor(readonly fileName: string, readonly info: CaptureReaderInfo) {}

  warn(frame: number | null, offset: number, message: string): void {
    this.info.warnings.push({ frame, offset, message: `${this.fileName}: ${message}` });
  }

  /** "byte offset N" plus, for compressed input, that it counts decompressed bytes. */
  at(offset: number): string {
    return `byte offset ${offset}${this.offsetNote}`;
  }

  /** Records a frame's link type (cheap when it repeats, which is nearly always). */
  linkType(lt: number): void {
    if (lt === this.lastLinkType) return;
    this.lastLinkType = lt;
    if (!this.info.linkTypes.includes(lt)) this.info.linkTypes.push(lt);
  }
}

/**
 * A format parser over a byte stream delivered in pieces. parse() consumes whole records only; when it stops early,
 * `need` says how many bytes from the returned position it must see to make progress (always more than it had).
 */
export interface RecordParser {
  need: number;
  /** True while the parser is searching through damaged bytes: it then wants big pieces, not one record's worth. */
  readonly greedy?: boolean;
  /** Set when the rest of the stream cannot be read (the reader ignores further input). */
  stopped: boolean;
  /**
   * Parses records in buf[pos, end) whose first byte is at stream offset base + pos. Frames go to `out`; with
   * `copy`, frame bytes are copied out of buf (which is about to be reused) instead of viewed.
   */
  parse(buf: Uint8Array, pos: number, end: number, base: number, copy: boolean, out: RawFrame[]): number;
  /** The stream ended with buf[pos, end) unconsumed (possibly empty): report or salvage it. */
  finish(buf: Uint8Array, pos: number, end: number, base: number, out: RawFrame[]): void;
}
