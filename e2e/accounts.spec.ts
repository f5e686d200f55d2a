import { expect, test } from "./fixtures/test";
import { logIn, signUp, uniqueEmail } from "./fixtures/accounts";
import { linkIn, waitForMail } from "./fixtures/harness";
import { E2E_STAFF } from "./fixtures/staff";

test("sign-up and log-in explain what is wrong, on the form", async ({ page }) => {
  const email = `dup-${Math.random().toString(36).slice(2, 8)}@example.org`;
  await page.goto("/signup");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("a good long password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("status")).toContainText(`Check your inbox: we have sent a message to ${email}.`);
  await logIn(page, { email, password: "a good long password" });
  await expect(page.getByTestId("signed-in-as")).toHaveText(email);
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByRole("link", { name: "Log in" })).toBeVisible();

  // A taken address gets the same answer as a new one (the owner is emailed instead): no account probing.
  await page.goto("/signup");
  await page.getByLabel("Email").fill(email.toUpperCase());
  await page.getByLabel("Password").fill("another long password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("status")).toContainText(`Check your inbox: we have sent a message to ${email}.`);
  await expect(page.getByText("already exists")).toHaveCount(0);

  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByText("Wrong email or password.")).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveValue(email);

  await page.getByLabel("Password").fill("a good long password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText(email);
});

test("the staff page: login for visitors, 403 for clients, the fleet for staff", async ({ page }) => {
  await page.goto("/staff");
  await expect(page).toHaveURL(/\/login\?next=%2Fstaff/);

  const email = `client-${Math.random().toString(36).slice(2, 8)}@example.org`;
  await signUp(page, email, "a good long password");
  const forbidden = await page.goto("/staff");
  expect(forbidden?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "403 — Not allowed" })).toBeVisible();
  await page.getByRole("button", { name: "Log out" }).click();

  await logIn(page, E2E_STAFF, "/staff");
  await expect(page.getByRole("heading", { name: "Fleet" })).toBeVisible();
  await expect(page.getByRole("cell", { name: email })).toHaveCount(0); // clients appear only with instances
});

test("the emailed confirmation link works once, then says it was used; payment waits for it", async ({ page }) => {
  const email = uniqueEmail("verify");
  await signUp(page, email);
  await page.goto("/instances");
  await expect(page.getByTestId("verify-email-notice")).toContainText(email);
  const link = linkIn(await waitForMail(email, /Confirm your email address/), "/verify-email");
  await page.goto(link);
  await expect(page.getByText("Your email address is confirmed.")).toBeVisible();
  await page.goto(link);
  await expect(page.getByText("This link has already been used.")).toBeVisible();
  await page.goto("/instances");
  await expect(page.getByTestId("verify-email-notice")).toHaveCount(0);
});

test("a forgotten password is reset through the emailed link", async ({ page }) => {
  const email = uniqueEmail("reset");
  await signUp(page, email, "the first password");
  await page.getByRole("button", { name: "Log out" }).click();
  await page.goto("/login");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page.getByRole("heading", { name: "Forgot your password?" })).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send me a reset link" }).click();
  await expect(page.getByText(`If an account exists for ${email}`)).toBeVisible();
  const link = linkIn(await waitForMail(email, /Reset your Lyceum password/), "/reset-password");
  await page.goto(link);
  await expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
  await page.getByLabel("New password").fill("short");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Use at least 10 characters for your password.")).toBeVisible();
  await page.getByLabel("New password").fill("the second password");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Your password has been changed.")).toBeVisible();
  await page.goto(link);
  await expect(page.getByText("This link has already been used.")).toBeVisible();
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("the second password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText(email);
});
