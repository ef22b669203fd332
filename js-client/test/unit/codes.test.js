import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CloseCode, ErrorCode, isTerminalClose } from '../../src/codes.js';

const protocol = new URL('../../../node/src/main/java/chatcluster/node/protocol/', import.meta.url);
const java = (name) => readFileSync(fileURLToPath(new URL(name, protocol)), 'utf8');

test('ErrorCode mirrors the Java enum, name for name and wire string for wire string', () => {
  const entries = [...java('ErrorCode.java').matchAll(/^\s*([A-Z][A-Z0-9_]*)\("([a-z_]+)"\)[,;]/gm)].map((m) => [m[1], m[2]]);
  assert.ok(entries.length >= 13, `parsed ${entries.length} Java error codes`);
  assert.deepEqual(Object.entries(ErrorCode), entries);
});

test('CloseCode mirrors the Java enum, with the same terminal codes', () => {
  const entries = [...java('CloseCode.java').matchAll(/^\s*([A-Z][A-Z0-9_]*)\((\d+), (true|false)\)[,;]/gm)]
    .map((m) => [m[1], { code: Number(m[2]), terminal: m[3] === 'true' }]);
  assert.ok(entries.length >= 10, `parsed ${entries.length} Java close codes`);
  assert.deepEqual(Object.entries(CloseCode).map(([k, v]) => [k, { ...v }]), entries);
});

test('the contract terminal codes are terminal and a lost link is not', () => {
  assert.deepEqual([1003, 1008, 4001, 4003].map(isTerminalClose), [true, true, true, true]);
  assert.deepEqual([1000, 1006, 1011, 1012, 1013, 4029].map(isTerminalClose), [false, false, false, false, false, false]);
});
