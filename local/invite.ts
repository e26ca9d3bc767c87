/**
 * `retention studio invite EMAIL --role editor|publisher --user-pool-id ID [--region R]`:
 * gives a marketer an account on the deployed studio (lib/studio.ts). The pool
 * takes no sign-ups, so this (or the Cognito console) is the only way in.
 *
 * AdminCreateUser with the email as the user name, already verified (the
 * admin vouches for it), and Cognito emails the invitation with a temporary
 * password; then AdminAddUserToGroup. A publisher is in both groups: the
 * studio lets editors draft and publishers also publish. Inviting someone who
 * already has an account only adds the groups (an editor made publisher).
 */
import { groupsOf } from '../functions/studio/users';
import { parseArgs } from 'node:util';

/** A bad argument: the CLI prints the message on one line and exits non-zero. */
export class InviteArgumentError extends Error {}

export const studioRoles = ['editor', 'publisher'] as const;
export type StudioRole = (typeof studioRoles)[number];


export interface Invitation {
  email: string;
  role: StudioRole;
  userPoolId: string;
  region: string;
}

/** What Cognito takes as a user name in an email-named pool; the rest is Cognito's to refuse. */
const emailAddress = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const regionName = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;
/** `<region>_<id>`, as Cognito names a user pool: the region is in it. */
const userPoolIdPattern = /^([a-z]{2}(?:-[a-z]+)+-\d+)_[0-9a-zA-Z]+$/;

/** The arguments after `studio invite`; throws `InviteArgumentError` naming the argument at fault. */
export const parseInviteArgs = (args: string[]): Invitation => {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { role: { type: 'string' }, 'user-pool-id': { type: 'string' }, region: { type: 'string' }, config: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    // node:util's own words (unknown option, missing value), on one line.
    throw new InviteArgumentError((error as Error).message.replace(/\s*\n\s*/g, ' '));
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) throw new InviteArgumentError('studio invite takes the EMAIL of the person to invite');
  if (positionals.length > 1) throw new InviteArgumentError(`studio invite takes one EMAIL, not also '${positionals[1]}'`);
  const email = positionals[0]!.trim();
  if (email.length > 254 || !emailAddress.test(email)) throw new InviteArgumentError(`EMAIL '${email}' is not an email address`);

  if (values.role === undefined) throw new InviteArgumentError(`--role is required: ${studioRoles.join(' or ')}`);
  const role = values.role as StudioRole;
  if (!studioRoles.includes(role)) throw new InviteArgumentError(`--role '${values.role}' is not one of ${studioRoles.join(', ')}`);

  const userPoolId = values['user-pool-id'];
  if (userPoolId === undefined) throw new InviteArgumentError("--user-pool-id is required: the stack's output StudioUserPoolId");
  const poolRegion = userPoolIdPattern.exec(userPoolId)?.[1];
  if (!poolRegion) {
    throw new InviteArgumentError(`--user-pool-id '${userPoolId}' is not a Cognito user pool id (such as eu-west-1_AbC123dEf: the stack's output StudioUserPoolId)`);
  }
  const region = values.region ?? poolRegion;
  if (!regionName.test(region)) throw new InviteArgumentError(`--region '${region}' is not an AWS region (such as eu-west-1)`);
  if (region !== poolRegion) throw new InviteArgumentError(`--region ${region} is not the region of user pool ${userPoolId} (${poolRegion})`);
  return { email, role, userPoolId, region };
};

export interface InviteResult {
  /** False when the person already had an account: only the groups were added. */
  created: boolean;
  groups: readonly string[];
}

/** Creates the account (Cognito emails the invitation) and adds it to the role's groups. Credentials as the AWS CLI finds them. */
export const invite = async (invitation: Invitation): Promise<InviteResult> => {
  const { AdminAddUserToGroupCommand, AdminCreateUserCommand, CognitoIdentityProviderClient } = await import('@aws-sdk/client-cognito-identity-provider');
  const client = new CognitoIdentityProviderClient({ region: invitation.region });
  const { email, userPoolId: UserPoolId } = invitation;
  const groups = groupsOf[invitation.role];
  try {
    let created = true;
    try {
      await client.send(
        new AdminCreateUserCommand({
          UserPoolId,
          Username: email,
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'email_verified', Value: 'true' },
          ],
          DesiredDeliveryMediums: ['EMAIL'],
        }),
      );
    } catch (error) {
      const { name, message } = error as Error;
      // The admin named the pool: say which argument is wrong, not Cognito's words alone.
      if (name === 'ResourceNotFoundException') throw new InviteArgumentError(`--user-pool-id ${UserPoolId}: ${message} (in ${invitation.region})`);
      if (name !== 'UsernameExistsException') throw error;
      created = false;
    }
    for (const GroupName of groups) await client.send(new AdminAddUserToGroupCommand({ UserPoolId, Username: email, GroupName }));
    return { created, groups };
  } finally {
    client.destroy();
  }
};
