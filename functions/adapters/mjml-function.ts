/**
 * MJML, called in the function of its own (functions/handlers/mjml.ts) that
 * holds it (docs/design.md §9). In the studio's bundle this module stands in
 * for the `mjml` package (lib/bundle.ts, `mjmlInItsFunction`), so the studio's
 * compiler (functions/templates/compile.ts) calls MJML as it always does and
 * each call is one synchronous Invoke of that function; MJML's own toolchain,
 * most of a megabyte, stays out of the studio's bundle. Locally (`npm start`,
 * the CLI) the studio imports MJML itself.
 *
 * The same MJML answers the same way: the function's result is MJML's HTML, or
 * its failure as MJML throws it (a `ValidationError` with its `errors`), so
 * the compiler's messages name the same lines. A publish compiles each
 * template twice (its check, then its compilation): the same text is asked
 * once, the answers of the last texts kept.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { MJMLParseError, MJMLParsingOptions } from 'mjml-core';
import { environment, sdkAttempts } from '../runtime';
import { patientRetries } from './retries';

/** What the function is asked: the MJML, and the options of `mjml2html` a text can carry. */
export interface MjmlRequest {
  mjml: string;
  options: Pick<MJMLParsingOptions, 'validationLevel' | 'keepComments' | 'fonts'>;
}

/** Its answer: MJML's HTML, or what MJML threw. */
export type MjmlAnswer = { html: string } | { failure: { message: string; errors?: Pick<MJMLParseError, 'line' | 'tagName' | 'message'>[] } };

/** Texts whose HTML is kept; a template's text is a few kilobytes. */
const keptAnswers = 64;

let client: LambdaClient | undefined;
const answers = new Map<string, Promise<string>>();

const invoke = async (request: MjmlRequest): Promise<string> => {
  const name = process.env[environment.mjmlFunctionName];
  if (!name) throw new Error(`environment variable ${environment.mjmlFunctionName} is not set: this function's wiring (functions/wiring.ts) does not invoke the MJML function`);
  // Compiling is safe to repeat: throttling and lost answers are retried.
  client ??= new LambdaClient({ retryStrategy: patientRetries(sdkAttempts.lambda) });
  const { Payload, FunctionError } = await client.send(new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode(JSON.stringify(request)) }));
  const answer: unknown = Payload?.length ? JSON.parse(new TextDecoder().decode(Payload)) : undefined;
  if (FunctionError) {
    const { errorType, errorMessage } = (answer ?? {}) as { errorType?: string; errorMessage?: string };
    throw new Error(`the MJML function (${name}) failed: ${errorType ?? FunctionError}: ${errorMessage ?? 'no message'}`);
  }
  const result = answer as MjmlAnswer;
  if ('failure' in result) throw Object.assign(new Error(result.failure.message), result.failure.errors && { errors: result.failure.errors });
  return result.html;
};

/** `mjml2html`, as the studio's bundle knows it. */
export default async function mjml2html(mjml: string, options: MjmlRequest['options'] = {}): Promise<{ html: string; errors: [] }> {
  const { validationLevel, keepComments, fonts } = options;
  const request: MjmlRequest = { mjml, options: { validationLevel, keepComments, fonts } };
  const key = JSON.stringify(request);
  let html = answers.get(key);
  if (!html) {
    html = invoke(request);
    answers.set(key, html);
    // A failure is asked again next time; the oldest answer makes room for the newest.
    html.catch(() => answers.get(key) === html && answers.delete(key));
    if (answers.size > keptAnswers) answers.delete(answers.keys().next().value!);
  }
  return { html: await html, errors: [] };
}
