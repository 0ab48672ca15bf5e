// Lint: TypeScript-aware rules plus the layer boundaries of design.md
// (renderer and helper never import main; shared imports nothing Node- or Electron-specific).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

const nodeOnly = ['node:*', 'electron', 'execa', 'drivelist', 'ws', 'sudo-prompt', 'fs', 'path', 'child_process', 'os', 'crypto', 'net'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'release/**', 'test-artifacts/**', '.cache/**', 'resources/demo-os/cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src-shared/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...nodeOnly, '**/src-main/**', '**/src-renderer/**', '**/helpers/**'] }],
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', { patterns: [...nodeOnly, '**/src-main/**', '**/helpers/**'] }],
    },
  },
  {
    files: ['helpers/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/src-main/**', '**/src-renderer/**', 'electron'] }] },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
