/**
 * MJML in a function of its own (docs/design.md §9): the studio's calls to MJML
 * (functions/adapters/mjml-function.ts) go over the SDK's Lambda client to
 * Lambda's Invoke API (locally local/lambda.ts) and the MJML function
 * (functions/handlers/mjml.ts), and come back as MJML itself answers: the same
 * HTML, the same validation errors with their lines. A request that is not
 * one fails the invocation with a reason naming its field.
 */
import '../../local/environment';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import mjml2htmlHere from 'mjml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import mjml2htmlThere from '../../functions/adapters/mjml-function';
import { createHandler } from '../../functions/handlers/mjml';
import { environment } from '../../functions/runtime';
import { localCredentials, localRegion } from '../../local/dynamodb';
import { LocalLambda } from '../../local/lambda';

const options = { validationLevel: 'strict', keepComments: false, fonts: {} } as const;
const email = (text: string) => `<mjml><mj-body><mj-section><mj-column><mj-text>${text}</mj-text></mj-column></mj-section></mj-body></mjml>`;

const handler = createHandler();
let invocations = 0;
const lambda = new LocalLambda(new Map([['retention-mjml', (event: unknown) => (invocations++, handler(event))]]), localRegion);
let client: LambdaClient;

beforeAll(async () => {
  const endpoint = await lambda.listen();
  const variables = {
    [environment.mjmlFunctionName]: 'retention-mjml',
    AWS_ENDPOINT_URL_LAMBDA: endpoint,
    AWS_REGION: localRegion,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
  };
  for (const [name, value] of Object.entries(variables)) vi.stubEnv(name, value);
  client = new LambdaClient({ endpoint, region: localRegion, credentials: localCredentials });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  client.destroy();
  await lambda.close();
});

describe("the studio's MJML, in its own function", () => {
  it('gives the HTML MJML gives, and asks once for the same text', async () => {
    const mjml = email('Selamat hari jadi, {{ customer.firstName }}');
    const here = await mjml2htmlHere(mjml, options);
    const asked = invocations;
    expect((await mjml2htmlThere(mjml, options)).html).toBe(here.html);
    expect((await mjml2htmlThere(mjml, options)).html).toBe(here.html);
    expect(invocations - asked).toBe(1);
  });

  it("fails as MJML fails: strict validation's errors, with their lines and tags", async () => {
    const mjml = `<mjml>\n<mj-body>\n<mj-section>\n<mj-column>\n<mj-text colour="red">Hai</mj-text>\n</mj-column>\n</mj-section>\n</mj-body>\n</mjml>`;
    const here = await Promise.resolve(mjml2htmlHere(mjml, options)).catch((error: Error & { errors: object[] }) => error);
    const there = await mjml2htmlThere(mjml, options).catch((error: Error & { errors: object[] }) => error);
    expect(here).toBeInstanceOf(Error);
    expect(there).toBeInstanceOf(Error);
    expect((there as Error).message).toBe((here as Error).message);
    const lines = (error: unknown) => (error as { errors: { line: number; tagName: string; message: string }[] }).errors.map(({ line, tagName, message }) => ({ line, tagName, message }));
    expect(lines(there)).toEqual(lines(here));
    expect(lines(there)[0]).toMatchObject({ line: 5, tagName: 'mj-text' });
  });

  it('fails as MJML fails on a document that is not MJML', async () => {
    const here = await Promise.resolve(mjml2htmlHere('<mj-body>', options)).then(() => undefined, (error: Error) => error.message);
    const there = await mjml2htmlThere('<mj-body>', options).then(() => undefined, (error: Error) => error.message);
    expect(there).toBe(here);
  });
});

describe("the MJML function's requests, over Lambda's Invoke API", () => {
  const invoke = async (payload: unknown, FunctionName = 'retention-mjml') => {
    const answer = await client.send(new InvokeCommand({ FunctionName, Payload: new TextEncoder().encode(JSON.stringify(payload)) }));
    return { error: answer.FunctionError, body: JSON.parse(new TextDecoder().decode(answer.Payload)) as Record<string, unknown> };
  };

  it.each([
    [{ mjml: 5 }, 'mjml: expected a string, got number'],
    [[], 'the event: expected an object { mjml, options }'],
    [{ mjml: email('x'), options: { filePath: '/etc/passwd' } }, 'options.filePath: not an option this function passes to MJML'],
    [{ mjml: email('x'), options: { validationLevel: 'lenient' } }, 'options.validationLevel: expected strict, soft or skip'],
    [{ mjml: email('x'), options: { fonts: { Inter: 1 } } }, 'options.fonts: expected an object of font names to URLs'],
  ])('%j fails the invocation, naming the field', async (payload, reason) => {
    const { error, body } = await invoke(payload);
    expect(error).toBe('Unhandled');
    expect(body).toMatchObject({ errorType: 'TypeError' });
    expect(body.errorMessage).toContain(reason);
  });

  it("a failed invocation is the adapter's error, with the function's reason", async () => {
    vi.stubEnv(environment.mjmlFunctionName, 'retention-nothing');
    try {
      await expect(mjml2htmlThere(email('unknown function'), options)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    } finally {
      vi.stubEnv(environment.mjmlFunctionName, 'retention-mjml');
    }
  });

  it('answers an MJML ARN too, and refuses asynchronous invocations it does not emulate', async () => {
    const { body } = await invoke({ mjml: email('by ARN') }, `arn:aws:lambda:${localRegion}:000000000000:function:retention-mjml`);
    expect(body.html).toContain('by ARN');
    await expect(client.send(new InvokeCommand({ FunctionName: 'retention-mjml', InvocationType: 'Event', Payload: new TextEncoder().encode('{}') }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
  });

  it('refuses a payload that is not JSON', async () => {
    await expect(client.send(new InvokeCommand({ FunctionName: 'retention-mjml', Payload: new TextEncoder().encode('{not json') }))).rejects.toMatchObject({
      name: 'InvalidRequestContentException',
    });
  });
});
