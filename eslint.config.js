// @ts-check
import tseslint from 'typescript-eslint'

// The sans-I/O rule: only src/node and src/cli may import node:* at run time or touch Buffer.
const nodeImports = {
  patterns: [
    {
      group: ['node:*'],
      message: 'The core is sans-I/O: node:* belongs in src/node or src/cli',
      allowTypeImports: true,
    },
  ],
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'build/', '.build-*/', 'docs/api/', 'fixtures/'] },
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts'],
    ignores: ['src/node/**', 'src/cli/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', nodeImports],
      'no-restricted-globals': ['error', { name: 'Buffer', message: 'Use Uint8Array in the core' }],
      'no-console': 'error',
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
)
