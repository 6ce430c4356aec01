/**
 * Uploaded job modules (Flink's jars): stored under `web.upload.dir` as `<uuid>_<name>`, where the
 * name is reduced to safe characters: a client's file name never becomes a path. What `run -m`
 * uploads is a bundle (program-compiler.ts) that carries the client's environment variables, so
 * uploads are readable by the cluster's user only.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MiniFlinkError } from '../core/errors.js';

/** File endings accepted as job modules. */
const MODULE = /\.(m?js|m?ts)$/;

/** An uploaded job module. */
export interface JarInfo {
  readonly id: string;
  readonly name: string;
  readonly uploaded: number;
}

/** The upload directory. */
export class JarStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** Stores an upload; returns its id. */
  save(clientName: string, bytes: Buffer): string {
    const base = clientName.split(/[\\/]/).pop() ?? 'job.js';
    const safe = base.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
    if (!MODULE.test(safe)) {
      throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', 'Only job modules (.js, .mjs, .ts, .mts) are allowed (Flink: Only Jar files are allowed.)');
    }
    // File systems allow 255 bytes a name: long names keep their start and their extension.
    const ext = /\.[^.]+$/.exec(safe)![0];
    const id = `${randomUUID()}_${safe.length > 160 ? `${safe.slice(0, 160 - ext.length)}${ext}` : safe}`;
    writeFileSync(join(this.dir, id), bytes, { mode: 0o600 });
    return id;
  }

  /** Path of a stored module; throws when there is none. */
  path(id: string): string {
    // An id that is not one (a path, `..`) names no file of this store: the message names the id
    // alone, not a path it might resolve to elsewhere (found by a review).
    if (!/^[0-9a-f-]{36}_[A-Za-z0-9._-]+$/.test(id)) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `No uploaded jar has the id '${id}' (ids are as /jars/upload answered them).`);
    if (!existsSync(join(this.dir, id))) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Jar file ${join(this.dir, id)} does not exist`);
    return join(this.dir, id);
  }

  /** Every stored module, newest first. */
  list(): JarInfo[] {
    return readdirSync(this.dir)
      .filter((f) => /^[0-9a-f-]{36}_/.test(f))
      .map((f) => ({ id: f, name: f.slice(37), uploaded: Math.round(statSync(join(this.dir, f)).mtimeMs) }))
      .sort((a, b) => b.uploaded - a.uploaded);
  }

  /** Deletes a module. */
  delete(id: string): void {
    if (!/^[0-9a-f-]{36}_[A-Za-z0-9._-]+$/.test(id) || !existsSync(join(this.dir, id))) {
      throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `File ${id} does not exist in ${this.dir}.`);
    }
    rmSync(join(this.dir, id));
  }
}
