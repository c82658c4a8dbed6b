/**
 * `fleetctl rollout watch`: follows one rollout on the hub's event stream and redraws its wave
 * bars until it reaches a final status. The client validates the rollout it reads and every
 * rollout event; one it does not understand ends the watch with that error.
 */
import type { RolloutEvent, RolloutStatus } from '../../../shared/src/api/rollouts.js';
import { routes } from '../../../shared/src/api/routes.js';
import type { HubClient } from './hub-client.js';
import { isFinal, watchFrame } from './rollout-view.js';

export interface WatchOutput {
  write(text: string): void;
  /** Redraw in place (a terminal) or print each changed frame on its own lines. */
  tty: boolean;
  json: boolean;
}

/** The text that replaces the previous frame of `previousLines` lines with `lines`. Pure. */
export function frameText(previousLines: number, lines: readonly string[], tty: boolean): string {
  if (!tty) return `${lines.join('\n')}\n`;
  // Up to the first line of the previous frame, then overwrite each line and clear what was longer.
  const up = previousLines > 0 ? `\x1b[${previousLines}F` : '';
  return `${up}${lines.map((line) => `\x1b[2K${line}\n`).join('')}\x1b[J`;
}

/** Resolves with the rollout's final status. */
export function watchRollout(client: HubClient, id: string, output: WatchOutput): Promise<RolloutStatus> {
  const controller = new AbortController();
  let drawn = 0;
  let last = '';
  // The first read and the stream race; an older state never replaces a newer one.
  let shownAt = '';
  return new Promise<RolloutStatus>((resolve, reject) => {
    let done = false;
    const show = (rollout: RolloutEvent) => {
      if (done || rollout.updatedAt < shownAt) return;
      shownAt = rollout.updatedAt;
      if (output.json) {
        output.write(`${JSON.stringify(rollout)}\n`);
      } else {
        const lines = watchFrame(rollout);
        const text = lines.join('\n');
        if (text !== last) {
          output.write(frameText(drawn, lines, output.tty));
          drawn = lines.length;
          last = text;
        }
      }
      if (isFinal(rollout.status)) {
        done = true;
        controller.abort();
        resolve(rollout.status);
      }
    };
    const onOpen = () => {
      client.call(routes.getRollout, { params: { id } }).then(({ clusters: _clusters, ...rollout }) => show(rollout), fail);
    };
    const fail = (error: unknown) => {
      if (done) return;
      done = true;
      controller.abort();
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    client
      .stream(
        ['rollout'],
        (event) => {
          if (event.event === 'rollout' && event.data.id === id) show(event.data);
        },
        controller.signal,
        onOpen,
      )
      .then(() => fail(new Error('the hub closed the event stream before the rollout finished; run the command again')), fail);
  });
}
