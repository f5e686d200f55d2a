// The Elasticsearch capability on a shared cluster with security on: per instance, a role that reaches only the
// instance's own indices (its index prefix) and a user holding that role alone.
export type SearchUserSpec = { user: string; role: string; password: string; indexPrefix: string };

export interface SearchSecurityDriver {
  readonly name: string;
  /** Creates (or resets) the role to `all` on `<indexPrefix>*` only, then the user with that role and this password. */
  ensureUser(spec: SearchUserSpec, signal?: AbortSignal): Promise<{ isNew: boolean }>;
  /** A user that is already gone is not an error. */
  deleteUser(user: string, signal?: AbortSignal): Promise<{ existed: boolean }>;
  /** A role that is already gone is not an error. */
  deleteRole(role: string, signal?: AbortSignal): Promise<{ existed: boolean }>;
}
