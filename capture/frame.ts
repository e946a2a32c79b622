// The one shape every frame source (file readers, live capture, replay) produces.

/** A captured frame exactly as the source delivered it; no protocol has been looked at yet. */
export interface RawFrame {
  /** Frame number, from 1 in source order (tshark's frame.number). */
  index: number;
  /** Seconds since the Unix epoch as a double: convenient, but loses sub-microsecond precision. */
  timestamp: number;
  /** Whole seconds since the Unix epoch (exact). */
  tsSec: number;
  /** Nanoseconds within the second, 0..999_999_999 (exact, whatever the file's resolution). */
  tsNsec: number;
  /** LINKTYPE_* value (tcpdump.org/linktypes) of the interface the frame was captured on. */
  linkType: number;
  /** Captured bytes. May be a view into a reader's chunk: copy it to keep it beyond the current batch. */
  bytes: Uint8Array;
  /** Length of the packet on the wire (>= bytes.length when the snaplen truncated it). */
  originalLength: number;
  /** Interface id within the file (pcapng IDB index across sections; 0 for classic pcap). */
  interface: number;
  /** Byte offset of the frame's record in the (decompressed) capture stream, for re-reading and messages. */
  fileOffset: number;
  /** pcapng opt_comment values of the packet block, if any. */
  comments?: string[];
  /**
   * Set only when the frame is not a packet but a pcapng block tshark numbers as a frame, so that the frame numbers
   * after it stay tshark's. 'custom': not a packet: a pcapng custom block, numbered as tshark numbers it;
   * 'journal': a systemd Journal Export Block; 'syscall': a Sysdig event block. A record has linkType -1 (not a
   * LINKTYPE_) and interface -1, and its bytes are the block's content (see FrameRecord): never decode it as a packet.
   */
  record?: FrameRecord;
}

/**
 * Non-packet records tshark 4.0.17 numbers (checked with hand-built files):
 * - 'custom': Custom Block 0x00000BAD / 0x40000BAD; bytes = everything after the PEN (custom data and options, with
 *   padding: tshark's frame.len), time = the previous frame's (tshark shows none).
 * - 'journal': systemd Journal Export Block 0x00000009; bytes = the entry without trailing NUL padding, time =
 *   its __REALTIME_TIMESTAMP when it has one, else the previous frame's.
 * - 'syscall': Sysdig Event Block 0x00000204, 0x00000216, 0x00000221; bytes = the event data after the fixed header,
 *   originalLength = the header's event length (tshark's frame.len), time = the event's nanosecond timestamp.
 */
export type FrameRecord = 'custom' | 'journal' | 'syscall';

/** A problem with the capture file itself or with one frame of it. Good frames are never dropped for it. */
export interface CaptureWarning {
  /** Frame number the problem concerns (the frame that would have come next for file-level damage), or null. */
  frame: number | null;
  /** Byte offset in the (decompressed) stream where the problem was found. */
  offset: number;
  message: string;
}

export interface InterfaceInfo {
  id: number;
  linkType: number;
  snaplen: number;
  name?: string;
  description?: string;
  /** Timestamp units per second (1e6 for microseconds, 1e9 for nanoseconds, 2^n for binary resolutions). */
  tsResolution: number;
  /** Bytes of frame check sequence at the end of every frame, when the file says (pcap link type bits, if_fcslen). */
  fcsLength?: number;
}

/** TLS key log lines from a pcapng Decryption Secrets Block (or a user-supplied SSLKEYLOGFILE). */
export interface DecryptionSecrets {
  /** Secrets type, e.g. 0x544c534b ('TLSK'). */
  type: number;
  /** The secrets as text (key log format for TLSK). */
  text: string;
  /** Frame number that followed the block (secrets apply to frames after it). */
  beforeFrame: number;
}

export type CaptureFormat = 'pcap' | 'pcapng';

/**
 * buf[start..end) as a frame's bytes: a view into the chunk (valid while the chunk is) or, with `copy`, a copy.
 * Views come from the constructor: V8 (Node 20) takes twice as long for subarray(). The readers' per-packet loops
 * do the same inline with `buf.buffer` read once per chunk (V8 does not inline that getter).
 */
export function frameBytes(buf: Uint8Array, start: number, end: number, copy: boolean): Uint8Array {
  return copy ? buf.slice(start, end) : new Uint8Array(buf.buffer, buf.byteOffset + start, end - start);
}
