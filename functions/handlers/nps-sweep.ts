/** Lambda: the hourly NPS survey sweep. */
import { runNpsSweep } from '../campaigns/nps/sweep';
import { lambdaHandler } from '../runtime';
import { wiring } from '../wiring';
import { sweepHandler } from './sweep';

export const createHandler = sweepHandler(runNpsSweep);
export const handler = lambdaHandler(createHandler, wiring.npsSweep);
