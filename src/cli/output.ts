// What the CLI prints: aligned tables for people, JSON for scripts (--json), and progress that
// redraws one line on a terminal but prints plain lines into a pipe or a CI log.

export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** Columns padded to the widest cell; `empty` is printed instead when there are no rows. */
export function printTable(headers: readonly string[], rows: readonly (readonly string[])[], empty: string): void {
  if (rows.length === 0) {
    console.log(empty);
    return;
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  console.log(line(headers));
  for (const r of rows) console.log(line(r));
}

export const orDash = (v: string | number | null | undefined): string => (v === null || v === undefined || v === '' ? '-' : String(v));

export interface Progress {
  update(done: number, total: number): void;
  /** Ends the progress display (the caller prints the outcome on stdout). */
  finish(): void;
}

/**
 * Progress on `stream` (stderr, so stdout keeps only the result). On a terminal: one bar redrawn
 * in place. Otherwise: a plain line whenever another tenth is done (and at the end), so logs
 * show progress without thousands of lines.
 */
export function progress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY;
  let lastTenth = -1;
  const width = 30;
  return {
    update(done, total) {
      const fraction = total <= 0 ? 1 : Math.min(1, done / total);
      const percent = Math.floor(fraction * 100);
      if (tty) {
        const filled = Math.round(fraction * width);
        stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent}% ${done}/${total}`);
        return;
      }
      const tenth = Math.floor(fraction * 10);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      stream.write(`${label}: ${done} of ${total} (${percent}%)\n`);
    },
    finish() {
      if (tty) stream.write('\n');
    },
  };
}
