export function typeName(name: string): string
export function toTs(schema: unknown, indent?: string): string
export function generate(spec: unknown): string
