// Locates non-TypeScript fixtures (Python scripts, data files). tsc does not copy them to dist,
// so they are read from the package's source tree: dist/src/fixtures.js -> ../../test/fixtures.
import { fileURLToPath } from 'node:url'

const fixturesRoot = new URL('../../test/fixtures/', import.meta.url)

export function fixturePath (name: string): string {
  return fileURLToPath(new URL(name, fixturesRoot))
}
