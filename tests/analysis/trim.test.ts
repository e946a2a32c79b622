// Analyzer.trim() only gives memory back: everything the report, the panels and the explanations read is the same
// before and after it, for every bundled sample.
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readCaptureFileSync } from '../../capture/node-file-source';
import { Analyzer } from '../../decoders/analyzer';
import { toAnalysisJson } from '../../decoders/to-json';
import { repoRoot } from '../support/require';

const samples = join(repoRoot, 'assets/samples');

/** Everything a reader of the model sees: the JSON report, each TCP conversation's details, every event's text
 *  and each conversation's TCP state at every frame. */
function answers(an: Analyzer, name: string, frames: number) {
  const conversations = an.model.conversations.map((c) => ({
    details: an.tcp.details(c.id) ?? null,
    states: Array.from({ length: frames }, (_, i) => an.tcpStateAt(c.id, i + 1)),
  }));
  const events = Array.from({ length: an.model.timeline.count }, (_, i) => an.explainEvent(i));
  const report = toAnalysisJson(name, { format: 'pcapng', compressed: false, frames, linkTypes: [1], warnings: [] }, an);
  return JSON.stringify({ report, conversations, events });
}

describe('Analyzer.trim()', () => {
  for (const name of readdirSync(samples).filter((f) => f.endsWith('.pcapng'))) {
    it(`${name}: answers the same after trim(), from less memory`, () => {
      const an = new Analyzer({ fileName: name, expectedFrames: 100_000 });
      const info = readCaptureFileSync(join(samples, name), (frames) => an.push(frames));
      an.finish();
      const before = answers(an, name, info.frames);
      const bytes = an.model.frames.retainedBytes() + an.model.timeline.retainedBytes() + an.conversationBytes();
      an.trim();
      expect(answers(an, name, info.frames)).toBe(before);
      expect(an.model.frames.retainedBytes() + an.model.timeline.retainedBytes() + an.conversationBytes())
        .toBeLessThan(bytes);
    });
  }
});
