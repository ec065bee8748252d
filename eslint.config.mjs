// ESLint, only for the bugs the compiler does not catch: a promise nobody awaits (a chart that
// never shows, an error that vanishes) and a promise passed where a plain value is expected.
// Formatting is Prettier's job; unused variables are tsc's (noUnusedLocals/Parameters).
import tseslint from 'typescript-eslint';

export default tseslint.config({
  files: ['kernel-utils/src/**/*.ts'],
  languageOptions: {
    parser: tseslint.parser,
    parserOptions: { project: './kernel-utils/tsconfig.json', tsconfigRootDir: import.meta.dirname },
  },
  plugins: { '@typescript-eslint': tseslint.plugin },
  rules: {
    '@typescript-eslint/no-floating-promises': 'error',
    '@typescript-eslint/no-misused-promises': 'error',
  },
});
