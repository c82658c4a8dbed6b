import { describe, expect, it } from 'vitest';
import { extractCommitSignature, splitCommitHeaders } from './commit-object.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

const HEAD = [
  'tree aaff74984cccd156a469afa7d9ab10e4777beb24',
  'parent 76daf1aa5b63899f066828452a3818fc8054600e',
  'author T <t@x> 1795323993 +0000',
  'committer T <t@x> 1795323993 +0000',
].join('\n');

const SIGNATURE = ['-----BEGIN PGP SIGNATURE-----', '', 'iHUEABYIAB0WIQQ0hG4ZrWCN8o156pMPkuYECSG6', '=McuX', '-----END PGP SIGNATURE-----', ''].join('\n');

/** The header git inserts: the name, then each signature line behind one space. */
function signatureHeader(name: string, signature: string): string {
  const lines = signature.replace(/\n$/, '').split('\n');
  return `${name} ${lines.join('\n ')}\n`;
}

describe('extractCommitSignature', () => {
  it('reports an unsigned commit', () => {
    expect(extractCommitSignature(bytes(`${HEAD}\n\nmessage\n`))).toEqual({ kind: 'unsigned' });
  });

  it('joins continuation lines, blank ones included, into the armored signature', () => {
    const raw = bytes(`${HEAD}\n${signatureHeader('gpgsig', SIGNATURE)}\nmessage\n`);
    const result = extractCommitSignature(raw);
    expect(result).toMatchObject({ kind: 'signed', header: 'gpgsig', signature: SIGNATURE });
  });

  it('rebuilds the payload byte for byte: the object as it was before git added the header', () => {
    // A message that is not UTF-8 and that quotes a gpgsig line must survive untouched.
    const message = Buffer.concat([bytes('subject\n\nbody gpgsig line\ngpgsig not a header\n'), Buffer.from([0xff, 0xfe, 0x0a])]);
    const unsigned = Buffer.concat([bytes(`${HEAD}\nencoding ISO-8859-1\n\n`), message]);
    const signed = Buffer.concat([bytes(`${HEAD}\nencoding ISO-8859-1\n${signatureHeader('gpgsig', SIGNATURE)}\n`), message]);
    const result = extractCommitSignature(signed);
    expect(result.kind).toBe('signed');
    if (result.kind !== 'signed') return;
    expect(Buffer.from(result.payload).equals(unsigned)).toBe(true);
  });

  it('keeps other multi-line headers (mergetag) in the payload', () => {
    const mergetag = 'mergetag object 1111111111111111111111111111111111111111\n type commit\n tag v1\n \n tag message\n';
    const unsigned = `${HEAD}\n${mergetag}\nmerge\n`;
    const signed = `${HEAD}\n${mergetag}${signatureHeader('gpgsig', SIGNATURE)}\nmerge\n`;
    const result = extractCommitSignature(bytes(signed));
    expect(result.kind === 'signed' && Buffer.from(result.payload).toString()).toBe(unsigned);
    expect(result.kind === 'signed' && result.signature).toBe(SIGNATURE);
  });

  it('prefers gpgsig and strips gpgsig-sha256 from the payload too', () => {
    const other = SIGNATURE.replace('McuX', 'OTHR');
    const signed = `${HEAD}\n${signatureHeader('gpgsig', SIGNATURE)}${signatureHeader('gpgsig-sha256', other)}\nmessage\n`;
    const result = extractCommitSignature(bytes(signed));
    expect(result).toMatchObject({ kind: 'signed', header: 'gpgsig', signature: SIGNATURE });
    expect(result.kind === 'signed' && Buffer.from(result.payload).toString()).toBe(`${HEAD}\n\nmessage\n`);
  });

  it('uses a lone gpgsig-sha256 header', () => {
    const signed = `${HEAD}\n${signatureHeader('gpgsig-sha256', SIGNATURE)}\nmessage\n`;
    expect(extractCommitSignature(bytes(signed))).toMatchObject({ kind: 'signed', header: 'gpgsig-sha256', signature: SIGNATURE });
  });

  it('leaves look-alike headers in the payload, so adding one breaks the signature', () => {
    const signed = `${HEAD}\ngpgsigx extra\n${signatureHeader('gpgsig', SIGNATURE)}\nmessage\n`;
    const result = extractCommitSignature(bytes(signed));
    expect(result.kind === 'signed' && Buffer.from(result.payload).toString()).toBe(`${HEAD}\ngpgsigx extra\n\nmessage\n`);
  });

  it('refuses two gpgsig headers instead of concatenating them as git would', () => {
    const signed = `${HEAD}\n${signatureHeader('gpgsig', SIGNATURE)}${signatureHeader('gpgsig', SIGNATURE)}\nmessage\n`;
    expect(extractCommitSignature(bytes(signed))).toMatchObject({ kind: 'malformed' });
  });

  it('does not take a gpgsig line in the message for a header', () => {
    const raw = bytes(`${HEAD}\n\n${signatureHeader('gpgsig', SIGNATURE)}`);
    expect(extractCommitSignature(raw)).toEqual({ kind: 'unsigned' });
  });
});

describe('splitCommitHeaders', () => {
  it('gives each header its value and byte range, and where the message starts', () => {
    const raw = bytes('tree abc\nmergetag a\n b\n \n c\nauthor x\n\nmsg\n');
    const { headers, bodyStart } = splitCommitHeaders(raw);
    expect(headers.map((h) => [h.name, Buffer.from(h.value).toString(), raw.subarray(h.start, h.end).toString()])).toEqual([
      ['tree', 'abc', 'tree abc\n'],
      ['mergetag', 'a\nb\n\nc', 'mergetag a\n b\n \n c\n'],
      ['author', 'x', 'author x\n'],
    ]);
    expect(raw.subarray(bodyStart).toString()).toBe('\nmsg\n');
  });

  it('copes with an object that has no message and no final newline', () => {
    const { headers, bodyStart } = splitCommitHeaders(bytes('tree abc\nauthor x'));
    expect(headers.map((h) => h.name)).toEqual(['tree', 'author']);
    expect(bodyStart).toBe(17);
  });
});
