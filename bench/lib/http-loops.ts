import { quantiles } from './distribution-world.js';

/** One request of a load loop: its index, answered with the HTTP status (0: no answer). */
export type LoadRequest = (index: number) => Promise<number>;

/**
 * `clients` callers each sending the next request as soon as the last is answered, for
 * `seconds`: how many answered `okStatus` per second, and their latency.
 */
export async function closedLoop(
  send: LoadRequest,
  props: { clients: number; seconds: number; okStatus: number },
) {
  const until = performance.now() + props.seconds * 1000;
  const started = performance.now();
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  await Promise.all(
    Array.from({ length: props.clients }, async (_, client) => {
      let count = 0;
      while (performance.now() < until) {
        const begun = performance.now();
        const status = await send(client + count * props.clients);
        count += 1;
        if (status === props.okStatus) latencies.push(performance.now() - begun);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    seconds: +elapsed.toFixed(2),
    succeeded: latencies.length,
    perSecond: +(latencies.length / elapsed).toFixed(1),
    statuses,
    latencyMs: quantiles(latencies),
  };
}

/**
 * Requests due at a fixed `rate` for `seconds`, whatever the answers; latency counted from
 * when each was due (no coordinated omission).
 */
export async function openLoop(
  send: LoadRequest,
  props: { rate: number; seconds: number; okStatus: number },
) {
  const total = Math.round(props.rate * props.seconds);
  const started = performance.now();
  const latencies: number[] = [];
  /** Answers 503 (shed for overload or the database busy): are they answered at once? */
  const unavailableLatencies: number[] = [];
  const statuses: Record<string, number> = {};
  const pending: Promise<void>[] = [];
  for (let index = 0; index < total; index += 1) {
    const due = started + (index * 1000) / props.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      send(index).then((status) => {
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === props.okStatus) latencies.push(performance.now() - due);
        if (status === 503) unavailableLatencies.push(performance.now() - due);
      }),
    );
  }
  await Promise.all(pending);
  return {
    requests: total,
    succeeded: latencies.length,
    achievedPerSecond: +(latencies.length / ((performance.now() - started) / 1000)).toFixed(1),
    statuses,
    latencyMs: quantiles(latencies),
    unavailableLatencyMs: quantiles(unavailableLatencies),
  };
}
