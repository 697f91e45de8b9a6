import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { IsolationLayerSchema } from '../../../../contract/upgrade.ts'
import { probeIsolation } from '../../../../node-core/upgrade/sandbox/isolation.ts'

describe('probeIsolation', () => {
  it('reports every layer as a contract row', async () => {
    const probe = await probeIsolation()
    assert.deepEqual(probe.layers.map(row => IsolationLayerSchema.parse(row).layer),
      ['network-namespace', 'permission-model', 'egress-monitor', 'environment-allow-list', 'resource-budgets'])
    assert.equal(probe.layers[0]?.active, probe.networkNamespace.available)
    assert.ok(probe.layers.every(row => row.detail !== ''))
  })

  it('finds the permission model on the pinned Node', async () => {
    assert.equal((await probeIsolation()).permissionModel.available, true)
  })

  it('turns a layer off on request, with the reason, whatever the machine allows', async () => {
    const probe = await probeIsolation({ disable: { 'network-namespace': 'testing the fallback', 'resource-budgets': 'no /proc here' } })
    assert.equal(probe.networkNamespace.available, false)
    assert.deepEqual(probe.layers.find(row => row.layer === 'network-namespace'), { layer: 'network-namespace', active: false, detail: 'disabled: testing the fallback' })
    assert.equal(probe.layers.find(row => row.layer === 'resource-budgets')?.active, false)
    assert.equal(probe.layers.find(row => row.layer === 'permission-model')?.active, true)
  })
})
