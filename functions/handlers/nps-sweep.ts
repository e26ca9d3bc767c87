/** Lambda: the hourly NPS survey sweep. */
import { runNpsSweep } from '../campaigns/nps/sweep';
import { lambdaHandler } from '../runtime';
import { sweepHandler } from './sweep';

export const createHandler = sweepHandler(runNpsSweep);
export const handler = lambdaHandler(createHandler);
