// The words for each way the dashboard can fail to reach its host. Text in backticks is shown
// as code (a command or a URL part).
import type { ConnectionProblem } from '../../host-client.ts'

export type ProblemText = { title: string, detail: string }

export function describeProblem (problem: ConnectionProblem): ProblemText {
  switch (problem) {
    case 'missing-token': return {
      title: 'This page needs its access token',
      detail: 'Open the full URL that `vault start --headless` printed, including its `?token=…` part.'
    }
    case 'bad-token': return {
      title: 'The host refused this access token',
      detail: 'The token in this URL is wrong or out of date (it changes each time the host starts). Open the URL the host printed most recently, including its `?token=…` part.'
    }
    case 'no-host': return {
      title: 'No vault host to connect to',
      detail: 'Open this dashboard from the Vault Manager app, or from the URL that `vault start --headless` printed.'
    }
    default: {
      const unreachable: never = problem
      throw new TypeError(`unknown connection problem ${String(unreachable)}`)
    }
  }
}
