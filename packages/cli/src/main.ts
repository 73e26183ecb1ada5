export async function main (args: string[]): Promise<number> {
  console.error(`brook: not yet implemented: ${args.join(' ')}`)
  return 1
}
