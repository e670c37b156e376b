/** The page's state in its URL: `#code=` and the base64url (RFC 4648 §5, padding optional) of the UTF-8 source. */

export function encodeSource(source: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(source)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeSource(encoded: string): string | undefined {
  try {
    const base64 = encoded.replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

/** The source a `#code=…` hash holds, if any. */
export function sourceFromHash(hash: string): string | undefined {
  const m = /^#code=([A-Za-z0-9_-]*=*)$/.exec(hash);
  return m ? decodeSource(m[1]) : undefined;
}
