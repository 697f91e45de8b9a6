// What a "phone home" would reach in the hostile candidates suite: listeners the test owns on
// 127.0.0.1 only (TCP, HTTP, UDP, and a DNS responder for names under .test, RFC 2606), each
// counting what it received. Nothing here ever talks to a real resolver or leaves the machine.
import { createSocket, type Socket } from 'node:dgram'
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net'

export interface LoopbackListeners {
  tcpPort: number
  httpPort: number
  udpPort: number
  dnsPort: number
  /** What each received since the last reset. */
  received: () => { tcp: number, http: number, udp: number, dns: number }
  reset: () => void
  close: () => Promise<void>
}

const LOOPBACK = '127.0.0.1'

/** A DNS answer to `query` (RFC 1035 §4.1): its question, with one A record of 127.0.0.1. */
export function answerWithLoopback (query: Buffer): Buffer | undefined {
  if (query.length < 12) return undefined
  // The question ends after its name's zero-length label, then type and class.
  let end = 12
  while (end < query.length && query[end] !== 0) end += (query[end] ?? 0) + 1
  end += 5
  if (end > query.length) return undefined
  const header = Buffer.from([0, 0, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0])
  query.copy(header, 0, 0, 2)
  const answer = Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1])
  return Buffer.concat([header, query.subarray(12, end), answer])
}

async function listenTcp (server: TcpServer | HttpServer): Promise<number> {
  await new Promise<void>(resolve => { server.listen(0, LOOPBACK, resolve) })
  return (server.address() as AddressInfo).port
}

async function bindUdp (socket: Socket): Promise<number> {
  await new Promise<void>(resolve => { socket.bind(0, LOOPBACK, resolve) })
  return socket.address().port
}

export async function startLoopbackListeners (): Promise<LoopbackListeners> {
  const counts = { tcp: 0, http: 0, udp: 0, dns: 0 }
  const tcp = createTcpServer(socket => {
    counts.tcp++
    socket.on('error', () => {})
    socket.end()
  })
  const http = createHttpServer((_request, response) => { response.end('ok') })
  // Connections are counted, not requests: a phone home need not finish its request to be one.
  http.on('connection', () => { counts.http++ })
  const udp = createSocket('udp4')
  udp.on('message', () => { counts.udp++ })
  const dns = createSocket('udp4')
  dns.on('message', (query, from) => {
    counts.dns++
    const answer = answerWithLoopback(query)
    if (answer !== undefined) dns.send(answer, from.port, from.address)
  })
  const [tcpPort, httpPort, udpPort, dnsPort] = await Promise.all([listenTcp(tcp), listenTcp(http), bindUdp(udp), bindUdp(dns)])
  return {
    tcpPort,
    httpPort,
    udpPort,
    dnsPort,
    received: () => ({ ...counts }),
    reset: () => { counts.tcp = 0; counts.http = 0; counts.udp = 0; counts.dns = 0 },
    close: async () => {
      http.closeAllConnections()
      await Promise.all([
        new Promise<void>(resolve => { tcp.close(() => { resolve() }) }),
        new Promise<void>(resolve => { http.close(() => { resolve() }) }),
        new Promise<void>(resolve => { udp.close(resolve) }),
        new Promise<void>(resolve => { dns.close(resolve) })
      ])
    }
  }
}
