/** Lambda: the hourly tier sweep (docs/design.md §10). */
import { runTierSweep } from '../campaigns/loyalty/sweep';
import { lambdaHandler } from '../runtime';
import { wiring } from '../wiring';
import { sweepHandler } from './sweep';

export const createHandler = sweepHandler(runTierSweep);
export const handler = lambdaHandler(createHandler, wiring.tierSweep);
