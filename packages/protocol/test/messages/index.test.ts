import { test } from 'node:test'
import assert from 'node:assert/strict'
import { apiByKey, apis } from '../../src/messages/index.js'
import { ApiKey } from '../../src/api-keys.js'
import * as internal from '../../src/internal-records/index.js'
import type { FieldSchema, MessageSchema, VersionRange } from '../../src/schema/types.js'
import { inVersions, parseVersions } from '../../src/schema/versions.js'
import { isPrimitive } from '../../src/schema/scalars.js'

/** Checks a struct's fields; returns the problems found. */
function checkFields (schema: MessageSchema, fields: readonly FieldSchema[], range: VersionRange, path: string, problems: string[]): void {
  const names = new Set<string>()
  const tags = new Set<number>()
  const flexible = parseVersions(schema.flexibleVersions)
  for (const f of fields) {
    const where = `${path}.${f.name}`
    if (!/^[a-z][A-Za-z0-9]*$/.test(f.name)) problems.push(`${where}: not camelCase`)
    if (names.has(f.name)) problems.push(`${where}: duplicate name`)
    names.add(f.name)
    // Within the message's validVersions. (Not always within the parent field's versions: a struct
    // shared by two fields, as in LeaderAndIsr, has fields only one of its uses carries.)
    const versions = parseVersions(f.versions)
    if (versions.min > versions.max) problems.push(`${where}: empty versions`)
    if (versions.min < range.min || versions.min > range.max) problems.push(`${where}: ${f.versions} starts outside ${schema.validVersions}`)
    if (versions.max !== Infinity && versions.max > range.max) problems.push(`${where}: ${f.versions} ends outside ${schema.validVersions}`)
    if (f.nullableVersions !== undefined) {
      parseVersions(f.nullableVersions)
      if (['bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'uuid'].includes(f.type)) problems.push(`${where}: ${f.type} cannot be null`)
    }
    if (f.tag !== undefined) {
      if (tags.has(f.tag)) problems.push(`${where}: duplicate tag ${f.tag}`)
      tags.add(f.tag)
      const tv = parseVersions(f.taggedVersions)
      if (tv.min < flexible.min) problems.push(`${where}: tagged in a non-flexible version`)
      if (tv.min < versions.min) problems.push(`${where}: tagged before it exists`)
    } else if (f.taggedVersions !== undefined) {
      problems.push(`${where}: taggedVersions without tag`)
    }
    const base = f.type.startsWith('[]') ? f.type.slice(2) : f.type
    if (isPrimitive(base)) {
      if (f.fields !== undefined) problems.push(`${where}: primitive with fields`)
    } else if (f.fields === undefined || f.fields.length === 0) {
      problems.push(`${where}: struct ${base} without fields`)
    } else {
      checkFields(schema, f.fields, range, where, problems)
    }
  }
}

function checkMessage (schema: MessageSchema): string[] {
  const problems: string[] = []
  const valid = parseVersions(schema.validVersions)
  if (valid.min > valid.max || valid.max === Infinity) problems.push(`${schema.name}: bad validVersions ${schema.validVersions}`)
  parseVersions(schema.flexibleVersions)
  checkFields(schema, schema.fields, valid, schema.name, problems)
  return problems
}

test('the registry is sorted by key, unique, and apiByKey finds every entry', () => {
  assert.ok(apis.length >= 80)
  for (let i = 1; i < apis.length; i++) assert.ok((apis[i - 1]?.key ?? -1) < (apis[i]?.key ?? -1), 'sorted, no duplicates')
  for (const api of apis) assert.equal(apiByKey(api.key), api)
  assert.equal(apiByKey(-1), undefined)
  assert.equal(apiByKey(10_000), undefined)
})

test('ApiKey names exactly the registry keys', () => {
  assert.deepEqual(Object.values(ApiKey).sort((a, b) => a - b), apis.map((a) => a.key))
  for (const api of apis) assert.equal((ApiKey as Record<string, number>)[api.name], api.key)
  assert.equal(ApiKey.Produce, 0)
  assert.equal(ApiKey.ApiVersions, 18)
  assert.equal(apiByKey(ApiKey.Fetch)?.name, 'Fetch')
})

test('each entry agrees with its schemas: names, versions, first flexible version', () => {
  for (const api of apis) {
    assert.equal(api.request.name, `${api.name}Request`)
    assert.equal(api.response.name, `${api.name}Response`)
    for (const s of [api.request, api.response]) {
      assert.deepEqual({ ...parseVersions(s.validVersions) }, { ...api.validVersions }, s.name)
      const flex = parseVersions(s.flexibleVersions)
      assert.equal(api.flexibleMin, flex.min > flex.max ? Infinity : flex.min, s.name)
    }
    if (api.flexibleMin !== Infinity) {
      assert.ok(inVersions(api.request.flexibleVersions, api.flexibleMin))
      assert.ok(!inVersions(api.request.flexibleVersions, api.flexibleMin - 1))
    }
  }
  assert.equal(apiByKey(ApiKey.ApiVersions)?.flexibleMin, 3)
  assert.equal(apiByKey(ApiKey.ControlledShutdown)?.flexibleMin, 3)
  assert.equal(apiByKey(ApiKey.Produce)?.flexibleMin, 9)
})

test('every field of every schema is well-formed and within its valid versions', () => {
  const schemas: MessageSchema[] = [...apis.flatMap((a) => [a.request, a.response]), ...(Object.values(internal) as MessageSchema[])]
  const problems = schemas.flatMap(checkMessage)
  assert.deepEqual(problems, [])
})
