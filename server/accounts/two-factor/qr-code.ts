// The enrolment QR code as inline SVG, drawn on the server: the secret never goes to a third-party image service.
import { renderSVG } from "uqr";

export function qrCodeSvg(text: string): string {
  return renderSVG(text, { border: 2 });
}
