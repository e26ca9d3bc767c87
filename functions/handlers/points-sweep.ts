/** Lambda: the hourly points sweep (docs/design.md §10). */
import { runPointsSweep } from '../campaigns/loyalty/sweep';
import { lambdaHandler } from '../runtime';
import { wiring } from '../wiring';
import { sweepHandler } from './sweep';

export const createHandler = sweepHandler(runPointsSweep);
export const handler = lambdaHandler(createHandler, wiring.pointsSweep);
