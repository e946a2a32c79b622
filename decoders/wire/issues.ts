// Shared helpers for flagging a layer that could not be decoded completely. Never throws.
import type { LayerIssue } from '../packet';

/** Appends one LayerIssue. Only malformed or cut-off packets get here, so the allocation is off the hot path. */
export function addIssue(issues: LayerIssue[], layer: string, offset: number, reason: string, truncated: boolean): void {
  issues.push({ layer, offset, reason, truncated });
}
