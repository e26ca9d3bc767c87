/**
 * The NPS rules of docs/design.md §5, as pure functions:
 * - the survey goes out 7 days after `Order Delivered` (14 after `Order Placed`
 *   when no delivery arrives), from 10:00 local;
 * - at most one survey per customer per 90 days;
 * - NPS = % promoters (9–10) − % detractors (0–6).
 */
import { DateTime } from 'luxon';
import type { Config } from '../../config';
import { sweepOnDay, type SendWindow } from '../local-time';

export interface SurveyDue {
  /** The order the survey asks about; it is also the survey's id. */
  orderId: string;
  dueAt: Date;
}

export interface SurveyDueInput {
  orderId: string;
  /** What the survey's day counts from: the delivery, or the order when no delivery is known. */
  basis: { delivered: string } | { placed: string };
  timeZone: string;
  now: Date;
  nps: Config['nps'];
  window: SendWindow;
}

/** When the survey about an order goes out; none when its day is already over. */
export const surveyDue = ({ orderId, basis, timeZone, now, nps, window }: SurveyDueInput): SurveyDue | undefined => {
  const [from, days] = 'delivered' in basis ? [basis.delivered, nps.afterDeliveryDays] : [basis.placed, nps.afterOrderDays];
  const day = DateTime.fromISO(from, { zone: timeZone }).startOf('day').plus({ days });
  const dueAt = sweepOnDay(day, nps.sendHour, now, window);
  return dueAt && { orderId, dueAt };
};

/** Surveyed within the last `fatigueDays`: no survey now. */
export const isFatigued = (lastSurveyAt: string | undefined, now: Date, fatigueDays: number) =>
  lastSurveyAt !== undefined && now.getTime() - Date.parse(lastSurveyAt) < fatigueDays * 86_400_000;

export type NpsCategory = 'promoter' | 'passive' | 'detractor';

export const npsCategory = (score: number): NpsCategory => (score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor');

export interface NpsFigures {
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** % promoters − % detractors, from −100 to 100, to one decimal; null without responses. */
  nps: number | null;
}

export const npsFigures = (scores: number[]): NpsFigures => {
  const count = (category: NpsCategory) => scores.filter((score) => npsCategory(score) === category).length;
  const [promoters, passives, detractors] = [count('promoter'), count('passive'), count('detractor')];
  return {
    responses: scores.length,
    promoters,
    passives,
    detractors,
    nps: scores.length ? Math.round((1000 * (promoters - detractors)) / scores.length) / 10 : null,
  };
};

/** The signed subject of a score link: which survey, which score. */
export const scoreSubject = (surveyId: string, score: number) => `${surveyId}#${score}`;
export const parseScoreSubject = (subject: string) => {
  const at = subject.lastIndexOf('#');
  const score = Number(subject.slice(at + 1));
  return at > 0 && Number.isInteger(score) && score >= 0 && score <= 10 ? { surveyId: subject.slice(0, at), score } : undefined;
};

export const npsPurpose = 'nps';
