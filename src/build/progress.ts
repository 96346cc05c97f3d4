/** A bar is shown only for work that has already taken this long: quick builds stay quiet. */
const SHOW_AFTER_MS = 1000;
/** Redraws at most this often, so drawing never costs the build noticeable time. */
const REDRAW_MS = 100;
const BAR_CHARS = 30;

/** A one-line progress bar on stderr, for terminals only, and only once a build is slow. */
export class Progress {
  private lastDraw = 0;
  private drawn = false;
  private done = 0;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly enabled: boolean = Boolean(process.stderr.isTTY),
    /** When the work began (performance.now()): a later stage of a build passes the build's start. */
    private readonly started: number = performance.now(),
  ) {}

  tick(count = 1): void {
    this.done += count;
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.started < SHOW_AFTER_MS || now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const share = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const filled = Math.round(share * BAR_CHARS);
    process.stderr.write(`\r${this.label} [${'#'.repeat(filled)}${' '.repeat(BAR_CHARS - filled)}] ${Math.round(share * 100)}% ${this.done}/${this.total}`);
    this.drawn = true;
  }

  finish(): void {
    if (this.drawn) process.stderr.write('\r\u001b[2K');
  }
}
