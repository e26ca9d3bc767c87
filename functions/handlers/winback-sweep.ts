/** Lambda: the hourly winback sweep. */
import { runWinbackSweep } from '../campaigns/winback/sweep';
import { lambdaHandler } from '../runtime';
import { wiring } from '../wiring';
import { sweepHandler } from './sweep';

export const createHandler = sweepHandler(runWinbackSweep);
export const handler = lambdaHandler(createHandler, wiring.winbackSweep);
