import { describe, expect, it } from 'vitest'
import { generate, toTs } from '../../scripts/gen-api.mjs'

describe('OpenAPI -> TypeScript generator', () => {
  it('maps the JSON Schema shapes FastAPI/pydantic emit', () => {
    expect(toTs({ anyOf: [{ type: 'string', format: 'uuid' }, { type: 'null' }] })).toBe('string | null')
    expect(toTs({ type: 'string', enum: ['ko', 'en'] })).toBe('"ko" | "en"')
    expect(toTs({ const: 'pending' })).toBe('"pending"')
    expect(toTs({ type: 'array', items: { $ref: '#/components/schemas/Question-Output' } })).toBe('Question_Output[]')
    expect(toTs({ type: 'object', additionalProperties: { type: 'integer' } })).toBe('Record<string, number>')
    expect(toTs({ type: ['string', 'null'] })).toBe('string | null')
    expect(toTs({ type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'integer' }] } })).toBe(
      '(string | number)[]',
    )
  })

  it('emits component types and operations keyed by method and normalised path', () => {
    const code = generate({
      components: {
        schemas: {
          UserOut: {
            type: 'object',
            properties: { id: { type: 'string' }, locale: { type: 'string', enum: ['ko', 'en'] } },
            required: ['id', 'locale'],
          },
          SignIn: {
            type: 'object',
            properties: { email: { type: 'string' }, remember: { type: 'boolean', default: false } },
            required: ['email'],
          },
        },
      },
      paths: {
        '/api/auth/login': {
          post: {
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/SignIn' } } } },
            responses: { '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/UserOut' } } } } },
          },
        },
        '/api/interviews/{interview_id}': { delete: { responses: { '204': { description: 'gone' } } } },
      },
    })
    expect(code).toContain('export type UserOut = {\n  id: string\n  locale: "ko" | "en"\n}')
    expect(code).toContain('remember?: boolean')
    expect(code).toContain('"POST /api/auth/login": {\n    request: SignIn\n    response: UserOut\n  }')
    expect(code).toContain('"DELETE /api/interviews/{id}": {\n    request: never\n    response: void\n  }')
  })
})
