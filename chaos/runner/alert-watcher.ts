// Watches Prometheus' active alerts while the experiment runs, and keeps every firing
// episode: when an alert was first seen firing and when it was last seen gone.
import type { PrometheusClient } from './prometheus';

export interface AlertEpisode {
  alert: string;
  /** ms since the epoch, as observed by polling (at most one poll interval late). */
  firedAt: number;
  /** null while still firing at the last poll. */
  resolvedAt: number | null;
}

export class AlertWatcher {
  readonly episodes: AlertEpisode[] = [];
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();
  /** The error of the last poll, null when it succeeded. */
  lastError: string | null = null;
  /** When the current run of failed polls began (ms since the epoch), null while polls succeed. */
  failingSince: number | null = null;

  constructor(
    private readonly prometheus: PrometheusClient,
    private readonly intervalMs = 1_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.polling = this.poll();
    }, this.intervalMs);
    this.polling = this.poll();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
  }

  /** Names of the alerts firing at the last poll. */
  firing(): string[] {
    return this.episodes.filter((e) => e.resolvedAt === null).map((e) => e.alert);
  }

  async poll(now = Date.now()): Promise<void> {
    let firingNow: Set<string>;
    try {
      firingNow = new Set(
        (await this.prometheus.alerts()).filter((a) => a.state === 'firing').map((a) => a.labels.alertname),
      );
      this.lastError = null;
      this.failingSince = null;
    } catch (error) {
      this.lastError = (error as Error).message;
      this.failingSince ??= now;
      return;
    }
    this.observe(firingNow, now);
  }

  /** Records which alerts fire at `now`: opens and closes episodes. */
  observe(firingNow: Set<string>, now: number): void {
    for (const episode of this.episodes) {
      if (episode.resolvedAt === null && !firingNow.has(episode.alert)) episode.resolvedAt = now;
    }
    const open = new Set(this.firing());
    for (const alert of firingNow) if (!open.has(alert)) this.episodes.push({ alert, firedAt: now, resolvedAt: null });
  }
}
