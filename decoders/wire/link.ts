// What a link-layer (or shim) decoder hands to the next layer: the EtherType-style key of what follows.
// Link decoders that do not use EtherTypes (null/loopback, PPP, NFLOG, raw IP, MPLS) translate their own protocol
// field into an EtherType so that one dispatch (registry.etherKindOf) picks the next layer for all of them.

/** Scratch result of one link/shim layer. Reused across packets by the decoder. */
export interface LinkResult {
  /** EtherType of the payload; NO_NEXT when nothing decodable follows. */
  etherType: number;
  /** 802.1Q/802.1ad VLAN id (vlan.ts only). */
  vlanId: number;
  /** Name of an extra layer found inside this one (e.g. 'llc' under an 802.3 length frame), or ''. */
  extraLayer: string;
}

export const NO_NEXT = -1;

export enum EtherType {
  IPV4 = 0x0800,
  ARP = 0x0806,
  VLAN = 0x8100,
  QINQ = 0x88a8,
  QINQ_OLD = 0x9100,
  IPV6 = 0x86dd,
  MPLS = 0x8847,
  MPLS_MULTICAST = 0x8848,
  TRANSPARENT_ETHERNET = 0x6558,
}

export function newLinkResult(): LinkResult {
  return { etherType: NO_NEXT, vlanId: 0, extraLayer: '' };
}

/** EtherType for an IP packet judged by its version nibble (raw IP link types, MPLS payloads). */
export function etherTypeByIpVersion(firstByte: number): number {
  const v = firstByte >> 4;
  return v === 4 ? EtherType.IPV4 : v === 6 ? EtherType.IPV6 : NO_NEXT;
}
