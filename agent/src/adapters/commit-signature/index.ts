export { createCommitVerifier } from './verifier.js';
export type { CommitVerifier, TrustedSigners } from './verifier.js';
export { SignatureFailure } from './signature-verdict.js';
export type { SignatureFormat, SignatureVerdict } from './signature-verdict.js';
export { extractCommitSignature, splitCommitHeaders } from './commit-object.js';
export type { CommitHeader, CommitHeaders, CommitSignature, SignatureHeader } from './commit-object.js';
