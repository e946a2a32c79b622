// Placeholder until the live-capture command lands (helper H7 replaces this file).
export async function runCapture(_argv: string[]): Promise<number> {
  process.stderr.write('packetflow capture: not available yet\n');
  return 1;
}
