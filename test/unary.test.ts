/** The unary kernel's cases (test/browser/cases/unary.case.ts, also run in Chromium) under Node's Dawn. */
import { describe } from 'vitest';
import { cases } from './browser/cases/unary.case.ts';
import { itCases } from './browser/node-cases.ts';

describe('unary kernel: activations, and ops then activation', () => itCases(cases));
