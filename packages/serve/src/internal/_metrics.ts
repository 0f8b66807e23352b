/** Upper bounds (seconds) of the latency histogram buckets. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** A Prometheus histogram of durations in seconds. */
class Histogram {
  readonly counts = new Float64Array(BUCKETS.length + 1);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    let i = 0;
    while (i < BUCKETS.length && seconds > BUCKETS[i]!) i++;
    this.counts[i]!++;
    this.sum += seconds;
    this.count++;
  }

  render(name: string, help: string): string[] {
    const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
    let cumulative = 0;
    BUCKETS.forEach((le, i) => {
      cumulative += this.counts[i]!;
      lines.push(`${name}_bucket{le="${le}"} ${cumulative}`);
    });
    lines.push(
      `${name}_bucket{le="+Inf"} ${this.count}`,
      `${name}_sum ${this.sum}`,
      `${name}_count ${this.count}`,
    );
    return lines;
  }
}

/** The HELP, TYPE and sample lines of a metric without labels. */
const metric = (name: string, type: "counter" | "gauge", help: string, value: number): string[] => [
  `# HELP ${name} ${help}`,
  `# TYPE ${name} ${type}`,
  `${name} ${value}`,
];

const escapeLabel = (v: string): string =>
  v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

/**
 * The server's counters, rendered in the Prometheus text exposition format (version 0.0.4).
 * @internal
 */
export class _Metrics {
  decisions = 0;
  explored = 0;
  rewards = 0;
  reloads = 0;
  private readonly errors = new Map<string, number>();
  private readonly decisionLatency = new Histogram();
  private readonly rewardLatency = new Histogram();

  decision(explored: boolean, seconds: number): void {
    this.decisions++;
    if (explored) this.explored++;
    this.decisionLatency.observe(seconds);
  }

  reward(seconds: number): void {
    this.rewards++;
    this.rewardLatency.observe(seconds);
  }

  error(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  /**
   * The exposition text.
   * @param checkpoint - digest of the checkpoint served
   * @param log - rows in the journal not yet indexed into the database, and whether the indexer's
   *   last attempt failed
   */
  render(checkpoint: string, log: { readonly unindexed: number; readonly indexerFailing: boolean }): string {
    const lines = [
      ...metric(
        "rlvr_serve_decisions_total",
        "counter",
        "Decisions answered (committed to the log).",
        this.decisions,
      ),
      ...metric(
        "rlvr_serve_explored_decisions_total",
        "counter",
        "Decisions whose action differs from the policy's greedy action.",
        this.explored,
      ),
      ...metric(
        "rlvr_serve_exploration_share",
        "gauge",
        "Share of the decisions that explored (explored / decisions).",
        this.decisions === 0 ? 0 : this.explored / this.decisions,
      ),
      ...metric(
        "rlvr_serve_rewards_total",
        "counter",
        "Rewards accepted (committed to the log).",
        this.rewards,
      ),
      ...metric("rlvr_serve_reloads_total", "counter", "Successful checkpoint reloads.", this.reloads),
      "# HELP rlvr_serve_errors_total Requests answered with an error, by error code.",
      "# TYPE rlvr_serve_errors_total counter",
      ...[...this.errors.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([code, n]) => `rlvr_serve_errors_total{code="${escapeLabel(code)}"} ${n}`),
      ...this.decisionLatency.render(
        "rlvr_serve_decision_duration_seconds",
        "Time from the decision request's handler to its commit.",
      ),
      ...this.rewardLatency.render(
        "rlvr_serve_reward_duration_seconds",
        "Time from the reward request's handler to its commit.",
      ),
      ...metric(
        "rlvr_serve_log_unindexed_rows",
        "gauge",
        "Decisions and rewards in the journal not yet indexed in the log's database.",
        log.unindexed,
      ),
      ...metric(
        "rlvr_serve_log_indexer_failing",
        "gauge",
        "1 while the log's indexer fails to copy the journal into the database (it retries every second).",
        log.indexerFailing ? 1 : 0,
      ),
      "# HELP rlvr_serve_checkpoint_info The checkpoint served (its content digest).",
      "# TYPE rlvr_serve_checkpoint_info gauge",
      `rlvr_serve_checkpoint_info{checkpoint="${escapeLabel(checkpoint)}"} 1`,
    ];
    return `${lines.join("\n")}\n`;
  }
}
