/**
 * Shows the QR code that the server rendered as SVG.
 *
 * The markup is never inserted as HTML. It is parsed, and only the view box and the path data
 * of the dark modules are copied into a new React `<svg>`, so nothing else from the document
 * (scripts, links, styles) can reach the page. Rendering inline also keeps the page within the
 * content security policy, whose `img-src 'self'` rules out `data:` and `blob:` image URLs.
 */
interface QrShape {
  viewBox: string;
  path: string;
}

/** Path data of the `qrcode` crate's SVG: moves and straight lines with whole numbers. */
const PATH_DATA = /^[MhvHV0-9 ]+$/;
const VIEW_BOX = /^0 0 \d+ \d+$/;

/** Extracts the QR code's shape from the server's SVG, or null when it has another form. */
function parseQrSvg(svg: string): QrShape | null {
  const document = new DOMParser().parseFromString(svg, "image/svg+xml");
  const root = document.documentElement;
  if (root.nodeName !== "svg") {
    return null;
  }
  const width = root.getAttribute("width");
  const height = root.getAttribute("height");
  const viewBox = root.getAttribute("viewBox") ?? `0 0 ${width ?? ""} ${height ?? ""}`;
  const path = root.querySelector("path")?.getAttribute("d") ?? "";
  if (!VIEW_BOX.test(viewBox) || !PATH_DATA.test(path)) {
    return null;
  }
  return { viewBox, path };
}

export function QrCode({ svg, label }: { svg: string; label: string }) {
  const shape = parseQrSvg(svg);
  if (shape === null) {
    return <p>The QR code could not be shown. Type the setup key below into your app instead.</p>;
  }
  return (
    <svg className="qr-code" role="img" aria-label={label} viewBox={shape.viewBox} width="200" height="200" shapeRendering="crispEdges">
      <rect x="0" y="0" width="100%" height="100%" fill="#fff" />
      <path d={shape.path} fill="#000" />
    </svg>
  );
}
