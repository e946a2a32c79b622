// Entry of the capture host process. In the app, main starts it with utilityProcess.fork() so libpcap runs outside
// the main process's event loop (and a crash of cap, e.g. when a device disappears, cannot take the app down); it
// talks over process.parentPort. Started with child_process.fork() (tests, tools) it talks over Node's IPC channel.
import { detectHostPort, runCaptureHost } from '../capture/live/host';

const port = detectHostPort();
if (!port) {
  process.stderr.write('capture-process: no parent channel (start it with utilityProcess.fork or child_process.fork)\n');
  process.exit(2);
}
runCaptureHost(port, { application: 'PacketFlow (desktop app)' });
