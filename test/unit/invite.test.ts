/**
 * `retention studio invite`: the arguments are checked before any call to
 * AWS, and each bad one is named on one line (no network here).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { InviteArgumentError, parseInviteArgs, studioRoles } from '../../local/invite';
import { groupsOf, studioGroups } from '../../functions/studio/users';

const pool = 'eu-west-1_AbC123dEf';

describe('retention studio invite: arguments', () => {
  it('takes an email, a role and the pool id; the region comes from the pool id', () => {
    expect(parseInviteArgs(['ana@shop.example', '--role', 'editor', '--user-pool-id', pool])).toEqual({
      email: 'ana@shop.example',
      role: 'editor',
      userPoolId: pool,
      region: 'eu-west-1',
    });
  });

  it('takes --region when it is the pool\'s, and the options in any order', () => {
    expect(parseInviteArgs(['--region', 'ap-southeast-1', '--role', 'publisher', 'li@shop.example', '--user-pool-id', 'ap-southeast-1_x9']).region).toBe(
      'ap-southeast-1',
    );
  });

  it('puts a publisher in both groups and an editor in editors, the pool\'s own groups', () => {
    expect(studioRoles).toEqual(['editor', 'publisher']);
    expect(groupsOf.editor).toEqual([studioGroups.editors]);
    expect(groupsOf.publisher).toEqual([studioGroups.editors, studioGroups.publishers]);
  });

  it.each([
    [[], /EMAIL/],
    [['--role', 'editor', '--user-pool-id', pool], /EMAIL/],
    [['ana@shop.example', 'bo@shop.example', '--role', 'editor', '--user-pool-id', pool], /one EMAIL.*bo@shop\.example/],
    [['ana', '--role', 'editor', '--user-pool-id', pool], /EMAIL 'ana' is not an email address/],
    [['ana@shop', '--role', 'editor', '--user-pool-id', pool], /EMAIL 'ana@shop'/],
    [['ana@shop.example', '--user-pool-id', pool], /--role is required/],
    [['ana@shop.example', '--role', 'admin', '--user-pool-id', pool], /--role 'admin' is not one of editor, publisher/],
    [['ana@shop.example', '--role', 'Editor', '--user-pool-id', pool], /--role 'Editor'/],
    [['ana@shop.example', '--role', 'editor'], /--user-pool-id is required/],
    [['ana@shop.example', '--role', 'editor', '--user-pool-id', 'AbC123'], /--user-pool-id 'AbC123' is not a Cognito user pool id/],
    [['ana@shop.example', '--role', 'editor', '--user-pool-id', 'eu-west-1_'], /--user-pool-id/],
    [['ana@shop.example', '--role', 'editor', '--user-pool-id', pool, '--region', 'Europe'], /--region 'Europe' is not an AWS region/],
    [['ana@shop.example', '--role', 'editor', '--user-pool-id', pool, '--region', 'us-east-1'], /--region us-east-1 is not the region of user pool/],
    [['ana@shop.example', '--role', 'editor', '--user-pool-id', pool, '--rolle', 'x'], /--rolle/],
    [['ana@shop.example', '--role', '--user-pool-id', pool], /--role/],
  ])('refuses %j, naming the argument', (args, reason) => {
    let thrown: unknown;
    try {
      parseInviteArgs(args);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InviteArgumentError);
    expect((thrown as Error).message).toMatch(reason);
    expect((thrown as Error).message).not.toContain('\n');
  });

  it('the CLI exits 2 with the one-line reason, before any call to AWS', async () => {
    const cli = fileURLToPath(new URL('../../bin/retention.js', import.meta.url));
    const run = promisify(execFile)(process.execPath, [cli, 'studio', 'invite', 'ana@shop.example', '--role', 'owner', '--user-pool-id', pool]);
    const failure = await run.then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr.trim()).toBe("retention: --role 'owner' is not one of editor, publisher");
    expect(failure?.stdout).toBe('');
  });
});
