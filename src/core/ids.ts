/**
 * Branded ids. Flink's ids are 16 random bytes printed as 32 lowercase hex characters; ours too, so
 * the CLI's `Cannot parse JobID` rule and the REST paths read the same.
 */
import { createHash, randomBytes } from 'node:crypto';

/** A job's id: 32 hex characters. */
export type JobId = string & { readonly __brand: 'JobId' };
/** A JobGraph vertex id (the head operator's id): 32 hex characters. */
export type JobVertexId = string & { readonly __brand: 'JobVertexId' };
/** A stable operator id, derived from the uid or the operator's place in the program. */
export type OperatorId = string & { readonly __brand: 'OperatorId' };

/** 32 random hex characters. */
export function randomHexId(): string {
  return randomBytes(16).toString('hex');
}

/** A new random JobId. */
export function newJobId(): JobId {
  return randomHexId() as JobId;
}

/** 32 hex characters derived from the text (md5), stable across runs and threads. */
export function stableHexId(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

const JOB_ID = /^[0-9a-fA-F]{32}$/;

/** Whether the text is a well-formed job id. */
export function isJobId(text: string): text is JobId {
  return JOB_ID.test(text);
}
