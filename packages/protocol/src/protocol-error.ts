// Typed errors for malformed or unencodable protocol data. A decode error means the peer sent bytes
// that do not match the schema: the caller answers with an error or closes the connection; it never
// means the process is in a bad state.

export type ProtocolErrorCode =
  | 'BROOK_ERR_BUFFER_UNDERFLOW'
  | 'BROOK_ERR_INVALID_VARINT'
  | 'BROOK_ERR_INVALID_LENGTH'
  | 'BROOK_ERR_NULL_NOT_ALLOWED'
  | 'BROOK_ERR_INVALID_UUID'
  | 'BROOK_ERR_INVALID_VALUE'
  | 'BROOK_ERR_UNSUPPORTED_VERSION'
  | 'BROOK_ERR_UNKNOWN_API'
  | 'BROOK_ERR_FRAME_SIZE'

export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode

  constructor (code: ProtocolErrorCode, message: string) {
    super(message)
    this.name = 'ProtocolError'
    this.code = code
  }
}

/** A frame size prefix outside [0, maxFrameBytes]: the stream cannot be resynchronised, close it. */
export class FrameError extends ProtocolError {
  readonly size: number

  constructor (size: number, max: number) {
    super('BROOK_ERR_FRAME_SIZE', `frame size ${size} outside [0, ${max}]`)
    this.name = 'FrameError'
    this.size = size
  }
}
