// Reads `export const NAME = <literal>` from a source file without running it, so the manifest
// describes the source tree being bundled (which may be any checkout, with no node_modules of its
// own) rather than the copy of the engine that the build tool happens to import.
import ts from 'typescript'
import { namedError } from '../../../contract/named-error.ts'

export class SourceConstantError extends namedError('SourceConstantError') {}

export type ConstantValue = string | number | boolean | ReadonlyArray<string | number>

function literalValue (node: ts.Expression): ConstantValue | undefined {
  // `[1] as const` and `x satisfies T` have the value of what they wrap.
  if (ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isParenthesizedExpression(node)) return literalValue(node.expression)
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text
  if (ts.isNumericLiteral(node)) return Number(node.text)
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true
  if (node.kind === ts.SyntaxKind.FalseKeyword) return false
  if (ts.isArrayLiteralExpression(node)) {
    const items = node.elements.map(element => literalValue(element))
    if (items.every((item): item is string | number => typeof item === 'string' || typeof item === 'number')) return items
  }
  return undefined
}

/** The exported constants of `text` whose initialisers are literals, by name. */
export function exportedConstants (fileName: string, text: string): Map<string, ConstantValue> {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS)
  const constants = new Map<string, ConstantValue>()
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue
    if (statement.modifiers?.some(modifier => modifier.kind === ts.SyntaxKind.ExportKeyword) !== true) continue
    if ((statement.declarationList.flags & ts.NodeFlags.Const) === 0) continue
    for (const declaration of statement.declarationList.declarations) {
      if (!ts.isIdentifier(declaration.name) || declaration.initializer === undefined) continue
      const value = literalValue(declaration.initializer)
      if (value !== undefined) constants.set(declaration.name.text, value)
    }
  }
  return constants
}

/** One exported literal constant of `fileName`, or a SourceConstantError naming what is wrong. */
export function exportedConstant (constants: ReadonlyMap<string, ConstantValue>, fileName: string, name: string): ConstantValue {
  const value = constants.get(name)
  if (value === undefined) throw new SourceConstantError(`${fileName} does not export ${name} as a literal constant`)
  return value
}
