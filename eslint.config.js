// Lint: TypeScript rules, a ban on HTML sinks, and the architecture's import boundaries.
import js from '@eslint/js';
import noUnsanitized from 'eslint-plugin-no-unsanitized';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const htmlSinks = [
  { selector: "AssignmentExpression[left.property.name=/^(innerHTML|outerHTML)$/]", message: 'HTML sinks are banned: render text with Preact or textContent.' },
  { selector: "CallExpression[callee.property.name='insertAdjacentHTML']", message: 'HTML sinks are banned: render text with Preact or textContent.' },
  { selector: "CallExpression[callee.object.name='document'][callee.property.name=/^(write|writeln)$/]", message: 'document.write is banned.' },
  { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: 'dangerouslySetInnerHTML is banned: seeds are untrusted.' },
];

/** Each context may import core/, ui/ and shared/, never another context. */
const contextBoundaries = (self) => ({
  patterns: [
    { group: ['**/build/*', '**/build'], message: 'build/ is node-only.' },
    ...['background', 'content', 'popup', 'options']
      .filter((context) => context !== self)
      .map((context) => ({ group: [`**/${context}/*`, `**/${context}`, `**/${context}.ts`], message: `No context imports another context (${context}).` })),
    { group: ['webextension-polyfill'], message: 'Import browser from src/shared/browser.ts, the one place that imports the polyfill.' },
    { group: ['gray-matter', 'node:*'], message: 'Bundled code must not use node or the YAML parser.' },
  ],
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', ...htmlSinks],
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'no-unsanitized': noUnsanitized },
    rules: { 'no-unsanitized/method': 'error', 'no-unsanitized/property': 'error' },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/shared/*', '**/content/*', '**/popup/*', '**/background/*', '**/background', '**/build/*', '**/ui/*'], message: 'core/ is pure: it imports nothing from a context.' },
          { group: ['webextension-polyfill', 'node:*', 'gray-matter', 'preact', 'preact/*'], message: 'core/ uses no browser, node or UI APIs.' },
        ],
      }],
    },
  },
  { files: ['src/background.ts', 'src/background/**'], rules: { 'no-restricted-imports': ['error', contextBoundaries('background')] } },
  { files: ['src/content/**'], rules: { 'no-restricted-imports': ['error', contextBoundaries('content')] } },
  { files: ['src/popup/**'], rules: { 'no-restricted-imports': ['error', contextBoundaries('popup')] } },
  { files: ['src/options/**'], rules: { 'no-restricted-imports': ['error', contextBoundaries('options')] } },
  {
    files: ['src/ui/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/shared/*', 'webextension-polyfill', 'node:*'], message: 'ui/ components are pure: they take data as props.' }] }] },
  },
  {
    files: ['src/shared/**'],
    ignores: ['src/shared/browser.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['webextension-polyfill'], message: 'Only src/shared/browser.ts imports the polyfill.' }] }] },
  },
);
