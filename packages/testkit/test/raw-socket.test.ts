import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { RawConnection, apiVersionsV0Request, parseApiVersionsV0 } from '@brook/testkit'

test('apiVersionsV0Request lays out size, key 18, version 0, correlation id and client id', () => {
  const bytes = apiVersionsV0Request(7, 'ab')
  assert.equal(bytes.toString('hex'), '0000000c' + '0012' + '0000' + '00000007' + '0002' + '6162')
})

test('parseApiVersionsV0 reads the error code and the key ranges', () => {
  const body = Buffer.from('00000007' + '0000' + '00000002' + '000000000009' + '001200000003', 'hex')
  assert.deepEqual(parseApiVersionsV0(body), {
    correlationId: 7,
    errorCode: 0,
    apis: [{ apiKey: 0, minVersion: 0, maxVersion: 9 }, { apiKey: 18, minVersion: 0, maxVersion: 3 }]
  })
})

test('RawConnection reassembles frames split across writes and reports a close', async () => {
  const server = createServer((socket: Socket) => {
    // Two frames ("ab", "cde") delivered in awkward pieces, then the server hangs up.
    socket.write(Buffer.from('000000', 'hex'))
    setTimeout(() => socket.write(Buffer.from('02616200', 'hex')), 10)
    setTimeout(() => socket.end(Buffer.from('000003636465', 'hex')), 20)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  try {
    const conn = await RawConnection.connect('127.0.0.1', port)
    assert.equal((await conn.nextFrame(2000))?.toString(), 'ab')
    assert.equal((await conn.nextFrame(2000))?.toString(), 'cde')
    assert.equal(await conn.answeredOrClosed(2000), 'closed')
    assert.equal(conn.isClosed, true)
  } finally {
    server.close()
  }
})
