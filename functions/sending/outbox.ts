/**
 * The outbox relay (docs/design.md §8): events that follow a send are written with it
 * and published after; what a crash left unpublished is published here, with
 * the same stable ids, so consumers drop any repeat.
 */
import { publishOutbox } from '../campaigns/delivery';
import type { EventPublisher, SendLedger } from '../campaigns/ports';

/** Younger outboxes are still in their sender's hands. */
export const outboxGraceMinutes = 10;

export const relayOutbox = async (now: Date, ports: { ledger: SendLedger; events: EventPublisher }) => {
  let republished = 0;
  for await (const { sendKey, outbox } of ports.ledger.unpublished(new Date(now.getTime() - outboxGraceMinutes * 60_000))) {
    await publishOutbox(sendKey, outbox, ports);
    republished += outbox.length;
  }
  return { republished };
};
