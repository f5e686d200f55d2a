import Link from "next/link";
import { serverApi } from "@/server/api/server-caller";
import { requireUser } from "@/server/auth/guards";

/** The organisations the account is a member of, with its role in each. */
export default async function OrganisationsPage() {
  await requireUser("/organisations");
  const organisations = await (await serverApi()).organisations.mine();
  return (
    <div className="stack">
      <h1>Organisations</h1>
      <ul className="stack">
        {organisations.map((organisation) => (
          <li key={organisation.id} className="card">
            <Link href={`/organisations/${organisation.id}`}>{organisation.name}</Link> ({organisation.isPersonal ? "personal, " : ""}
            your role: {organisation.role})
          </li>
        ))}
      </ul>
    </div>
  );
}
