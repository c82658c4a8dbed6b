import { describe, expect, it } from 'vitest';
import { splitImage, updateImage } from './images.js';

describe('splitImage', () => {
  it.each([
    ['nginx', 'nginx', '', ''],
    ['nginx:1.25', 'nginx', '1.25', ''],
    ['registry.example.com:5000/team/api:2.0', 'registry.example.com:5000/team/api', '2.0', ''],
    ['localhost:5000/tool', 'localhost:5000/tool', '', ''],
    ['postgres@sha256:abc', 'postgres', '', 'sha256:abc'],
    ['redis:7@sha256:abc', 'redis', '7', 'sha256:abc'],
  ])('%s', (image, name, tag, digest) => {
    expect(splitImage(image)).toEqual({ name, tag, digest });
  });
});

describe('updateImage', () => {
  it('replaces tag and digest together, keeps a port-qualified registry', () => {
    expect(updateImage('redis:7@sha256:abc', { name: 'redis', newTag: '8' })).toBe('redis:8');
    expect(updateImage('redis:7', { name: 'redis', digest: 'sha256:def' })).toBe('redis@sha256:def');
    expect(updateImage('host:5000/a:1', { name: 'host:5000/a', newName: 'b' })).toBe('b:1');
  });

  it('matches the whole image name only', () => {
    expect(updateImage('nginx-extra:1', { name: 'nginx', newTag: '2' })).toBe('nginx-extra:1');
    expect(updateImage('docker.io/nginx:1', { name: 'nginx', newTag: '2' })).toBe('docker.io/nginx:1');
  });
});
