/**
 * docs/design.md §5 and §6, SES events end to end over dynalite and aws-ses-v2-local:
 * the mailbox-simulator addresses produce SES's events locally as on AWS, and a
 * hard bounce or a complaint stops every later email at the send-time
 * suppression check (each message's record: ./ses-events-records.test.ts).
 */
// First, as the local stack imports it: the handlers' logger is created quiet.
import '../../local/environment';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSimulation } from './run-simulation';
import { bounce, complaint, customers, success } from './ses-simulator';

describe('after a hard bounce or a complaint, the address gets no further email', () => {
  let result: Awaited<ReturnType<typeof runSimulation>>;

  beforeAll(async () => {
    // Two birthdays: 10 April 2026 and 10 April 2027.
    result = await runSimulation(customers('2026-04-09T00:00:00Z'), '2026-04-09T00:00:00Z', '2027-04-12T00:00:00Z');
  }, 300_000);

  const sentTo = (address: string) => result.emails.filter((email) => email.to === address).map((email) => email.sentAt);

  it('success@ gets both birthday emails', () => {
    expect(sentTo(success)).toEqual(['2026-04-10T09:00:00.000Z', '2027-04-10T09:00:00.000Z']);
  });

  it('bounce@ and complaint@ get the first, and nothing a year later', () => {
    expect(sentTo(bounce)).toEqual(['2026-04-10T09:00:00.000Z']);
    expect(sentTo(complaint)).toEqual(['2026-04-10T09:00:00.000Z']);
  });

  it('the birthday sweep counts the later sends as suppressed', () => {
    expect(result.summary.campaigns.birthday).toMatchObject({ suppressed: 2 });
  });

  it('the SES events crossed the bus and none was dead-lettered', () => {
    const ses = (type: string) => result.bus.filter((e) => e.source === 'aws.ses' && e['detail-type'] === type).length;
    expect(ses('Email Bounced')).toBe(1);
    expect(ses('Email Complaint Received')).toBe(1);
    expect(ses('Email Delivered')).toBe(3); // complaint@ is delivered first, then complains
    expect(result.deadLetters).toEqual([]);
  });
});
