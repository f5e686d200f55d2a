import { expect, test, type Page } from "./fixtures/test";
import { makePng } from "../tests/helpers/sample-images";
import { confirmEmail, logIn } from "./fixtures/accounts";

/** The page is no wider than the screen (on the phone project's 390 px one, too). */
async function expectNoSidewaysScroll(page: Page) {
  const { width } = page.viewportSize()!;
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

// The whole path a school takes: sign up, confirm the address, go through every step of the registration
// wizard (one mistake per step, corrected), pay offline, watch the instance come up, open its themed site.
test("sign up, register through the wizard, pay and watch the instance come up live, then open it", async ({ page, context }) => {
  const suffix = Math.random().toString(36).slice(2, 8);
  const email = `school-${suffix}@example.org`;
  const subdomain = `e2e-${suffix}`;

  await page.goto("/signup");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Enter a valid email address")).toBeVisible();
  await expect(page.getByText("Use at least 10 characters")).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("status")).toContainText(`Check your inbox: we have sent a message to ${email}.`);
  await logIn(page, { email, password: "correct horse battery" });
  await expect(page.getByTestId("signed-in-as")).toHaveText(email);

  // 1. Instance
  await page.goto("/instances/new");
  await expect(page.getByRole("navigation", { name: "Registration steps" }).getByText("1. Instance")).toHaveAttribute("aria-current", "step");
  await page.getByLabel("Instance name").fill(`Academy ${suffix}`);
  await expect(page.getByLabel("Public contact email")).toHaveValue(email);
  await page.getByLabel("Privacy policy URL").fill("http://academy.example/privacy");
  await page.getByRole("button", { name: "Save and continue" }).click();
  await expect(page.getByText("Enter the full address of your privacy policy, starting with https://.")).toBeVisible();
  await page.getByLabel("Privacy policy URL").fill("https://academy.example/privacy");
  await page.getByRole("button", { name: "Save and continue" }).click();

  // 2. Domain
  await expect(page.getByRole("heading", { name: "Domain" })).toBeVisible();
  await page.getByLabel("Subdomain").fill("admin");
  await expect(page.getByText('"admin" is reserved. Choose another subdomain.').first()).toBeVisible();
  await page.getByLabel("Subdomain").fill(subdomain);
  await expect(page.getByText(`${subdomain}.localhost is available`)).toBeVisible();
  await expect(page.getByTestId("hostnames")).toContainText(`studio-${subdomain}.localhost`);
  await page.getByRole("button", { name: "Save and continue" }).click();

  // 3. Branding: a header colour white text cannot be read on, then a dark one.
  await expect(page.getByRole("heading", { name: "Branding" })).toBeVisible();
  await page.getByLabel("Header background", { exact: true }).fill("#ffff00");
  await expect(page.getByTestId("preview-header")).toHaveCSS("background-color", "rgb(255, 255, 0)");
  await page.getByRole("button", { name: "Save and continue" }).click();
  await expect(page.getByText(/White header text would be hard to read.*Pick another colour/)).toBeVisible();
  await page.getByLabel("Header background", { exact: true }).fill("#7c2d12");
  await expect(page.getByTestId("preview-header")).toHaveCSS("background-color", "rgb(124, 45, 18)");
  // A program renamed logo.png is refused by its content; a real PNG is taken.
  const program = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(256)]);
  await page.getByLabel("Logo", { exact: true }).setInputFiles({ name: "logo.png", mimeType: "image/png", buffer: program });
  await expect(page.getByText("This file is not an image we can use. Use PNG, JPEG, WebP, SVG.")).toBeVisible();
  await page.getByLabel("Logo", { exact: true }).setInputFiles({ name: "logo.png", mimeType: "image/png", buffer: makePng(240, 60) });
  await expect(page.getByRole("img", { name: "Current logo" })).toBeVisible();
  await expect(page.getByTestId("preview-header").locator("img")).toHaveJSProperty("naturalWidth", 240);
  await page.getByLabel("Show the About page").check();
  await page.getByRole("button", { name: "Save and continue" }).click();
  await expect(page.getByText("Write the About page, or hide it.")).toBeVisible();
  await page.getByLabel("About page (Markdown)").fill(`# About Academy ${suffix}\n\nWe teach **everything**. <script>alert(1)</script>`);
  await page.getByRole("button", { name: "Save and continue" }).click();

  // 4. Email
  await expect(page.getByRole("heading", { name: "Email" })).toBeVisible();
  await page.getByLabel("Sender address").fill("not an address");
  await page.getByRole("button", { name: "Save and continue" }).click();
  await expect(page.getByText("Enter a valid email address, like name@school.org.")).toBeVisible();
  await page.getByLabel("Sender address").fill(`courses@academy-${suffix}.example`);
  await page.getByRole("button", { name: "Save and continue" }).click();

  // 5. Plan
  await expect(page.getByRole("group", { name: "Plan" })).toBeVisible();
  await page.getByRole("radio", { name: /Scale/ }).check();
  await page.getByRole("button", { name: "Save and continue" }).click();

  // 6. Review & pay
  await expect(page.getByRole("heading", { name: /^Instance/ })).toBeVisible();
  const review = page.locator("main");
  await expect(review).toContainText(`Academy ${suffix}`);
  await expect(review).toContainText(`${subdomain}.localhost`);
  await expect(review).toContainText("#7c2d12");
  await expect(review).toContainText("PNG, 240 × 60 px");
  await expect(review).toContainText(`courses@academy-${suffix}.example`);
  await expect(review).toContainText("Scale — $499.00 / month");
  await expectNoSidewaysScroll(page);
  // Paying waits for the account's address to be confirmed through the emailed link.
  await expect(page.getByTestId("verify-email-notice")).toContainText(email);
  await expect(page.getByRole("button", { name: "Continue to payment" })).toBeDisabled();
  const reviewUrl = page.url();
  await confirmEmail(page, email);
  await page.goto(reviewUrl);
  await page.getByRole("button", { name: "Continue to payment" }).click();

  await expect(page.getByRole("heading", { name: "Checkout" })).toBeVisible();
  await page.getByRole("button", { name: /^Pay / }).click();

  // From here on nothing reloads the page: the status must change by itself over SSE.
  await expect(page).toHaveURL(/\/instances\/[0-9a-f-]{36}$/);
  let navigations = 0;
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) navigations++;
  });
  await expect(page.getByTestId("instance-status")).toHaveText("Running", { timeout: 60_000 });
  expect(navigations).toBe(0);
  await expect(page.getByRole("progressbar", { name: "Provisioning progress" })).toHaveAttribute("aria-valuenow", "100");
  await expect(page.locator('[data-step="boot_server"]')).toHaveAttribute("data-state", "done");
  await expectNoSidewaysScroll(page);

  const link = page.getByTestId("instance-link");
  await expect(link).toHaveAttribute("href", new RegExp(`^http://${subdomain}\\.localhost:\\d+/$`));
  const [site] = await Promise.all([context.waitForEvent("page"), link.click()]);
  await expect(site.getByRole("heading", { level: 1 })).toHaveText(`Academy ${suffix}`);
  await expect(site.locator("header.site-header")).toHaveCSS("background-color", "rgb(124, 45, 18)");
  await expect(site.getByRole("img", { name: `Academy ${suffix} logo` })).toHaveJSProperty("naturalWidth", 240);
  await site.getByRole("link", { name: "About" }).click();
  await expect(site.getByRole("heading", { name: `About Academy ${suffix}` })).toBeVisible();
  await expect(site.locator("main")).toContainText("<script>alert(1)</script>"); // shown as text, never run
});
