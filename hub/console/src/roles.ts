// What a role may do on an alarm. The hub enforces it; the console only
// leaves out the buttons that would be refused.

/** `none`: viewers (and any role this console does not know); `ack`: guards; `all`: operator and above. */
export type Permission = 'none' | 'ack' | 'all';

const PERMISSIONS: ReadonlyMap<string, Permission> = new Map([
  ['viewer', 'none'],
  ['guard', 'ack'],
  ['operator', 'all'],
  ['safety', 'all'],
  ['admin', 'all'],
]);

export function permission(role: string): Permission {
  return PERMISSIONS.get(role) ?? 'none';
}
