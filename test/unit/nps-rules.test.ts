/** docs/design.md §5, nps: when the survey goes out, how often, and what the scores add up to. */
import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { parseConfig } from '../../functions/config';
import { isFatigued, npsCategory, npsFigures, parseScoreSubject, scoreSubject, surveyDue } from '../../functions/campaigns/nps/rules';
import { surveyScoreLinks } from '../../functions/campaigns/nps/survey-links';
import { verifyToken } from '../../functions/links/signed-token';

const config = parseConfig({});
const due = (basis: { delivered: string } | { placed: string }, now: string, timeZone = 'Asia/Kuala_Lumpur') =>
  surveyDue({ orderId: 'o1', basis, timeZone, now: new Date(now), nps: config.nps, window: config.sendWindow });
const local = (instant: Date | undefined, zone = 'Asia/Kuala_Lumpur') => instant && DateTime.fromJSDate(instant, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");

describe('the survey goes out 7 days after delivery, from 10:00 local', () => {
  it('at 10:00 local on the seventh day after the local delivery date', () => {
    // Delivered 21:00 on 3 May in Kuala Lumpur (13:00 UTC): the survey is due 10 May, 10:00 local.
    expect(local(due({ delivered: '2026-05-03T13:00:00Z' }, '2026-05-03T13:00:00Z')?.dueAt)).toBe('2026-05-10T10:00');
  });

  it('in the customer\'s own time zone (Los Angeles)', () => {
    expect(local(due({ delivered: '2026-05-03T20:00:00Z' }, '2026-05-03T20:00:00Z', 'America/Los_Angeles')?.dueAt, 'America/Los_Angeles')).toBe(
      '2026-05-10T10:00',
    );
  });
});

describe('without a delivery, 14 days after the order', () => {
  it('at 10:00 local on the fourteenth day after the local order date', () => {
    expect(local(due({ placed: '2026-05-03T02:00:00Z' }, '2026-05-03T02:00:00Z')?.dueAt)).toBe('2026-05-17T10:00');
  });

  it('a delivery reported late that day still gets its survey within the hour, before 20:00', () => {
    // Reported at 15:30 local on the survey day itself.
    expect(local(due({ delivered: '2026-05-03T02:00:00Z' }, '2026-05-10T07:30:00Z')?.dueAt)).toBe('2026-05-10T16:00');
  });

  it('a survey whose day is over is not sent late', () => {
    expect(due({ placed: '2026-01-01T02:00:00Z' }, '2026-03-01T00:00:00Z')).toBeUndefined();
  });
});

describe('at most one survey per customer per 90 days', () => {
  const now = new Date('2026-06-01T10:00:00Z');
  it('a customer surveyed 89 days ago is not surveyed again', () => {
    expect(isFatigued('2026-03-04T10:00:00Z', now, 90)).toBe(true);
  });
  it('a customer surveyed 90 days ago is', () => {
    expect(isFatigued('2026-03-03T10:00:00Z', now, 90)).toBe(false);
  });
  it('a customer never surveyed is', () => {
    expect(isFatigued(undefined, now, 90)).toBe(false);
  });
});

describe('NPS = % promoters (9–10) − % detractors (0–6)', () => {
  it('sorts scores into promoters, passives and detractors', () => {
    expect([0, 6, 7, 8, 9, 10].map(npsCategory)).toEqual(['detractor', 'detractor', 'passive', 'passive', 'promoter', 'promoter']);
  });

  it('computes the figures', () => {
    // 5 promoters, 3 passives, 2 detractors of 10: 50 % − 20 % = 30.
    expect(npsFigures([10, 9, 9, 10, 9, 8, 7, 7, 3, 6])).toEqual({ responses: 10, promoters: 5, passives: 3, detractors: 2, nps: 30 });
  });

  it('ranges from −100 to 100, to one decimal', () => {
    expect(npsFigures([0, 1]).nps).toBe(-100);
    expect(npsFigures([10]).nps).toBe(100);
    expect(npsFigures([10, 8, 0]).nps).toBe(0);
    expect(npsFigures([10, 10, 8]).nps).toBe(66.7);
  });

  it('has no NPS without responses', () => {
    expect(npsFigures([])).toEqual({ responses: 0, promoters: 0, passives: 0, detractors: 0, nps: null });
  });
});

describe('the eleven score links', () => {
  const keyring = { current: 'k1', keys: { k1: 'secret' } };
  const at = new Date('2026-05-10T02:00:00Z');
  const links = surveyScoreLinks(keyring, config, 'c1', 'o1', at);

  it('cover scores 0 to 10, each signed for its customer, survey and score', () => {
    expect(links.map((l) => l.score)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const { score, url } of links) {
      const token = new URL(url).searchParams.get('token')!;
      const claims = verifyToken(keyring, token, 'nps', at)!;
      expect(claims.customerId).toBe('c1');
      expect(parseScoreSubject(claims.subject)).toEqual({ surveyId: 'o1', score });
    }
  });

  it('expire after 30 days', () => {
    const token = new URL(links[9]!.url).searchParams.get('token')!;
    expect(verifyToken(keyring, token, 'nps', new Date(at.getTime() + 30 * 86_400_000 - 1000))).toBeDefined();
    expect(verifyToken(keyring, token, 'nps', new Date(at.getTime() + 30 * 86_400_000))).toBeUndefined();
  });

  it('are refused for another purpose (an unsubscribe token is not a score)', () => {
    const token = new URL(links[0]!.url).searchParams.get('token')!;
    expect(verifyToken(keyring, token, 'unsubscribe', at)).toBeUndefined();
  });

  it('carry a subject that names survey and score, and nothing else parses as one', () => {
    expect(parseScoreSubject(scoreSubject('order#7', 10))).toEqual({ surveyId: 'order#7', score: 10 });
    expect(parseScoreSubject('o1#11')).toBeUndefined();
    expect(parseScoreSubject('o1')).toBeUndefined();
    expect(parseScoreSubject('#5')).toBeUndefined();
  });
});
