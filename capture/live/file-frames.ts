// A capture file read on demand, a batch at a time, for replay: the same reader as for opening files, one reused
// read buffer, and frames copied out of it (the replayer keeps them until their time). Node-only.
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import type { RawFrame } from '../frame';
import { CaptureReader, type CaptureReaderInfo } from '../reader';
import type { ReplayFrameSource } from '../replay';

export interface FileFrameSource extends ReplayFrameSource {
  readonly info: CaptureReaderInfo;
  close(): Promise<void>;
}

export async function openFileFrameSource(path: string, chunkSize = 256 * 1024): Promise<FileFrameSource> {
  const handle: FileHandle = await open(path, 'r');
  const reader = new CaptureReader(basename(path));
  const buf = new Uint8Array(chunkSize);
  let done = false;
  const own = (frames: RawFrame[]) => frames.map((f) => ({ ...f, bytes: f.bytes.slice() }));
  return {
    info: reader.info,
    async next() {
      while (!done) {
        const { bytesRead } = await handle.read(buf, 0, buf.length, null);
        if (bytesRead === 0) {
          done = true;
          await handle.close();
          const last = reader.end();
          return last.length ? own(last) : null;
        }
        const frames = reader.push(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
        if (reader.info.fatal) throw new Error(reader.info.fatal);
        if (frames.length) return own(frames);
      }
      return null;
    },
    async close() {
      if (!done) {
        done = true;
        await handle.close();
      }
    },
  };
}
