/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// The API serves dist/ at http://127.0.0.1:8000/ (SPA fallback); in development Vite proxies /api to it.
const apiTarget = process.env.REHEARSAL_API_URL ?? 'http://127.0.0.1:8000'

export default defineConfig({
  plugins: [react()],
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    sourcemap: false,
    target: 'es2022',
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    // Deadlines for hangs, not speed targets: a loaded CI machine must not fail a correct test.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
