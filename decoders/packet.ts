// The decoded view of one frame that stateful reconstructions (TCP, TLS, DNS, QUIC) consume.
// Produced by decodePacket() in decoders/decode.ts; every field is a plain value or a view over the frame's bytes.
import type { RawFrame } from '../capture/frame';

/** A layer that could not be decoded completely. The packet is kept; this says where and why it stopped. */
export interface LayerIssue {
  layer: string;
  /** Byte offset within the frame. */
  offset: number;
  reason: string;
  /** True when the bytes simply ended (snaplen or a cut-off capture) rather than being malformed. */
  truncated: boolean;
}

export enum TcpFlag {
  FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20, ECE = 0x40, CWR = 0x80, AE = 0x100,
}

export interface TcpOptions {
  mss?: number;
  /** Window scale shift count as sent (tshark shows shifts > 14 as 14 in use). */
  windowScale?: number;
  sackPermitted: boolean;
  /** SACK blocks as [left0, right0, left1, right1, ...] raw 32-bit sequence numbers. */
  sack?: number[];
  tsVal?: number;
  tsEcr?: number;
  /** TCP Fast Open cookie present (kind 34). */
  fastOpen?: boolean;
}

export interface TcpSegment {
  srcPort: number;
  dstPort: number;
  /** Raw 32-bit sequence number (unsigned). */
  seq: number;
  /** Raw 32-bit acknowledgement number (unsigned). */
  ack: number;
  /** TcpFlag bits. */
  flags: number;
  /** Raw window field (not scaled). */
  window: number;
  headerLength: number;
  /** Payload length on the wire, from the IP length (tshark's tcp.len), even if the capture cut it short. */
  payloadLength: number;
  options: TcpOptions;
  /** Offset of the TCP header within the frame bytes. */
  offset: number;
}

export interface UdpDatagram {
  srcPort: number;
  dstPort: number;
  /** Payload length from the UDP length field. */
  payloadLength: number;
  offset: number;
}

export interface IcmpMessage {
  version: 4 | 6;
  type: number;
  code: number;
  offset: number;
  /** For error messages: the quoted packet's addresses/ports (never part of a conversation). */
  quoted?: { src: string; dst: string; protocol: number; srcPort?: number; dstPort?: number };
}

export interface DecodedPacket {
  frame: RawFrame;
  /** False when the link type is unknown: the frame is counted and kept, nothing more. */
  decoded: boolean;
  /** Names of the layers decoded, outermost first, e.g. ['eth', 'vlan', 'ipv4', 'tcp'] (tshark's frame.protocols style). */
  layers: string[];
  vlanIds?: number[];
  /** 0 when there is no IP layer. */
  ipVersion: 0 | 4 | 6;
  /** Printable addresses of the innermost IP header (IPv6 in RFC 5952 form); '' when absent. */
  src: string;
  dst: string;
  /** Transport protocol number after IPv6 extension headers; -1 when absent. */
  ipProtocol: number;
  ttl: number;
  /** IP fragment that is not (yet) reassembled: the transport layer is not decoded for it. */
  fragment: boolean;
  /** This frame completed an IP reassembly: the transport views refer to `payloadBytes`, not frame.bytes. */
  reassembled: boolean;
  tcp?: TcpSegment;
  udp?: UdpDatagram;
  icmp?: IcmpMessage;
  /**
   * Bytes the transport layer offsets refer to: frame.bytes normally, the reassembled datagram after IP reassembly.
   */
  payloadBytes: Uint8Array;
  /** Start and end (exclusive) of the transport payload within payloadBytes (captured part only). */
  payloadStart: number;
  payloadEnd: number;
  issues: LayerIssue[];
}
