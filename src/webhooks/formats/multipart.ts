// Just enough multipart/form-data to take a file out of an upload (kdump's vmcore-dmesg.txt,
// ABRT's reporter-ureport posting its JSON as the "file" field). Bodies are text here.

export interface FormPart {
  name: string | null;
  filename: string | null;
  contentType: string | null;
  value: string;
}

export function isMultipart(contentType: string | null): boolean {
  return !!contentType && /^multipart\/form-data/i.test(contentType);
}

/** The parts of a multipart/form-data body, or a reason it cannot be read. */
export function parseMultipart(body: string, contentType: string): FormPart[] | string {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) return 'multipart/form-data without a boundary';
  const delimiter = `--${boundary}`;
  const parts: FormPart[] = [];
  const chunks = body.split(delimiter);
  // chunks[0] is the preamble; a chunk starting with "--" is the epilogue after the close delimiter.
  for (const chunk of chunks.slice(1)) {
    if (chunk.startsWith('--')) break;
    const text = chunk.replace(/^\r?\n/, '');
    const sep = /\r?\n\r?\n/.exec(text);
    if (!sep) continue;
    const head = text.slice(0, sep.index);
    const value = text.slice(sep.index + sep[0].length).replace(/\r?\n$/, '');
    const disposition = /content-disposition:([^\r\n]*)/i.exec(head)?.[1] ?? '';
    parts.push({
      name: /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? null,
      filename: /\bfilename="([^"]*)"/i.exec(disposition)?.[1] ?? null,
      contentType: /content-type:\s*([^\r\n]*)/i.exec(head)?.[1]?.trim() ?? null,
      value,
    });
  }
  if (parts.length === 0) return 'multipart/form-data body with no parts';
  return parts;
}

/** The uploaded file: the part with a file name, else one named like `names`, else the only part. */
export function uploadedFile(parts: FormPart[], names: string[]): FormPart | null {
  return (
    parts.find((p) => p.filename !== null) ??
    parts.find((p) => p.name !== null && names.includes(p.name)) ??
    (parts.length === 1 ? parts[0] : null)
  );
}

/** A form field's value (`host`, `collectedAt` ... sent next to the file). */
export function field(parts: FormPart[], name: string): string | null {
  const p = parts.find((x) => x.name === name && x.filename === null);
  return p ? p.value.trim() || null : null;
}
