import { serverApi } from "@/server/api/server-caller";
import { requireUser } from "@/server/auth/guards";
import { isStaff } from "@/server/auth/roles";
import { TwoFactorSettings } from "./two-factor-settings";

export default async function AccountSecurityPage({ searchParams }: { searchParams: Promise<{ for?: string }> }) {
  const user = await requireUser("/account/security");
  const { for: reason } = await searchParams;
  const status = await (await serverApi()).account.twoFactor.status();
  const isOn = status.isOn;
  return (
    <>
      <h1>Two-factor sign-in</h1>
      {reason === "staff" && isStaff(user) && !isOn ? (
        <p className="notice" role="status">
          Staff accounts must turn on two-factor sign-in before using the staff console: a password alone would reach every
          school&apos;s instances.
        </p>
      ) : null}
      <p className="mb-4 text-slate-600">
        With two-factor sign-in, logging in takes your password and a code from an authenticator app on your phone (any app that
        supports TOTP codes), so a leaked password is not enough to get in.
      </p>
      <TwoFactorSettings isOn={isOn} enabledAt={status.enabledAt?.toISOString() ?? null} unusedRecoveryCodes={status.unusedRecoveryCodes} />
    </>
  );
}
