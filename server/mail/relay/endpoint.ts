// Where the instance mail relay listens, and what the VMs are told to connect to.
import type { Env } from "@/server/env";

type HostPort = { host: string; port: number };

type MailRelayEndpoint = {
  listen: HostPort;
  /** What a VM's Open edX connects to (LYCEUM_MAIL_RELAY_PUBLIC_HOST, else the listen address). */
  public: HostPort;
  /** STARTTLS when the relay has a certificate; plain SMTP otherwise (a private network only). */
  tls: "starttls" | "none";
};

type RelaySettings = Pick<Env, "LYCEUM_MAIL_RELAY_LISTEN" | "LYCEUM_MAIL_RELAY_PUBLIC_HOST" | "LYCEUM_MAIL_RELAY_TLS_CERT">;

export function mailRelayEndpoint(config: RelaySettings): MailRelayEndpoint {
  const listen = splitHostPort(config.LYCEUM_MAIL_RELAY_LISTEN);
  const publicHost = config.LYCEUM_MAIL_RELAY_PUBLIC_HOST ? splitHostPort(config.LYCEUM_MAIL_RELAY_PUBLIC_HOST, listen.port) : listen;
  return { listen, public: publicHost, tls: config.LYCEUM_MAIL_RELAY_TLS_CERT ? "starttls" : "none" };
}

function splitHostPort(value: string, defaultPort?: number): HostPort {
  const match = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(value);
  const port = match?.[2] ? Number(match[2]) : defaultPort;
  if (!match || port === undefined) throw new Error(`not a host:port: ${value}`);
  return { host: match[1]!, port };
}
