import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseProperties } from '../../src/config/properties.js'

test('parses key=value, key: value and key value lines, skipping comments and blanks', () => {
  const props = parseProperties([
    '# a comment',
    '! another comment',
    '',
    'listeners=PLAINTEXT://127.0.0.1:9092',
    '  num.partitions : 3',
    'log.dirs /tmp/a,/tmp/b',
    'empty='
  ].join('\n'))
  assert.deepEqual(props, {
    listeners: 'PLAINTEXT://127.0.0.1:9092',
    'num.partitions': '3',
    'log.dirs': '/tmp/a,/tmp/b',
    empty: ''
  })
})

test('joins continuation lines and decodes escapes; later keys win', () => {
  const props = parseProperties('a=1\nlist=x,\\\n    y,\\\n    z\nkey\\=with\\:sep=v\\tw\\u0041\r\na=2\n')
  assert.equal(props.list, 'x,y,z')
  assert.equal(props['key=with:sep'], 'v\twA')
  assert.equal(props.a, '2')
})
