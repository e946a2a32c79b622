// The pipeline from raw frames to the analysis model: wire decoding, then every stateful reconstruction, once, in
// frame order. The CLI, the app's decoding worker and the benchmark all drive this one class.
import type { DecryptionSecrets, RawFrame } from '../capture/frame';
import { PacketDecoder } from './decode';
import type { DecodedPacket } from './packet';
import { ConversationTable, HostTable } from './conversations';
import { FrameIndex, FrameProto, type AnalysisModel, type Conversation } from './model';
import { Dir, EVENT_KINDS, Timeline } from './timeline';
import { TcpAnalyzer, type TcpStreamSink } from './tcp/analyzer';
import { TlsAnalyzer } from './tls/analyzer';
import { DnsAnalyzer } from './dns/analyzer';
import { QuicAnalyzer } from './quic/analyzer';
import { UdpConversations, isDnsPort } from './udp-conversations';
import * as inspect from './inspect';
import { grown } from './columns';
import { warmUpFrames } from './warm-up';

export interface AnalyzerOptions {
  fileName: string;
  format?: 'pcap' | 'pcapng';
  compressed?: boolean;
  /** Expected number of frames, to size the per-frame columns once (finish() gives back what was not used). */
  expectedFrames?: number;
  /**
   * 'tcp': wire decoding and TCP analysis only (conversations, tcp.analysis flags, TCP events); UDP traffic is
   * counted as plain UDP conversations and no TLS, DNS or QUIC is parsed. For the benchmark's TCP-analysis row and
   * for tools that want only that. Default 'all'.
   */
  scope?: 'all' | 'tcp';
}

export class Analyzer {
  readonly model: AnalysisModel;
  readonly tcp: TcpAnalyzer;
  readonly tls: TlsAnalyzer;
  readonly dns: DnsAnalyzer;
  readonly quic: QuicAnalyzer;
  private readonly decoder = new PacketDecoder({ reassembleIp: true });
  private readonly conversations: ConversationTable;
  private readonly udp: UdpConversations;
  /** Which stream parser a TCP conversation's bytes go to (by conversation id), decided on its first data. */
  private streamRoute = new Uint8Array(0);
  private lastLinkType = -1;
  private firstSec = 0;
  private firstNsec = 0;
  private finished = false;
  private trimmed = false;
  private readonly tcpOnly: boolean;

  constructor(opts: AnalyzerOptions) {
    warmUpOnce(opts.scope);
    this.tcpOnly = opts.scope === 'tcp';
    const hosts = new HostTable();
    this.conversations = new ConversationTable(hosts);
    const timeline = new Timeline(Math.max(1024, opts.expectedFrames ?? 0)); // about an event a frame; finish() trims
    this.model = {
      fileName: opts.fileName, format: opts.format ?? 'pcap', compressed: opts.compressed ?? false,
      interfaces: [], linkTypes: [], warnings: [], secrets: [],
      frames: new FrameIndex(opts.expectedFrames ?? 4096), hosts: hosts.names, hostNames: new Map(),
      conversations: this.conversations.list, timeline,
    };
    timeline.attachFrames(this.model.frames);
    const ctx = { timeline, conversations: this.conversations };
    this.tls = new TlsAnalyzer(ctx);
    this.dns = new DnsAnalyzer(ctx);
    this.quic = new QuicAnalyzer(ctx);
    this.udp = new UdpConversations(this.conversations);
    const sink: TcpStreamSink = {
      onData: (conv, dir, data, frame, time) => this.route(conv) === 'dns'
        ? this.dns.onTcpData(conv, dir, data, frame, time)
        : this.tls.onData(conv, dir, data, frame, time),
      onGap: (conv, dir, length, frame) => {
        if (this.route(conv) === 'dns') this.dns.onTcpGap(conv, dir, length, frame);
        else this.tls.onGap(conv, dir, length, frame);
      },
    };
    this.tcp = new TcpAnalyzer({ ...ctx, sink: this.tcpOnly ? undefined : sink });
  }

  /** TLS key log text (pcapng Decryption Secrets Block or a user's SSLKEYLOGFILE). */
  addSecrets(s: DecryptionSecrets): void {
    this.model.secrets.push(s);
    if (s.type === 0x544c534b) this.tls.loadKeyLog(s.text);
  }

  /** Feeds frames in capture order. Frame bytes need only be valid during the call. */
  push(frames: readonly RawFrame[]): void {
    for (let i = 0; i < frames.length; i++) this.onFrame(frames[i]);
  }

  /** End of input: reconstructions flush what they were waiting for (unanswered DNS queries, final TCP states).
   *  The model is then complete; trim() makes it smaller. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.tcp.finish();
    this.tls.finish();
    this.dns.finish();
    this.quic.finish();
    for (const [address, name] of this.dns.hostNames()) this.model.hostNames.set(address, name);
  }

  /**
   * Gives back the memory a finished analysis no longer needs: the columns' spare capacity (they were sized from
   * a guess), the TCP conversations' live state (kept as columns instead) and the UDP pair index. Nothing it answers changes. Call it
   * when the model is kept (the app does, once the results are shown); a one-shot run such as `packetflow
   * analyze` needs not: it costs ~75 ms on 1M packets, mostly copying the columns into fresh memory.
   */
  trim(): void {
    this.finish();
    if (this.trimmed) return;
    this.trimmed = true;
    this.tcp.trim();
    this.udp.trim();
    this.model.frames.compact();
    this.model.timeline.compact();
    this.conversations.compact();
  }

  /** Bytes the conversation table keeps (columns, objects, list slots), for the memory benchmark. */
  conversationBytes(): number {
    return this.conversations.retainedBytes();
  }

  /** The arrow label and colour category of a frame (its bytes are needed: they are not kept). */
  summarizeFrame(frame: RawFrame): inspect.FrameSummary {
    return inspect.summarizeFrame(this, frame);
  }

  /** The decoded layers of a frame as a tree with Wireshark's field names and byte ranges. */
  describeFrame(frame: RawFrame): inspect.LayerNode[] {
    return inspect.describeFrame(frame);
  }

  /** A plain-words explanation of a timeline event. */
  explainEvent(eventId: number): string {
    return inspect.explainEvent(this, eventId);
  }

  /** TCP endpoint states, windows and bytes in flight of a conversation as of a frame. */
  tcpStateAt(conversationId: number, frame: number): inspect.TcpMoment | null {
    return inspect.tcpStateAt(this, conversationId, frame);
  }

  private onFrame(frame: RawFrame): void {
    const f = this.model.frames;
    const row = f.add();
    if (row === 0) {
      this.firstSec = frame.tsSec;
      this.firstNsec = frame.tsNsec;
      f.firstSec = frame.tsSec;
      f.firstNsec = frame.tsNsec;
    }
    const time = (frame.tsSec - this.firstSec) + (frame.tsNsec - this.firstNsec) / 1e9;
    f.time[row] = time;
    if (frame.record) {
      // A pcapng record that is not a packet (custom block, journal entry): numbered like tshark, nothing to decode.
      f.setPacket(row, frame.fileOffset, frame.bytes.length, frame.originalLength, -1, Dir.NONE, -1, -1, 0, 0);
      f.proto[row] = FrameProto.OTHER;
      this.model.timeline.seal();
      return;
    }
    if (frame.linkType !== this.lastLinkType) {
      if (this.model.linkTypes.indexOf(frame.linkType) < 0) this.model.linkTypes.push(frame.linkType);
      this.lastLinkType = frame.linkType;
    }

    const p = this.decoder.decode(frame);
    const timeline = this.model.timeline;
    const eventsBefore = timeline.count;
    let conv = -1, dir: number = Dir.NONE, proto: number = FrameProto.OTHER;
    const srcHost = this.hostOf(p, 0), dstHost = this.hostOf(p, 1);
    let srcPort = 0, dstPort = 0;
    if (!p.decoded) {
      proto = FrameProto.UNDECODED;
    } else if (p.tcp) {
      proto = FrameProto.TCP;
      srcPort = p.tcp.srcPort;
      dstPort = p.tcp.dstPort;
      conv = this.tcp.onPacket(p, time, srcHost, dstHost);
      dir = this.tcp.lastDir;
      f.tcpFlags[row] = this.tcp.lastFlags;
      f.bytesInFlight[row] = this.tcp.lastBytesInFlight;
    } else if (p.udp) {
      srcPort = p.udp.srcPort;
      dstPort = p.udp.dstPort;
      conv = this.onUdp(p, frame, time, srcHost, dstHost);
      dir = this.udpDir;
      proto = this.udpProto;
    } else if (p.icmp) {
      proto = FrameProto.ICMP;
      // tshark gives a TCP header quoted in an ICMP error a stream of its own: number it the same way.
      if (p.icmp.quoted?.protocol === 6) this.tcp.onIcmpError(p);
      timeline.push('icmp.message', frame.index, -1, Dir.NONE, p.icmp.type, p.icmp.code);
    } else if (p.ipProtocol === 6 && !p.fragment) {
      // A TCP header too damaged to decode still counts in tshark's streams and analysis.
      conv = this.tcp.onUndecodedTcp(p, time, srcHost, dstHost);
      if (conv >= 0) {
        proto = FrameProto.TCP;
        dir = this.tcp.lastDir;
        f.tcpFlags[row] = this.tcp.lastFlags;
      }
    } else if (p.layers.includes('arp')) {
      proto = FrameProto.ARP;
    }
    // A frame that completed a TLS message is drawn as TLS.
    if (timeline.count !== eventsBefore) {
      const kinds = timeline.kind;
      for (let e = eventsBefore; e < timeline.count; e++) {
        const k = KIND_CLASS[kinds[e]];
        if (k === 1) { proto = FrameProto.TLS; break; }
        if (k === 2) proto = FrameProto.DNS;
      }
    }
    f.setPacket(row, frame.fileOffset, frame.bytes.length, frame.originalLength, conv, dir, srcHost, dstHost, srcPort, dstPort);
    f.proto[row] = proto;
    if (timeline.count !== eventsBefore) timeline.seal();
  }

  /** HostTable id of the packet's source (side 0) or destination (1), -1 without one. From the address's bits when
   *  the decoder has them: the text (formatted when read) is needed only for a new host. */
  private hostOf(p: DecodedPacket, side: 0 | 1): number {
    const d = this.decoder, hosts = this.conversations.hosts;
    if (d.v4) {
      const key = side === 0 ? d.srcV4 : d.dstV4, id = hosts.idOfV4(key);
      return id >= 0 ? id : hosts.internV4(key, side === 0 ? p.src : p.dst);
    }
    if (d.v6) {
      const words = side === 0 ? d.srcV6 : d.dstV6, id = hosts.idOfV6(words);
      return id >= 0 ? id : hosts.internV6(words, side === 0 ? p.src : p.dst);
    }
    const text = side === 0 ? p.src : p.dst;
    return text ? hosts.intern(text) : -1;
  }

  /** Direction and FrameProto of the last onUdp() (fields rather than a result object: no allocation per packet). */
  private udpDir = 0;
  private udpProto = 0;

  private onUdp(p: DecodedPacket, frame: RawFrame, time: number, srcHost: number, dstHost: number): number {
    const udp = p.udp!;
    // the TCP-only scope counts every datagram as plain UDP
    if (!this.tcpOnly && (isDnsPort(udp.srcPort) || isDnsPort(udp.dstPort))) {
      const c = this.udp.lookup(p, frame.index, 'dns', srcHost, dstHost);
      const dir = this.udp.lastDir;
      this.dns.onUdp(p, c, dir as 0 | 1, time);
      this.udpDir = dir;
      this.udpProto = FrameProto.DNS;
      return c.id;
    }
    if (!this.tcpOnly && !p.fragment) {
      const q = this.quic.onUdp(p, time, srcHost, dstHost);
      if (q >= 0) {
        this.conversations.count(this.conversations.list[q], frame.index, this.quic.lastDir, udp.payloadLength);
        this.udpDir = this.quic.lastDir;
        this.udpProto = FrameProto.QUIC;
        return q;
      }
    }
    const c = this.udp.lookup(p, frame.index, undefined, srcHost, dstHost);
    this.udpDir = this.udp.lastDir;
    this.udpProto = FrameProto.UDP;
    return c.id;
  }

  private route(conv: Conversation): 'dns' | 'tls' {
    const id = conv.id;
    this.streamRoute = grown(this.streamRoute, id + 1);
    let r = this.streamRoute[id];
    if (r === 0) {
      r = isDnsPort(conv.serverPort) || isDnsPort(conv.clientPort) ? ROUTE_DNS : ROUTE_TLS;
      this.streamRoute[id] = r;
      if (r === ROUTE_DNS) conv.app ??= 'dns';
    }
    return r === ROUTE_DNS ? 'dns' : 'tls';
  }
}

let warmedUp = false;
const WARM_UP_PASSES = 2;

/**
 * Before a process's first Analyzer: runs the warm-up frames (decoders/warm-up.ts) through a throwaway one, so that
 * the JIT compiles the per-packet code with feedback from every rare branch instead of recompiling it each time a
 * real capture first takes one. 10–15 ms, most of it compiling code that the capture would need anyway; the
 * throwaway's results are dropped.
 */
function warmUpOnce(scope: AnalyzerOptions['scope']): void {
  if (warmedUp) return;
  warmedUp = true;
  // V8 gives a function its feedback vector only after its first few calls (lazy feedback allocation): what the
  // first pass runs early would leave no feedback, so a second pass follows.
  try {
    const frames = warmUpFrames();
    for (let pass = 0; pass < WARM_UP_PASSES; pass++) {
      const a = new Analyzer({ fileName: '(warm-up)', scope });
      a.push(frames);
      a.trim();
    }
  } catch {
    // it only tunes speed: a failure here must not stop the real analysis (tests/decoders/warm-up.test.ts runs it)
  }
}

/** A guess at a capture's frame count from its size (600 bytes a record is typical of mixed traffic), for
 *  AnalyzerOptions.expectedFrames: a wrong guess only costs one more growth of the columns, or room given back. */
export function expectedFramesForBytes(fileBytes: number): number {
  return Math.max(4096, Math.round(fileBytes / 600));
}

const ROUTE_DNS = 1, ROUTE_TLS = 2;
/** Event code -> 1 for TLS kinds, 2 for DNS kinds (what a frame is drawn as). */
const KIND_CLASS = Uint8Array.from(EVENT_KINDS, (k) => (k.startsWith('tls.') ? 1 : k.startsWith('dns.') ? 2 : 0));
