// The `ovh` package (v2) ships no types: what Lyceum uses of it, as its source (lib/ovh.es6.js) behaves.
declare module "ovh" {
  type OvhParams = {
    appKey: string;
    appSecret: string;
    consumerKey?: string;
    /** A preconfigured endpoint name (lib/endpoints.js); sets host and basePath. */
    endpoint?: string;
    host?: string;
    port?: number;
    basePath?: string;
    /** Socket timeout in ms. */
    timeout?: number;
    debug?: boolean | ((...args: unknown[]) => void);
  };
  type OvhClient = {
    /** Rejects with { error: HTTP status (or a message when there was no response), message: the API's message }. */
    requestPromised(method: "GET" | "POST" | "PUT" | "DELETE", path: string, params?: Record<string, unknown>): Promise<unknown>;
  };
  function ovh(params: OvhParams): OvhClient;
  export = ovh;
}
