import type { Task } from '../client/index.js';

export interface Progress {
  update(task: Task): void;
  done(): void;
}

const BAR = 24;

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/**
 * Shows a task's progress on stderr: on a terminal one line redrawn in place (bar, status,
 * elapsed time, ticking between updates); elsewhere (pipes, CI logs) one plain line per change.
 */
export function progressReporter(stream: NodeJS.WriteStream, started = Date.now()): Progress {
  let last: Task | undefined;
  if (!stream.isTTY) {
    return {
      update(task) {
        last = task;
        const pct = task.progress === undefined ? '' : ` ${task.progress}%`;
        stream.write(`${task.id} ${task.status}${pct} ${seconds(Date.now() - started)}\n`);
      },
      done() {},
    };
  }
  const draw = () => {
    if (!last) return;
    const pct = last.status === 'completed' ? 100 : last.progress;
    const filled = pct === undefined ? 0 : Math.round((pct / 100) * BAR);
    const bar = pct === undefined ? '░'.repeat(BAR) : '█'.repeat(filled) + '░'.repeat(BAR - filled);
    const label = pct === undefined ? '' : ` ${String(pct).padStart(3)}%`;
    stream.write(`\r\x1b[2K${bar}${label}  ${last.status}  ${seconds(Date.now() - started)}`);
  };
  const timer = setInterval(draw, 250);
  timer.unref();
  return {
    update(task) {
      last = task;
      draw();
    },
    done() {
      clearInterval(timer);
      draw();
      if (last) stream.write('\n');
    },
  };
}
