// The pages the load balancer answers with itself when an instance's servers must not (or cannot) answer.
function page(title: string, message: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<style>
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; font-family: system-ui, sans-serif; background: #f5f7fb; color: #1f2937; }
  main { max-width: 32rem; padding: 2.5rem; background: #fff; border-radius: 12px; box-shadow: 0 4px 24px rgba(15, 23, 42, .08); text-align: center; }
  h1 { font-size: 1.5rem; margin: 0 0 .75rem; }
  p { line-height: 1.5; margin: 0; color: #4b5563; }
  footer { margin-top: 1.5rem; font-size: .8rem; color: #9ca3af; }
</style>
</head>
<body>
<main>
<h1>${title}</h1>
<p>${message}</p>
<footer>Hosted by Lyceum</footer>
</main>
</body>
</html>
`;
}

/** A suspended instance (HTTP 503): the site and its data are kept, visitors are told it is paused. */
export const MAINTENANCE_PAGE = page(
  "This site is temporarily unavailable",
  "The learning platform at this address is paused for maintenance. All courses and data are safe; please check back later.",
);

/** An instance with no healthy deployment yet (HTTP 503): it is being set up, or brought back up. */
export const PREPARING_PAGE = page(
  "This site is being prepared",
  "The learning platform at this address is being set up. This usually takes a few minutes; this page will be replaced by the site as soon as it is ready.",
);

/** Distinctive text the tests and the front door's confirmation look for. */
export const MAINTENANCE_PAGE_MARKER = "temporarily unavailable";
export const PREPARING_PAGE_MARKER = "being prepared";
