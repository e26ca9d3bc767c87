/** Lambda: the hourly birthday sweep. */
import { runBirthdaySweep } from '../campaigns/birthday/sweep';
import { lambdaHandler } from '../runtime';
import { wiring } from '../wiring';
import { sweepHandler } from './sweep';

export const createHandler = sweepHandler(runBirthdaySweep);
export const handler = lambdaHandler(createHandler, wiring.birthdaySweep);
