// The counters always visible during a live capture or replay: captured, kernel drops ("n/a" when the source cannot
// tell), our drops (red when not zero), bytes, rate, elapsed. Uses the status bar's .live-counters styles.
import type { CaptureStats } from '../../electron/ipc-contract';
import { counterCells } from './format';

export interface CaptureCountersProps {
  stats: CaptureStats | null;
  state: 'running' | 'paused' | 'stopped';
  description?: string;
}

export function CaptureCounters({ stats, state, description }: CaptureCountersProps) {
  return (
    <div className="live-counters" aria-label="Capture counters" aria-live="off">
      <span className={`live-dot ${state === 'running' ? '' : state}`} title={state} />
      {description ? <span>{description}</span> : null}
      {counterCells(stats).map((c) => (
        <span key={c.key} className={c.bad ? 'bad' : ''} title={c.title} data-counter={c.key}>
          {c.label ? `${c.label} ` : ''}<b>{c.value}</b>
        </span>
      ))}
    </div>
  );
}
