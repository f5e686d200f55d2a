// What covers the instance's names over HTTPS, and, when an issuance failed, what the certificate authority said.
import type { inferRouterOutputs } from "@trpc/server";
import { LocalTime } from "@/app/_components/local-time";
import type { AppRouter } from "@/server/api/root";

type CertificateRow = inferRouterOutputs<AppRouter>["certificates"]["forInstance"][number];

const SOURCE: Record<CertificateRow["source"], string> = {
  acme: "Let's Encrypt (ACME)",
  self_signed: "self-signed (development)",
  client: "your own certificate",
};

export function CertificatesPanel({ certificates }: { certificates: CertificateRow[] }) {
  if (certificates.length === 0) return null;
  return (
    <section className="card stack" aria-labelledby="certificates-heading">
      <h2 id="certificates-heading" className="mt-0">
        HTTPS certificates
      </h2>
      <ul className="stack">
        {certificates.map((certificate) => (
          <li key={certificate.id}>
            <p>
              <strong>{certificate.hostnames.join(", ")}</strong> — {SOURCE[certificate.source]}
              {certificate.challenge ? ` (${certificate.challenge})` : ""}:{" "}
              {certificate.notAfter ? (
                <>
                  valid until <LocalTime value={certificate.notAfter} shown="date" />
                </>
              ) : (
                "not issued yet"
              )}
            </p>
            {certificate.status === "failed" && certificate.lastError ? (
              <div role="alert" className="error">
                <p>
                  The last attempt
                  {certificate.lastAttemptAt ? (
                    <>
                      {" "}
                      (<LocalTime value={certificate.lastAttemptAt} />)
                    </>
                  ) : null}{" "}
                  failed
                  {certificate.lastError.identifier ? ` for ${certificate.lastError.identifier}` : ""}: {certificate.lastError.detail}
                </p>
                {certificate.lastError.type ? (
                  <p className="hint">
                    Problem type <code>{certificate.lastError.type}</code>
                    {certificate.lastError.status ? `, HTTP ${certificate.lastError.status}` : ""}
                  </p>
                ) : null}
              </div>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
