/**
 * Who may use the studio (docs/design.md §9): the Cognito groups of the
 * stack's user pool (lib/studio.ts creates them, `retention studio invite`
 * adds people to them) and the role the studio's function reads from a
 * signed-in user's token. Editors draft, preview and test-send; publishers
 * also publish and roll back (a publisher is in both groups).
 */
import type { StudioUser } from '../../studio/api';

export const studioGroups = { editors: 'editors', publishers: 'publishers' } as const;

/** The groups each role joins. */
export const groupsOf = {
  editor: [studioGroups.editors],
  publisher: [studioGroups.editors, studioGroups.publishers],
} as const satisfies Record<StudioUser['role'], readonly string[]>;

/**
 * The signed-in user, from the ID token's claims (its email names them in the
 * audit). API Gateway hands a list claim over as text (`[editors publishers]`),
 * so the groups are read as words. Undefined: signed in, but in neither group.
 */
export const userOf = (claims: Record<string, unknown> | undefined): StudioUser | undefined => {
  if (!claims) return undefined;
  const groups: string[] = String(claims['cognito:groups'] ?? '').match(/[\w-]+/g) ?? [];
  const id = String(claims.email ?? claims['cognito:username'] ?? claims.username ?? claims.sub ?? '');
  if (!id) return undefined;
  if (groups.includes(studioGroups.publishers)) return { id, role: 'publisher' };
  if (groups.includes(studioGroups.editors)) return { id, role: 'editor' };
  return undefined;
};
