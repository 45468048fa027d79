import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Mode of every file the disk queue creates. */
export const FILE_MODE = 0o600;
/** Mode of the directories it creates. */
export const DIR_MODE = 0o700;

const SEGMENT_NAME = /^(\d{16})\.seg$/;

/** The file name of segment `id`: zero-padded so that names sort in id order. */
export function segmentName(id: number): string {
  return `${String(id).padStart(16, '0')}.seg`;
}

/** A segment file found on disk. */
export interface SegmentFile {
  id: number;
  path: string;
  size: number;
}

/** The segment files in `dir`, oldest first; other entries are ignored. */
export async function listSegmentFiles(dir: string): Promise<SegmentFile[]> {
  const found: SegmentFile[] = [];
  for (const name of await readdir(dir)) {
    const m = SEGMENT_NAME.exec(name);
    if (m === null) continue;
    const path = join(dir, name);
    const st = await stat(path);
    if (st.isFile()) found.push({ id: Number(m[1]), path, size: st.size });
  }
  return found.sort((a, b) => a.id - b.id);
}

/**
 * fsyncs a file or directory by path: for a directory, this makes the entries created, renamed or
 * removed in it durable.
 */
export async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
