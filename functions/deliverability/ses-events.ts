/**
 * What SES reports of each message (docs/design.md §5, all campaigns): delivery,
 * bounce, complaint, open and click are recorded per message, and a permanent
 * bounce or any complaint puts the recipient on the suppression list at once,
 * so the send-time check stops the next email. A transient bounce suppresses
 * nothing: the mailbox exists and may accept mail later.
 *
 * SES puts its events on the account's default bus, where every configuration
 * set of the account publishes: only messages sent through the engine's own
 * configuration set are the engine's to act on.
 */
import { sendKeyFromTag } from '../campaigns/delivery';
import type { CustomerStory, MessageEvent, MessageStatuses, SendLedger, Suppressions } from '../campaigns/ports';
import type { DeliverabilityEntry } from '../customers/story';
import type { SesEvent, SesMail, SesStatusEvent } from '../events/ses';

export interface SesEventPorts {
  statuses: MessageStatuses;
  ledger: Pick<SendLedger, 'reconcile'>;
  suppressions: Pick<Suppressions, 'suppress'>;
  story: CustomerStory;
  /** The configuration set the engine sends through. */
  configurationSetName: string;
}

export type SuppressionReason = 'bounce' | 'complaint';

export interface SesEventDecision {
  record: MessageEvent;
  /** Addresses to suppress at once, each with its reason. */
  suppress: { email: string; reason: SuppressionReason }[];
}

/** The tag SES adds to every message sent through a configuration set. */
const configurationSetTag = 'ses:configuration-set';

const tag = (mail: SesMail, name: string): string | undefined => mail.tags[name]?.[0];

/** Who and what the message was, from the tags the engine sends it with. */
export const messageAbout = (mail: SesMail): MessageEvent['about'] => {
  const step = Number(tag(mail, 'step'));
  return {
    campaign: tag(mail, 'campaign'),
    step: Number.isInteger(step) ? step : undefined,
    experiment: tag(mail, 'experiment'),
    variant: tag(mail, 'variant'),
    customerId: tag(mail, 'customerId'),
  };
};

export const isOurs = (event: SesEvent, configurationSetName: string) =>
  tag(event.detail.mail, configurationSetTag) === configurationSetName;

/** Normalised, so that the same instant written two ways compares equal in the store. */
const instant = (timestamp: string) => new Date(timestamp).toISOString();

/** What one SES event means for its message and for the suppression list: pure. */
export const decide = (event: SesStatusEvent): SesEventDecision => {
  const { mail } = event.detail;
  const base = { messageId: mail.messageId, about: messageAbout(mail) };
  switch (event.detail.eventType) {
    case 'Delivery':
      return { record: { ...base, kind: 'delivered', at: instant(event.detail.delivery.timestamp) }, suppress: [] };
    case 'Bounce': {
      const { bounce } = event.detail;
      return {
        record: {
          ...base,
          kind: 'bounced',
          at: instant(bounce.timestamp),
          details: { bounceType: bounce.bounceType, bounceSubType: bounce.bounceSubType },
        },
        suppress:
          bounce.bounceType === 'Permanent'
            ? bounce.bouncedRecipients.map((r) => ({ email: r.emailAddress, reason: 'bounce' as const }))
            : [],
      };
    }
    case 'Complaint': {
      const { complaint } = event.detail;
      return {
        record: {
          ...base,
          kind: 'complained',
          at: instant(complaint.timestamp),
          details: { complaintFeedbackType: complaint.complaintFeedbackType },
        },
        suppress: complaint.complainedRecipients.map((r) => ({ email: r.emailAddress, reason: 'complaint' as const })),
      };
    }
    case 'Open':
      return { record: { ...base, kind: 'opened', at: instant(event.detail.open.timestamp) }, suppress: [] };
    case 'Click':
      return { record: { ...base, kind: 'clicked', at: instant(event.detail.click.timestamp) }, suppress: [] };
  }
};

export type SesEventOutcome =
  | { outcome: 'recorded' | 'duplicate'; messageId: string; kind: MessageEvent['kind']; suppressed: number; reason?: SuppressionReason }
  /** SES accepted a message: its id is in the send ledger (docs/design.md §8), whether or not the sender heard SES's answer. */
  | { outcome: 'reconciled'; messageId: string }
  | { outcome: 'ignored'; messageId: string; why: 'another configuration set' };

/**
 * Suppresses first: the record is for reports, the suppression protects the
 * sender's reputation. Both writes are idempotent, so a retry after a failure
 * in between completes what is missing. `suppressed` counts newly listed addresses.
 */
export const handleSesEvent = async (event: SesEvent, ports: SesEventPorts): Promise<SesEventOutcome> => {
  const messageId = event.detail.mail.messageId;
  if (!isOurs(event, ports.configurationSetName)) return { outcome: 'ignored', messageId, why: 'another configuration set' };
  if (event.detail.eventType === 'Send') {
    const sendKey = tag(event.detail.mail, 'sendKey');
    if (sendKey) await ports.ledger.reconcile(sendKeyFromTag(sendKey), messageId);
    return { outcome: 'reconciled', messageId };
  }
  const decision = decide(event as SesStatusEvent);
  const at = decision.record.at;
  let suppressed = 0;
  for (const { email, reason } of decision.suppress) {
    if (await ports.suppressions.suppress(email, reason, at)) suppressed++;
  }
  // The customer's story tells why their address stopped receiving (docs/design.md §11).
  const customerId = decision.record.about.customerId;
  if (customerId && decision.suppress[0]) {
    const entry: DeliverabilityEntry = {
      kind: 'deliverability',
      at,
      event: decision.suppress[0].reason === 'bounce' ? 'bounced' : 'complained',
      messageId,
      ...(decision.record.about.campaign && { campaign: decision.record.about.campaign }),
    };
    await ports.story.note(customerId, entry);
  }
  const changed = await ports.statuses.record(decision.record);
  return {
    outcome: changed ? 'recorded' : 'duplicate',
    messageId,
    kind: decision.record.kind,
    suppressed,
    ...(decision.suppress[0] && { reason: decision.suppress[0].reason }),
  };
};
