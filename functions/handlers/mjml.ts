/**
 * Lambda: MJML to HTML, for the studio's function, which invokes it each time
 * it compiles a template: a preview, the checks and the compilation of a
 * publish (functions/adapters/mjml-function.ts, docs/design.md §9). MJML alone:
 * no table, no AWS call, nothing of the campaigns. MJML is imported by the
 * first invocation, as the studio's function imported it before it had this one.
 *
 * MJML's failures are answers, not errors: strict validation's problems (with
 * their lines) or a malformed document, for the caller to report in the
 * template's terms. Only a request that is not one fails the invocation.
 */
import type { Context } from 'aws-lambda';
import type { MjmlAnswer, MjmlRequest } from '../adapters/mjml-function';

/** The request's problem, naming the field, or undefined. */
const problemOf = (event: unknown): string | undefined => {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return 'the event: expected an object { mjml, options }';
  const { mjml, options } = event as Record<string, unknown>;
  if (typeof mjml !== 'string') return `mjml: expected a string, got ${mjml === null ? 'null' : typeof mjml}`;
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return 'options: expected an object';
  const { validationLevel, keepComments, fonts, ...other } = options as Record<string, unknown>;
  const [unknown] = Object.keys(other);
  if (unknown) return `options.${unknown}: not an option this function passes to MJML (validationLevel, keepComments, fonts)`;
  if (validationLevel !== undefined && !['strict', 'soft', 'skip'].includes(validationLevel as string)) return 'options.validationLevel: expected strict, soft or skip';
  if (keepComments !== undefined && typeof keepComments !== 'boolean') return 'options.keepComments: expected true or false';
  if (fonts !== undefined && (typeof fonts !== 'object' || fonts === null || Object.values(fonts).some((url) => typeof url !== 'string'))) {
    return 'options.fonts: expected an object of font names to URLs';
  }
  return undefined;
};

export const createHandler = () => async (event: unknown, _context?: Context): Promise<MjmlAnswer> => {
  const problem = problemOf(event);
  if (problem) throw new TypeError(`not an MJML request: ${problem}`);
  const { mjml, options = {} } = event as MjmlRequest;
  const { default: mjml2html } = await import('mjml');
  try {
    return { html: (await mjml2html(mjml, options)).html };
  } catch (error) {
    const errors = (error as { errors?: { line: number; tagName: string; message: string }[] }).errors;
    return { failure: { message: (error as Error).message, ...(errors && { errors: errors.map(({ line, tagName, message }) => ({ line, tagName, message })) }) } };
  }
};

export const handler = createHandler();
