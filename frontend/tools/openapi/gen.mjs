#!/usr/bin/env node
// The API's types for the UI, generated with openapi-typescript from the API's OpenAPI document:
//
//   node tools/openapi/gen.mjs [openapi.json]           writes src/api/schema.gen.ts (committed)
//   node tools/openapi/gen.mjs [openapi.json] --check   exits 1 when the committed file differs (make test)
//
// The input defaults to openapi.json beside package.json (`make api-types` dumps it from the app), or OPENAPI_FILE.
// openapi-fetch (src/api/client.ts) reads the generated `paths`, so a drift between UI and API fails `tsc -b`.
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import openapiTS, { astToString } from 'openapi-typescript'

const frontend = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const output = resolve(frontend, 'src/api/schema.gen.ts')
const args = process.argv.slice(2)
const check = args.includes('--check')
const input = resolve(process.env.OPENAPI_FILE ?? args.find((a) => !a.startsWith('--')) ?? resolve(frontend, 'openapi.json'))

let spec
try {
  spec = JSON.parse(readFileSync(input, 'utf8'))
} catch (error) {
  console.error(`gen-api: cannot read the OpenAPI document ${input}: ${error.message}`)
  console.error('gen-api: dump it from the API first (`make api-types`), or set OPENAPI_FILE.')
  process.exit(2)
}

const header = '// Generated from the API OpenAPI schema by tools/openapi/gen.mjs (`make api-types`). Do not edit.\n\n'
// A field with a default stays optional: the request models (SignUpIn, InterviewIn, AnswerIn) share components with
// the responses, and the UI must be free to leave those out. src/api/types.ts marks the few response fields that
// FastAPI always fills in (e.g. ExpressionAggregate) as present.
const code = header + astToString(await openapiTS(spec, { defaultNonNullable: false, alphabetize: true }))

if (check) {
  let committed = ''
  try {
    committed = readFileSync(output, 'utf8')
  } catch {
    // missing: reported below
  }
  if (committed !== code) {
    console.error(`gen-api: ${output} is out of date with the API schema; run \`make api-types\` and commit it.`)
    process.exit(1)
  }
  console.log('gen-api: src/api/schema.gen.ts matches the API schema')
} else {
  writeFileSync(output, code)
  console.log(`gen-api: ${Object.keys(spec.components?.schemas ?? {}).length} schemas -> ${output}`)
}
