import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	build: {
		// The SDK alone is about 900 kB minified; the warning says nothing new.
		chunkSizeWarningLimit: 1200
	},
	plugins: [
		sveltekit({
			compilerOptions: {
				// Runes everywhere in our own code; libraries decide for themselves.
				runes: ({ filename }) =>
					filename.split(/[/\\]/).includes('node_modules') ? undefined : true
			},
			adapter: adapter({ precompress: true }),
			// SvelteKit adds nonces to its own inline scripts and sends this as a
			// Content-Security-Policy header on every page it renders.
			csp: {
				mode: 'nonce',
				directives: {
					'default-src': ['none'],
					'script-src': ['self', 'wasm-unsafe-eval'],
					// SvelteKit's route announcer carries one fixed style attribute;
					// 'unsafe-hashes' with its hash allows exactly that value and no
					// other inline style.
					'style-src': [
						'self',
						'unsafe-hashes',
						'sha256-S8qMpvofolR8Mpjy4kQvEm7m1q8clzU4dfDH0AmvZjo='
					],
					'img-src': ['self', 'blob:'],
					'font-src': ['self'],
					'media-src': ['self', 'blob:'],
					'worker-src': ['self'],
					'manifest-src': ['self'],
					'object-src': ['none'],
					'base-uri': ['none'],
					'form-action': ['self'],
					'frame-ancestors': ['none']
				}
			}
		})
	],
	test: {
		expect: { requireAssertions: true },
		projects: [
			{
				extends: './vite.config.ts',
				test: {
					name: 'unit',
					environment: 'node',
					include: ['tests/unit/**/*.test.ts'],
					setupFiles: ['tests/support/log-level.ts']
				}
			},
			{
				extends: './vite.config.ts',
				test: {
					name: 'integration',
					environment: 'node',
					include: ['tests/integration/**/*.test.ts'],
					globalSetup: ['tests/support/integration-setup.ts'],
					setupFiles: ['tests/support/log-level.ts'],
					testTimeout: 120_000,
					hookTimeout: 120_000,
					// Each file talks to one shared Synapse; running them one at a
					// time keeps the two cores for Synapse and the Rust crypto.
					fileParallelism: false
				}
			}
		]
	}
});
