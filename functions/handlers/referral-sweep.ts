/** Lambda: the hourly referral sweep (docs/design.md §10). */
import { runReferralSweep } from '../campaigns/referral/sweep';
import { lambdaHandler } from '../runtime';
import { wiring } from '../wiring';
import { sweepHandler } from './sweep';

export const createHandler = sweepHandler(runReferralSweep);
export const handler = lambdaHandler(createHandler, wiring.referralSweep);
