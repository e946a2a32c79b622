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
}

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
