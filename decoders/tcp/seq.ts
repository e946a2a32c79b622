// 32-bit sequence-number arithmetic with wrap-around, as tshark's GT_SEQ/LT_SEQ/LE_SEQ macros (RFC 9293 §3.4):
// the signed 32-bit difference decides, so 0x00000005 is "after" 0xfffffff0.

/** a + b modulo 2^32. */
export const add32 = (a: number, b: number): number => (a + b) >>> 0;
/** a - b modulo 2^32 (the distance from b forward to a). */
export const sub32 = (a: number, b: number): number => (a - b) >>> 0;
/** a is after b. */
export const gtSeq = (a: number, b: number): boolean => ((b - a) | 0) < 0;
/** a is before b. */
export const ltSeq = (a: number, b: number): boolean => ((a - b) | 0) < 0;
/** a is before or equal to b. */
export const leSeq = (a: number, b: number): boolean => ((a - b) | 0) <= 0;
/** a is after or equal to b. */
export const geSeq = (a: number, b: number): boolean => ((a - b) | 0) >= 0;
/** Signed distance from b to a (negative when a is before b). */
export const diffSeq = (a: number, b: number): number => (a - b) | 0;
