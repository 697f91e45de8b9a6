// What the engine loads at run time: the closure of relative imports from its entry files, and the
// npm packages it names. Sources are parsed with the TypeScript parser (a build-time tool only, so
// nothing that runs in a vault depends on it), which sees imports as the runtime will: type-only
// imports and exports vanish under type stripping and are skipped; everything else is followed.
// A load the parser cannot resolve (a computed `import()`, a `new URL(…, import.meta.url)` built
// at run time, a path made from import.meta.dirname) fails the build unless the loading file
// declares what it loads, so no file the engine needs can silently go missing from the bundle.
import { readFile } from 'node:fs/promises'
import { isBuiltin } from 'node:module'
import { join, posix } from 'node:path'
import ts from 'typescript'
import { namedError } from '../../../contract/named-error.ts'

export class UnresolvedImportError extends namedError('UnresolvedImportError') {}
export class MissingSourceError extends namedError('MissingSourceError') {}
export class SourceOutsideRootError extends namedError('SourceOutsideRootError') {}
export class StaleRuntimeLoadError extends namedError('StaleRuntimeLoadError') {}

export interface ImportGraphOptions {
  /** The directory that relative paths are taken from; it is never named in the result. */
  readonly sourceRoot: string
  /** Files the runtime starts from, relative to sourceRoot with '/' separators. */
  readonly entries: readonly string[]
  /** For a file with a load the parser cannot resolve: the files it loads, relative to sourceRoot. */
  readonly runtimeLoads?: Readonly<Record<string, readonly string[]>>
}

export interface ImportGraph {
  /** Every file reached, sorted, relative to sourceRoot. */
  readonly files: readonly string[]
  /** The npm packages imported by name (not subpath), sorted; Node built-ins left out. */
  readonly packages: readonly string[]
}

interface FileLoads {
  relative: string[]
  packages: string[]
  /** Line and text of each load that cannot be resolved from the source alone. */
  unresolved: string[]
}

const PARSED_EXTENSIONS = /\.(ts|mts|js|mjs)$/

export async function importGraph (options: ImportGraphOptions): Promise<ImportGraph> {
  const runtimeLoads = options.runtimeLoads ?? {}
  const files = new Set<string>()
  const packages = new Set<string>()
  const queue = options.entries.map(entry => ({ path: entry, from: '(entry)' }))
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const { path, from } = next
    if (files.has(path)) continue
    const text = await readSource(options.sourceRoot, path, from)
    files.add(path)
    if (!PARSED_EXTENSIONS.test(path)) continue
    const loads = loadsOf(path, text)
    for (const specifier of loads.relative) queue.push({ path: resolveRelative(path, specifier), from: path })
    for (const name of loads.packages) packages.add(name)
    const declared = runtimeLoads[path]
    if (loads.unresolved.length > 0 && declared === undefined) {
      throw new UnresolvedImportError(`${path}: cannot tell what ${loads.unresolved.join('; ')} loads; list the files it loads in the bundle's runtime loads`)
    }
    if (declared !== undefined && loads.unresolved.length === 0) {
      throw new StaleRuntimeLoadError(`${path} is declared to load files at run time but has no such load; remove it from the runtime loads`)
    }
    for (const loaded of declared ?? []) queue.push({ path: loaded, from: `${path} (runtime load)` })
  }
  for (const declaring of Object.keys(runtimeLoads)) {
    if (!files.has(declaring)) throw new StaleRuntimeLoadError(`runtime loads are declared for ${declaring}, which the entries do not import`)
  }
  return { files: [...files].sort(), packages: [...packages].sort() }
}

async function readSource (sourceRoot: string, path: string, from: string): Promise<string> {
  try {
    return await readFile(join(sourceRoot, ...path.split('/')), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new MissingSourceError(`${path} (imported by ${from}) does not exist`)
    throw err
  }
}

function resolveRelative (from: string, specifier: string): string {
  const resolved = posix.normalize(posix.join(posix.dirname(from), specifier))
  if (resolved === '..' || resolved.startsWith('../')) throw new SourceOutsideRootError(`${from} imports ${specifier}, which lies outside the source root`)
  return resolved
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageName (specifier: string): string {
  const segments = specifier.split('/')
  return (specifier.startsWith('@') ? segments.slice(0, 2) : segments.slice(0, 1)).join('/')
}

function stringValue (node: ts.Node | undefined): string | undefined {
  return node !== undefined && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined
}

function isImportMeta (node: ts.Node): node is ts.MetaProperty {
  return ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword && node.name.text === 'meta'
}

/** `import.meta.url` exactly. */
function isImportMetaUrl (node: ts.Node | undefined): boolean {
  return node !== undefined && ts.isPropertyAccessExpression(node) && isImportMeta(node.expression) && node.name.text === 'url'
}

function isRelative (specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../')
}

function loadsOf (path: string, text: string): FileLoads {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, path.endsWith('ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS)
  const loads: FileLoads = { relative: [], packages: [], unresolved: [] }
  const where = (node: ts.Node): string => `line ${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`
  const addSpecifier = (specifier: string, node: ts.Node): void => {
    if (isRelative(specifier)) loads.relative.push(specifier)
    else if (isBuiltin(specifier)) return
    else if (/^(\/|[a-z][a-z0-9+.-]*:|#)/i.test(specifier)) {
      throw new SourceOutsideRootError(`${path} ${where(node)}: ${JSON.stringify(specifier)} is neither relative nor a package name; the bundle cannot carry it`)
    } else loads.packages.push(packageName(specifier))
  }
  const unresolved = (node: ts.Node): void => {
    loads.unresolved.push(`${where(node)} (${node.getText(source).slice(0, 80)})`)
  }
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      if (node.importClause?.phaseModifier === ts.SyntaxKind.TypeKeyword) return
      const specifier = stringValue(node.moduleSpecifier)
      if (specifier !== undefined) addSpecifier(specifier, node)
      return
    }
    if (ts.isExportDeclaration(node)) {
      const specifier = stringValue(node.moduleSpecifier)
      if (!node.isTypeOnly && specifier !== undefined) addSpecifier(specifier, node)
      return
    }
    if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const specifier = stringValue(node.moduleReference.expression)
      if (!node.isTypeOnly && specifier !== undefined) addSpecifier(specifier, node)
      return
    }
    if (ts.isImportTypeNode(node)) return // `typeof import('x')`: types only
    if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || isRequireOrResolve(node.expression))) {
      const specifier = stringValue(node.arguments[0])
      if (specifier === undefined) unresolved(node)
      else addSpecifier(specifier, node)
      return
    }
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL' && isImportMetaUrl(node.arguments?.[1])) {
      const specifier = stringValue(node.arguments?.[0])
      if (specifier === undefined || !isRelative(specifier)) unresolved(node)
      else loads.relative.push(specifier)
      return
    }
    // Any other use of where this file lives may build the path of a file loaded at run time.
    if (ts.isPropertyAccessExpression(node) && isImportMeta(node.expression) && ['url', 'dirname', 'filename'].includes(node.name.text)) {
      unresolved(node)
      return
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return loads
}

/** `require('x')` and `import.meta.resolve('x')` name modules just as an import does. */
function isRequireOrResolve (callee: ts.Expression): boolean {
  if (ts.isIdentifier(callee)) return callee.text === 'require'
  return ts.isPropertyAccessExpression(callee) && isImportMeta(callee.expression) && callee.name.text === 'resolve'
}
