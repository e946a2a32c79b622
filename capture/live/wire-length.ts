// The length a packet had on the wire when the capture library cut it and did not say (cap 0.2.1 reports only the
// bytes it copied): recovered from the IPv4/IPv6 header. Pure.

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_LINUX_SLL = 113;

/** Original length of a frame whose captured bytes may be cut, or `captured.length` when nothing says otherwise. */
export function wireLength(captured: Uint8Array, linkType: number): number {
  let ip = -1;
  if (linkType === LINKTYPE_ETHERNET && captured.length >= 14) {
    let type = (captured[12] << 8) | captured[13];
    ip = 14;
    while ((type === 0x8100 || type === 0x88a8) && captured.length >= ip + 4) { // VLAN tags
      type = (captured[ip + 2] << 8) | captured[ip + 3];
      ip += 4;
    }
    if (type !== 0x0800 && type !== 0x86dd) ip = -1;
  } else if (linkType === LINKTYPE_LINUX_SLL && captured.length >= 16) {
    const type = (captured[14] << 8) | captured[15];
    ip = type === 0x0800 || type === 0x86dd ? 16 : -1;
  } else if (linkType === LINKTYPE_RAW) {
    ip = 0;
  }
  if (ip < 0 || captured.length < ip + 8) return captured.length;
  const version = captured[ip] >> 4;
  let total = -1;
  if (version === 4) total = (captured[ip + 2] << 8) | captured[ip + 3];
  else if (version === 6) total = 40 + ((captured[ip + 4] << 8) | captured[ip + 5]);
  // Only ever lengthen: a short IP length means padding, which was captured and is part of the frame.
  return total > 0 && ip + total > captured.length ? ip + total : captured.length;
}
