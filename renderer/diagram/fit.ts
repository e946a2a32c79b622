/** Cuts a label to about `maxW` pixels (average glyph width `charW`), with an ellipsis. */
export function fit(label: string, maxW: number, charW: number): string {
  const max = Math.max(4, Math.floor(maxW / charW));
  return label.length <= max ? label : `${label.slice(0, max - 1)}…`;
}
