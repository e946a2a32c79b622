// Replay: releases an opened capture's frames at their original pacing, scaled by a speed factor, as if they were
// being captured now, so they go through the live pipeline (counters, follow mode). Pure TypeScript: the clock is
// injected, so tests drive it virtually and take no real time.
import type { RawFrame } from './frame';
import type { CaptureCounters } from './live/types';

export const MIN_SPEED = 0.1;
export const MAX_SPEED = 100;

/** Milliseconds and timers; the real one wraps performance.now() and setTimeout. */
export interface ReplayClock {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const realClock: ReplayClock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * Frames in capture order, a batch at a time; null at the end. Frames must own their bytes (the replayer keeps them
 * until their time comes). May answer synchronously (arrays, tests) or with a promise (files).
 */
export interface ReplayFrameSource {
  next(): RawFrame[] | null | Promise<RawFrame[] | null>;
}

export function arrayFrameSource(frames: readonly RawFrame[], batch = 1024): ReplayFrameSource {
  let at = 0;
  return {
    next() {
      if (at >= frames.length) return null;
      const out = frames.slice(at, at + batch);
      at += out.length;
      return out;
    },
  };
}

export type ReplayState = 'idle' | 'playing' | 'paused' | 'ended' | 'stopped';

export interface ReplayOptions {
  /** 0.1 to 100 (default 1). */
  speed?: number;
  clock?: ReplayClock;
  /** Frames due at the same moment are released together, at most this many per call (default 1000). */
  maxBatch?: number;
  /** Frames read ahead of the replay position (default 5000): bounds memory for big files. */
  readAhead?: number;
  onFrames(frames: RawFrame[]): void;
  onEnd?(): void;
  onError?(e: Error): void;
}

export function checkSpeed(speed: number): number {
  if (!Number.isFinite(speed) || speed < MIN_SPEED || speed > MAX_SPEED) {
    throw new RangeError(`replay speed must be between ${MIN_SPEED} and ${MAX_SPEED}, not ${speed}`);
  }
  return speed;
}

export class Replayer {
  private readonly clock: ReplayClock;
  private speed: number;
  private buf: RawFrame[] = [];
  private head = 0;
  private sourceDone = false;
  private fetching = false;
  private timer: unknown = null;
  private st: ReplayState = 'idle';
  /** Capture time (ms from the first frame) at wall time anchorWall (ms). */
  private anchorCapture = 0;
  private anchorWall = 0;
  private firstSec = NaN;
  private firstNsec = 0;
  private emittedFrames = 0;
  private emittedBytes = 0;
  private startWall = 0;
  private rate: { t: number; frames: number; bytes: number }[] = [];

  constructor(private readonly source: ReplayFrameSource, private readonly opts: ReplayOptions) {
    this.clock = opts.clock ?? realClock;
    this.speed = checkSpeed(opts.speed ?? 1);
  }

  get state(): ReplayState {
    return this.st;
  }

  get emitted(): number {
    return this.emittedFrames;
  }

  get currentSpeed(): number {
    return this.speed;
  }

  /** Replay position in capture seconds from the first frame. */
  position(): number {
    return this.positionMs() / 1000;
  }

  private positionMs(): number {
    if (this.st !== 'playing') return this.anchorCapture;
    return this.anchorCapture + (this.clock.now() - this.anchorWall) * this.speed;
  }

  start(): void {
    if (this.st !== 'idle') return;
    this.st = 'playing';
    this.anchorWall = this.startWall = this.clock.now();
    this.anchorCapture = 0;
    this.fill();
    this.tick();
  }

  pause(): void {
    if (this.st !== 'playing') return;
    this.anchorCapture = this.positionMs();
    this.st = 'paused';
    this.cancelTimer();
  }

  resume(): void {
    if (this.st !== 'paused') return;
    this.st = 'playing';
    this.anchorWall = this.clock.now();
    this.tick();
  }

  /** Changes the pace from now on; frames already released stay released. */
  setSpeed(speed: number): void {
    checkSpeed(speed);
    if (this.st === 'playing') {
      this.anchorCapture = this.positionMs();
      this.anchorWall = this.clock.now();
    }
    this.speed = speed;
    if (this.st === 'playing') {
      this.cancelTimer();
      this.tick();
    }
  }

  stop(): void {
    if (this.st === 'stopped' || this.st === 'ended') return;
    this.st = 'stopped';
    this.cancelTimer();
    this.buf = [];
    this.head = 0;
  }

  counters(): CaptureCounters {
    const t = this.clock.now();
    this.rate.push({ t, frames: this.emittedFrames, bytes: this.emittedBytes });
    while (this.rate.length > 2 && t - this.rate[1].t >= 1000) this.rate.shift();
    const dt = (t - this.rate[0].t) / 1000;
    return {
      source: 'replay', packets: this.emittedFrames, bytes: this.emittedBytes, kernelDropped: null,
      interfaceDropped: null, ourDropped: 0,
      packetRate: dt > 0 ? Math.round((this.emittedFrames - this.rate[0].frames) / dt) : 0,
      byteRate: dt > 0 ? Math.round((this.emittedBytes - this.rate[0].bytes) / dt) : 0,
      elapsedMs: this.st === 'idle' ? 0 : t - this.startWall,
    };
  }

  private timeOf(f: RawFrame): number {
    if (Number.isNaN(this.firstSec)) {
      this.firstSec = f.tsSec;
      this.firstNsec = f.tsNsec;
    }
    // Milliseconds from whole integer nanoseconds, so large epoch values lose no precision.
    return ((f.tsSec - this.firstSec) * 1e9 + (f.tsNsec - this.firstNsec)) / 1e6;
  }

  private tick = (): void => {
    this.timer = null;
    if (this.st !== 'playing') return;
    // One microsecond of wall time as slack absorbs the rounding of scaled times: a frame never waits on a timer
    // too short for the clock to move.
    const pos = this.positionMs();
    const due = pos + 1e-3 * this.speed;
    const max = this.opts.maxBatch ?? 1000;
    const out: RawFrame[] = [];
    while (this.head < this.buf.length && out.length < max && this.timeOf(this.buf[this.head]) <= due) {
      out.push(this.buf[this.head++]);
    }
    if (this.head > 4096 && this.head * 2 > this.buf.length) {
      this.buf = this.buf.slice(this.head);
      this.head = 0;
    }
    if (out.length) {
      this.emittedFrames += out.length;
      for (const f of out) this.emittedBytes += f.originalLength;
      try {
        this.opts.onFrames(out);
      } catch (e) {
        this.opts.onError?.(e as Error);
      }
      if (this.st !== 'playing') return;
    }
    this.fill();
    if (this.head < this.buf.length) {
      const wait = out.length === max ? 0 : (this.timeOf(this.buf[this.head]) - pos) / this.speed;
      this.timer = this.clock.setTimer(this.tick, Math.max(0, wait));
    } else if (this.sourceDone) {
      this.st = 'ended';
      this.opts.onEnd?.();
    }
    // else: waiting for the source; fill() ticks again when frames arrive.
  };

  /** Reads ahead from the source; resumes the replay when frames arrive while it was waiting for them. */
  private fill(): void {
    const ahead = this.opts.readAhead ?? 5000;
    while (!this.fetching && !this.sourceDone && this.buf.length - this.head < ahead) {
      let r: RawFrame[] | null | Promise<RawFrame[] | null>;
      try {
        r = this.source.next();
      } catch (e) {
        this.failed(e);
        return;
      }
      if (r instanceof Promise) {
        this.fetching = true;
        r.then((frames) => {
          this.fetching = false;
          const waiting = this.head >= this.buf.length && this.timer === null;
          this.accept(frames);
          if (this.st === 'playing' && waiting) this.tick();
          else this.fill();
        }, (e) => {
          this.fetching = false;
          this.failed(e);
        });
        return;
      }
      this.accept(r);
    }
  }

  private accept(frames: RawFrame[] | null): void {
    if (this.st === 'stopped') return;
    if (frames === null) this.sourceDone = true;
    else for (const f of frames) this.buf.push(f);
  }

  private failed(e: unknown): void {
    this.sourceDone = true;
    this.opts.onError?.(e instanceof Error ? e : new Error(String(e)));
    if (this.st === 'playing' && this.timer === null) this.tick();
  }

  private cancelTimer(): void {
    if (this.timer !== null) {
      this.clock.clearTimer(this.timer);
      this.timer = null;
    }
  }
}
