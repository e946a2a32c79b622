// The `packetflow` command: analyze (headless analysis) and capture (headless live capture).
import { runAnalyze } from './analyze';

const USAGE = `usage:
  packetflow analyze FILE [--json] [--keylog SSLKEYLOGFILE]   decode a pcap/pcapng (optionally gzip) capture
  packetflow capture -i IFACE [-f FILTER] [-c COUNT] [-w FILE.pcapng] [-s SNAPLEN]   capture live traffic
  packetflow capture --list                                      list capture interfaces
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'analyze':
      return runAnalyze(rest);
    case 'capture': {
      const { runCapture } = await import('./capture');
      return runCapture(rest);
    }
    case '--version':
      process.stdout.write('packetflow 0.1.0\n');
      return 0;
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command ? 0 : 2;
    default:
      process.stderr.write(`packetflow: unknown command '${command}'\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (e: unknown) => {
  process.stderr.write(`packetflow: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
