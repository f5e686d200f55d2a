import { receiveBootReport } from "@/server/deployments/boot-report-intake";

// A deployment's server reporting a phase of its boot, with the token sealed into its configuration.
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return receiveBootReport(request, (await params).id);
}
