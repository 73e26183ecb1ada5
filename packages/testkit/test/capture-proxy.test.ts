import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type AddressInfo } from 'node:net'
import { RawConnection, apiVersionsV0Request, startCaptureProxy } from '@brook/testkit'

test('the capture proxy records request frames and forwards both ways once it has a target', async () => {
  // A stand-in upstream that echoes what it gets, so forwarding is visible from the client.
  const upstream = createServer((socket) => socket.pipe(socket))
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  const proxy = await startCaptureProxy()
  try {
    const held = await RawConnection.connect(proxy.host, proxy.port)
    held.write(apiVersionsV0Request(1))
    await assert.rejects(held.nextFrame(200), /no response frame/)
    held.destroy()

    proxy.setTarget('127.0.0.1', (upstream.address() as AddressInfo).port)
    const conn = await RawConnection.connect(proxy.host, proxy.port)
    const request = apiVersionsV0Request(2)
    // Split across writes to check reassembly.
    conn.write(request.subarray(0, 5))
    await new Promise((resolve) => setTimeout(resolve, 20))
    conn.write(request.subarray(5))
    const echoed = await conn.nextFrame(2000)
    assert.ok(echoed?.equals(request.subarray(4)))
    conn.destroy()

    assert.deepEqual(proxy.requests.map((r) => [r.connection, r.apiKey, r.apiVersion, r.correlationId]), [[0, 18, 0, 1], [1, 18, 0, 2]])
    assert.ok(proxy.requests[1]?.frame.equals(request))
  } finally {
    await proxy.close()
    upstream.close()
  }
})
