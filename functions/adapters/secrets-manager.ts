/** Secrets read from Secrets Manager and cached by Powertools: the link-signing keyring, a platform's webhook secret. */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { parseKeyring, type Keyring } from '../links/signed-token';

export const secretsManagerKeyring = (secretArn: string) => async (): Promise<Keyring> => {
  const value = await getSecret(secretArn, { maxAge: 300 });
  if (typeof value !== 'string') throw new Error('signing secret is not a JSON string');
  return parseKeyring(value);
};

export const secretsManagerString = (secretArn: string) => async (): Promise<string> => {
  const value = await getSecret(secretArn, { maxAge: 300 });
  if (typeof value !== 'string' || !value) throw new Error('webhook secret is not a string');
  return value;
};
