// The Branding step: theme colours (with their contrast warnings), images and the instance's static pages.
import { z } from "zod";
import { contrastRatio, hexColourSchema, MIN_CONTRAST, WHITE } from "./colours";
import { staticPagesSchema } from "./static-pages";

export const COLOUR_FIELDS = {
  mainColor: { label: "Main colour", text: "White button text", pair: (c: string): [string, string] => [WHITE, c] },
  linkColor: { label: "Link colour", text: "Links on the white page", pair: (c: string): [string, string] => [c, WHITE] },
  headerBackground: { label: "Header background", text: "White header text", pair: (c: string): [string, string] => [WHITE, c] },
  footerBackground: { label: "Footer background", text: "White footer text", pair: (c: string): [string, string] => [WHITE, c] },
} as const;

export type ColourField = keyof typeof COLOUR_FIELDS;
export const COLOUR_FIELD_NAMES = Object.keys(COLOUR_FIELDS) as ColourField[];

export const DEFAULT_COLOURS: Record<ColourField, string> = {
  mainColor: "#0f766e",
  linkColor: "#115e59",
  headerBackground: "#0f766e",
  footerBackground: "#1f2937",
};

type ContrastWarning = { field: ColourField; ratio: number; message: string };

/** Each colour whose text pairing falls below WCAG AA, said in words a non-designer understands. */
export function contrastWarnings(colours: Record<ColourField, string>): ContrastWarning[] {
  const warnings: ContrastWarning[] = [];
  for (const field of COLOUR_FIELD_NAMES) {
    const colour = colours[field];
    if (!/^#[0-9a-f]{6}$/i.test(colour ?? "")) continue;
    const [foreground, background] = COLOUR_FIELDS[field].pair(colour.toLowerCase());
    const ratio = contrastRatio(foreground, background);
    if (ratio < MIN_CONTRAST) {
      warnings.push({
        field,
        ratio,
        message: `${COLOUR_FIELDS[field].text} would be hard to read: contrast ${ratio.toFixed(1)}:1, at least ${MIN_CONTRAST}:1 is recommended.`,
      });
    }
  }
  return warnings;
}

/** An uploaded image as stored: checked by its content, kept in the object store under `key`. */
export const assetRefSchema = z.object({
  key: z.string().min(1).max(300),
  contentType: z.string().max(100),
  bytes: z.number().int().nonnegative(),
  width: z.number().int().nonnegative().nullable(),
  height: z.number().int().nonnegative().nullable(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type AssetRef = z.infer<typeof assetRefSchema>;

export const IMAGE_SLOTS = ["logo", "favicon", "heroCover", "footerLogo"] as const;
export type ImageSlot = (typeof IMAGE_SLOTS)[number];

export const brandingColoursSchema = z.object({
  mainColor: hexColourSchema,
  linkColor: hexColourSchema,
  headerBackground: hexColourSchema,
  footerBackground: hexColourSchema,
  acceptLowContrast: z.boolean().default(false),
});

/** What the client submits on the Branding step (images are uploaded separately, one request each). */
export const brandingInput = brandingColoursSchema
  .extend({ pages: staticPagesSchema })
  .superRefine((value, ctx) => {
    if (value.acceptLowContrast) return;
    for (const warning of contrastWarnings(value)) {
      ctx.addIssue({
        code: "custom",
        path: [warning.field],
        message: `${warning.message} Pick another colour, or tick "Use these colours anyway".`,
      });
    }
  });

export type BrandingInput = z.infer<typeof brandingInput>;

/** What an instance row keeps: the colours, the choice about contrast, and the images' object-store refs. */
export type Branding = z.infer<typeof brandingColoursSchema> & Partial<Record<ImageSlot, AssetRef | null>>;
