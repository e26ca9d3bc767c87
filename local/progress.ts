/** Progress of long work on a terminal: one line, redrawn in place; silent when not a TTY. */
export const progressBar = (stream: NodeJS.WriteStream, from: Date, to: Date, label = 'simulating') => {
  const span = Math.max(1, to.getTime() - from.getTime());
  let lastDraw = 0;
  const draw = (fraction: number, status: string) => {
    if (!stream.isTTY) return;
    const width = 30;
    const filled = Math.round(fraction * width);
    stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${status}\x1b[K`);
  };
  return {
    update(now: Date, emails: number) {
      const wall = Date.now();
      if (wall - lastDraw < 100) return;
      lastDraw = wall;
      draw((now.getTime() - from.getTime()) / span, `${now.toISOString().slice(0, 16)}Z · ${emails} emails`);
    },
    done(emails: number) {
      draw(1, `${to.toISOString().slice(0, 16)}Z · ${emails} emails`);
      if (stream.isTTY) stream.write('\n');
    },
  };
};

/** A counter for work measured in items (loading a data set). */
export const progressCounter = (stream: NodeJS.WriteStream, total: number, label: string) => {
  let lastDraw = 0;
  return (done: number) => {
    if (!stream.isTTY) return;
    const wall = Date.now();
    if (wall - lastDraw < 100 && done < total) return;
    lastDraw = wall;
    stream.write(`\r${label} ${done.toLocaleString('en')}/${total.toLocaleString('en')} (${((done / total) * 100).toFixed(0)}%)\x1b[K${done >= total ? '\n' : ''}`);
  };
};
