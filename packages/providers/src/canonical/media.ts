import type { MediaSource } from "./model.ts";

/** A `data:` URI or a URL as a media source. */
export function mediaFromUrl(url: string): MediaSource {
  const data = /^data:([\w.+-]+\/[\w.+-]+);base64,(.*)$/is.exec(url);
  return data
    ? { kind: "base64", mediaType: (data[1] as string).toLowerCase(), data: data[2] as string }
    : { kind: "url", url };
}

export const dataUri = (source: { mediaType: string; data: string }) =>
  `data:${source.mediaType};base64,${source.data}`;

const byExtension: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  heic: "image/heic",
  heif: "image/heif",
  pdf: "application/pdf",
  txt: "text/plain",
};

/** The media type a URL's extension implies, for protocols that need one (Gemini's fileData). */
export function mediaTypeOfUrl(url: string, fallback: string): string {
  const path = url.split(/[?#]/)[0] ?? "";
  const extension = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  return byExtension[extension] ?? fallback;
}
