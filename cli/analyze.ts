// `packetflow analyze FILE [--json] [--keylog FILE]`: read a capture, run every decoder and reconstruction, and
// print the model as JSON (the contract in README) or as a short human summary.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { captureFileSize, readCaptureFileSync } from '../capture/node-file-source';
import type { CaptureReaderInfo } from '../capture/reader';
import { Analyzer, expectedFramesForBytes } from '../decoders/analyzer';
import { toAnalysisJson } from '../decoders/to-json';
import { summarize } from './summary';

export function runAnalyze(argv: string[]): number {
  const json = argv.includes('--json');
  const keylogAt = argv.indexOf('--keylog');
  const keylog = keylogAt >= 0 ? argv[keylogAt + 1] : undefined;
  const file = argv.find((a, i) => !a.startsWith('--') && argv[i - 1] !== '--keylog');
  if (!file) {
    process.stderr.write('usage: packetflow analyze FILE [--json] [--keylog SSLKEYLOGFILE]\n');
    return 2;
  }
  const name = basename(file);
  let size = 0;
  try { size = captureFileSize(file); } catch { /* the reader reports a missing file */ }
  const analyzer = new Analyzer({ fileName: name, expectedFrames: expectedFramesForBytes(size) });
  if (keylog) {
    let text: string;
    try {
      text = readFileSync(keylog, 'utf8');
    } catch (e) {
      process.stderr.write(`packetflow: cannot read key log ${keylog}: ${(e as Error).message}\n`);
      return 1;
    }
    analyzer.addSecrets({ type: 0x544c534b, text, beforeFrame: 1 });
  }
  let secretsSeen = 0;
  const info = readCaptureFileSync(file, (frames, progress: CaptureReaderInfo) => {
    // Secrets read from the file so far apply to the frames that follow them.
    while (secretsSeen < progress.secrets.length) analyzer.addSecrets(progress.secrets[secretsSeen++]);
    analyzer.push(frames);
  });
  while (secretsSeen < info.secrets.length) analyzer.addSecrets(info.secrets[secretsSeen++]);
  if (info.fatal) {
    process.stderr.write(`packetflow: ${info.fatal}\n`);
    return 1;
  }
  analyzer.finish();
  const doc = toAnalysisJson(name, {
    format: info.format ?? 'pcap', compressed: info.compressed, frames: info.frames,
    linkTypes: info.linkTypes, warnings: info.warnings,
  }, analyzer);
  process.stdout.write(json ? `${JSON.stringify(doc, null, 1)}\n` : summarize(doc, analyzer));
  return 0;
}
