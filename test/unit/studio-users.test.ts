/** docs/design.md §9: who a signed-in user is to the studio, from the claims API Gateway's JWT authorizer hands over. */
import { describe, expect, it } from 'vitest';
import { userOf } from '../../functions/studio/users';

describe('a studio user, from the ID token', () => {
  it('is a publisher in the publishers group, named by their email', () => {
    expect(userOf({ email: 'pat@shop.example', 'cognito:groups': '[editors publishers]', sub: 'u-1' })).toEqual({ id: 'pat@shop.example', role: 'publisher' });
  });

  it('is an editor in the editors group only', () => {
    expect(userOf({ email: 'eddie@shop.example', 'cognito:groups': '[editors]' })).toEqual({ id: 'eddie@shop.example', role: 'editor' });
  });

  it('reads the groups as a list too, as a token carries them', () => {
    expect(userOf({ email: 'pat@shop.example', 'cognito:groups': ['publishers'] })?.role).toBe('publisher');
  });

  it('is nobody when signed in but in neither group, or with no claims at all', () => {
    expect(userOf({ email: 'someone@shop.example', 'cognito:groups': '[marketing]' })).toBeUndefined();
    expect(userOf({ email: 'someone@shop.example' })).toBeUndefined();
    expect(userOf(undefined)).toBeUndefined();
  });

  it('is named by the user name when the token has no email (an access token)', () => {
    expect(userOf({ username: 'a1b2', 'cognito:groups': '[editors]' })).toEqual({ id: 'a1b2', role: 'editor' });
  });
});
