/**
 * The MuJoCo physics engine (npm `mujoco-js`, MuJoCo 3.3.8 compiled to WebAssembly): loaded once
 * per process, plus a model compiler that explains bad MJCF.
 *
 * Loading is asynchronous and `make()` is synchronous, so a program that uses MuJoCo envs calls
 * `await loadMujoco()` once before the first `make('Hopper-v5')` (the `imitate` CLI does it for
 * every command that makes envs). After that, everything here is synchronous.
 *
 * mujoco-js reports a bad model as an opaque `CppException` without a message, so
 * {@link compileModel} first checks the XML itself ({@link validateMjcf}) and names the element
 * and line of the problem; a model that passes the checks and still fails is reported with its
 * name.
 */
import type { MainModule, MjModel } from 'mujoco-js';

/** The loaded mujoco-js module (MuJoCo's C API as `mj_*` functions, `MjModel`, `MjData`, `FS`). */
export type Mujoco = MainModule;
export type { MjData, MjModel } from 'mujoco-js';

// Shared through globalThis so that every copy of this file (e.g. dist/ loaded by the CLI and
// src/ loaded by a user's --import module) sees one engine, loaded once.
interface EngineHolder {
  loading: Promise<Mujoco> | null;
  loaded: Mujoco | null;
}
const holderKey = Symbol.for('imitate.mujoco-js');
const engine = ((globalThis as Record<symbol, unknown>)[holderKey] ??= { loading: null, loaded: null }) as EngineHolder;

/**
 * Loads the MuJoCo WebAssembly module (about 0.1 s, once per process; later calls return the
 * same module). Call it before making any MuJoCo env.
 */
export function loadMujoco(): Promise<Mujoco> {
  if (engine.loading === null) {
    // imported on demand: the module is 11 MB of JavaScript that programs without MuJoCo envs should not parse
    engine.loading = import('mujoco-js').then((m) => m.default()).then(
      (mj) => {
        engine.loaded = mj;
        return mj;
      },
      (err: unknown) => {
        engine.loading = null;
        throw new Error(`loadMujoco: the mujoco-js WebAssembly module failed to load: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
  }
  return engine.loading;
}

/** Whether {@link loadMujoco} has finished, so MuJoCo envs can be made synchronously. */
export function isMujocoLoaded(): boolean {
  return engine.loaded !== null;
}

/** The loaded module; throws a clear error naming `what` when {@link loadMujoco} has not finished. */
export function mujoco(what = 'MuJoCo'): Mujoco {
  const loaded = engine.loaded;
  if (loaded === null) {
    throw new Error(
      `${what}: the MuJoCo engine is not loaded; call \`await loadMujoco()\` (from 'imitate/envs') once before making MuJoCo envs`,
    );
  }
  return loaded;
}

/** A problem found in an MJCF document, with the element and 1-based line it concerns. */
export class MjcfError extends Error {
  constructor(
    readonly model: string,
    readonly line: number,
    readonly element: string,
    readonly problem: string,
  ) {
    super(`model '${model}', line ${line}${element === '' ? '' : `, <${element}>`}: ${problem}`);
    this.name = 'MjcfError';
  }
}

/** One element of a parsed MJCF document. */
export interface MjcfElement {
  name: string;
  attrs: Map<string, string>;
  line: number;
  parent: MjcfElement | null;
}

// MJCF elements this project's models and typical user models use; anything else is likely a typo.
const KNOWN_ELEMENTS = new Set(
  (
    'mujoco compiler lengthrange option flag size visual global quality headlight map scale rgba statistic default custom numeric text tuple ' +
    'element asset texture material mesh hfield skin bone vertex texcoord face worldbody body inertial joint freejoint geom site camera light ' +
    'frame replicate attach composite flexcomp contact pair exclude equality connect weld tendon spatial fixed pulley actuator motor position ' +
    'velocity general cylinder muscle damper intvelocity adhesion plugin extension instance config sensor touch accelerometer velocimeter gyro ' +
    'force torque magnetometer rangefinder camprojection jointpos jointvel jointlimitpos jointlimitvel jointlimitfrc jointactuatorfrc tendonpos ' +
    'tendonvel tendonlimitpos tendonlimitvel tendonlimitfrc tendonactuatorfrc actuatorpos actuatorvel actuatorfrc ballquat ballangvel ' +
    'framepos framequat framexaxis frameyaxis framezaxis framelinvel frameangvel framelinacc frameangacc subtreecom subtreelinvel ' +
    'subtreeangmom distance normal fromto clock user keyframe key include model deformable flex edge elasticity'
  ).split(' '),
);

// Attributes whose value is one or more numbers.
const NUMERIC_ATTRS = new Set(
  (
    'pos quat axisangle xyaxes zaxis euler fromto size range ctrlrange forcerange actuatorfrcrange gear axis ref springref stiffness ' +
    'damping armature frictionloss margin gap friction solref solimp solreflimit solimplimit solreffriction solimpfriction mass density ' +
    'diaginertia fullinertia timestep gravity wind magnetic viscosity impratio tolerance iterations ls_iterations noslip_iterations ' +
    'condim contype conaffinity group priority solmix rgba kp kv dampratio lengthrange gainprm biasprm dynprm ' +
    'nconmax njmax nstack nuser_geom nkey settotalmass boundmass boundinertia o_margin o_solref o_solimp o_friction coef springlength ' +
    'width stiffnessrange armaturerange polycoef cutoff noise'
  ).split(' '),
);

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// Elements under <actuator> name their transmission by joint, tendon, site or body.
const TRANSMISSION_REFS: [attr: string, target: string][] = [
  ['joint', 'joint'],
  ['jointinparent', 'joint'],
  ['site', 'site'],
  ['tendon', 'tendon'],
  ['body', 'body'],
];

/**
 * Parses `xml` as MJCF and checks what MuJoCo would otherwise reject without saying why:
 * well-formedness (balanced tags, quoted and unique attributes), a `<mujoco>` root, known element
 * names, numeric attributes that parse, no `<geom>` with both `fromto` and `pos`, and actuators
 * whose `joint` (or `site`, `tendon`, `body`) names an element that exists.
 *
 * @returns the elements in document order
 * @throws {MjcfError} at the first problem, naming the element and line
 */
export function validateMjcf(xml: string, model: string): MjcfElement[] {
  const lineStarts = [0];
  for (let i = 0; i < xml.length; i++) if (xml.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineOf = (pos: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };

  const elements: MjcfElement[] = [];
  const stack: MjcfElement[] = [];
  let root: MjcfElement | null = null;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    if (text.includes('>')) throw new MjcfError(model, lineOf(i + text.indexOf('>')), stack.at(-1)?.name ?? '', "stray '>' outside a tag");
    if (text.trim() !== '' && stack.length === 0) throw new MjcfError(model, lineOf(i), '', 'text outside the root element');
    if (lt === -1) break;
    const line = lineOf(lt);
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end === -1) throw new MjcfError(model, line, '', 'comment is never closed (missing -->)');
      i = end + 3;
      continue;
    }
    if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt + 2);
      if (end === -1) throw new MjcfError(model, line, '', 'processing instruction is never closed (missing ?>)');
      i = end + 2;
      continue;
    }
    const gt = findTagEnd(xml, lt + 1);
    if (gt === -1) throw new MjcfError(model, line, '', "tag is never closed (missing '>')");
    const body = xml.slice(lt + 1, gt);
    i = gt + 1;
    if (body.startsWith('/')) {
      const name = body.slice(1).trim();
      const open = stack.pop();
      if (open === undefined) throw new MjcfError(model, line, name, `closing tag </${name}> has no matching opening tag`);
      if (open.name !== name) throw new MjcfError(model, line, name, `closing tag </${name}> does not match <${open.name}> opened on line ${open.line}`);
      continue;
    }
    const selfClosing = body.endsWith('/');
    const inner = selfClosing ? body.slice(0, -1) : body;
    const nameMatch = /^[A-Za-z_][\w:.-]*/.exec(inner);
    if (nameMatch === null) throw new MjcfError(model, line, '', `malformed tag '<${body.slice(0, 20)}'`);
    const name = nameMatch[0];
    const attrs = parseAttributes(inner.slice(name.length), (problem) => new MjcfError(model, line, name, problem));
    const parent = stack.at(-1) ?? null;
    const el: MjcfElement = { name, attrs, line, parent };
    if (parent === null) {
      if (root !== null) throw new MjcfError(model, line, name, `a second root element after <${root.name}> (line ${root.line})`);
      if (name !== 'mujoco') throw new MjcfError(model, line, name, 'the root element must be <mujoco>');
      root = el;
    } else if (!KNOWN_ELEMENTS.has(name)) {
      throw new MjcfError(model, line, name, `unknown element <${name}> inside <${parent.name}> (a typo?)`);
    }
    checkAttributes(el, model);
    elements.push(el);
    if (!selfClosing) stack.push(el);
  }
  if (stack.length > 0) {
    const open = stack.at(-1)!;
    throw new MjcfError(model, open.line, open.name, `<${open.name}> is never closed`);
  }
  if (root === null) throw new MjcfError(model, 1, '', 'no <mujoco> root element (empty document?)');
  checkReferences(elements, model);
  return elements;
}

/** Index of the '>' that ends the tag starting after `from`, skipping quoted values; -1 if none. */
function findTagEnd(xml: string, from: number): number {
  let quote = '';
  for (let j = from; j < xml.length; j++) {
    const c = xml[j];
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return j;
    else if (c === '<') return -1;
  }
  return -1;
}

function parseAttributes(s: string, error: (problem: string) => MjcfError): Map<string, string> {
  const attrs = new Map<string, string>();
  const re = /\s+([A-Za-z_][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;
  let pos = 0;
  while (pos < s.length) {
    if (s.slice(pos).trim() === '') break;
    re.lastIndex = pos;
    const m = re.exec(s);
    if (m === null) {
      const rest = s.slice(pos).trim();
      const bare = /^([A-Za-z_][\w:.-]*)\s*=\s*([^\s"']+)/.exec(rest);
      if (bare !== null) throw error(`attribute ${bare[1]}=${bare[2]} is not quoted (write ${bare[1]}="${bare[2]}")`);
      throw error(`cannot parse attributes at '${rest.slice(0, 30)}'`);
    }
    if (attrs.has(m[1])) throw error(`attribute '${m[1]}' is given twice`);
    attrs.set(m[1], m[2] ?? m[3]);
    pos = re.lastIndex;
  }
  return attrs;
}

function checkAttributes(el: MjcfElement, model: string): void {
  for (const [attr, value] of el.attrs) {
    if (!NUMERIC_ATTRS.has(attr)) continue;
    // <size> in <visual> and <flag> use words; only check element kinds where these are numbers
    if (el.name === 'flag' || el.name === 'texture' || el.name === 'compiler') continue;
    const parts = value.trim().split(/\s+/);
    const bad = parts.find((p) => !NUMBER.test(p));
    if (value.trim() === '' || bad !== undefined) {
      throw new MjcfError(model, el.line, el.name, `attribute ${attr}="${value}" must be numbers, '${bad ?? ''}' is not a number`);
    }
  }
  if (el.name === 'geom' && el.attrs.has('fromto') && el.attrs.has('pos')) {
    throw new MjcfError(model, el.line, el.name, `a geom with both fromto and pos does not compile; drop pos (fromto places the geom)${nameSuffix(el)}`);
  }
}

function checkReferences(elements: MjcfElement[], model: string): void {
  const names = new Map<string, Set<string>>();
  const add = (kind: string, name: string) => {
    if (!names.has(kind)) names.set(kind, new Set());
    names.get(kind)!.add(name);
  };
  for (const el of elements) {
    const name = el.attrs.get('name');
    if (name === undefined || inside(el, 'default')) continue;
    if (el.name === 'freejoint') add('joint', name);
    else if (el.name === 'joint' && inside(el, 'worldbody')) add('joint', name);
    else if (el.name === 'site' || el.name === 'body') add(el.name, name);
    else if ((el.name === 'spatial' || el.name === 'fixed') && el.parent?.name === 'tendon') add('tendon', name);
  }
  for (const el of elements) {
    if (el.parent?.name !== 'actuator') continue;
    for (const [attr, kind] of TRANSMISSION_REFS) {
      const ref = el.attrs.get(attr);
      if (ref === undefined) continue;
      if (!(names.get(kind)?.has(ref) ?? false)) {
        const known = [...(names.get(kind) ?? [])];
        throw new MjcfError(
          model,
          el.line,
          el.name,
          `${attr}="${ref}" names no ${kind} in the model${nameSuffix(el)}; ${kind}s: ${known.length === 0 ? 'none' : known.join(', ')}`,
        );
      }
    }
  }
}

function inside(el: MjcfElement, ancestor: string): boolean {
  for (let p = el.parent; p !== null; p = p.parent) if (p.name === ancestor) return true;
  return false;
}

function nameSuffix(el: MjcfElement): string {
  const name = el.attrs.get('name');
  return name === undefined ? '' : ` (name="${name}")`;
}

let fileCounter = 0;

/**
 * Compiles an MJCF string into an `MjModel` (after {@link validateMjcf}). The caller owns the
 * model and frees it with `model.delete()`. Needs {@link loadMujoco} to have finished.
 *
 * @param name the model's name in error messages (e.g. the env id)
 * @throws {MjcfError} for problems found in the XML; an Error naming the model when MuJoCo
 *   rejects it anyway
 */
export function compileModel(xml: string, name: string): MjModel {
  const mj = mujoco(`compileModel('${name}')`);
  validateMjcf(xml, name);
  const dir = '/imitate-mjcf';
  if (!mj.FS.analyzePath(dir, false).exists) mj.FS.mkdir(dir);
  const path = `${dir}/model-${fileCounter++}.xml`;
  mj.FS.writeFile(path, xml);
  try {
    const model = mj.MjModel.loadFromXML(path) as MjModel | null;
    // some parse failures print to stderr and return null instead of throwing
    if (model === null) throw new Error('the engine returned no model');
    return model;
  } catch (err) {
    // mujoco-js throws CppException objects without a message (spec/tfjs-backends.md §4.4)
    const kind = err instanceof Error && typeof err.message === 'string' && err.message !== '' ? `: ${err.message}` : describeCppException(err);
    throw new Error(
      `compileModel: MuJoCo could not compile model '${name}'${kind}. The XML passed this project's checks (well-formed, known elements, ` +
        'numeric attributes, references); look for attribute values MuJoCo rejects (sizes ≤ 0, a zero-length fromto, a range without limited="true" ...) ' +
        'or bisect the XML',
    );
  } finally {
    mj.FS.unlink(path);
  }
}

function describeCppException(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    // mjXError: the XML parser rejected it; mjCError: the model compiler did
    const name = (err as { name?: unknown }).name;
    const what = name === 'mjXError' ? 'XML parse error' : name === 'mjCError' ? 'model compiler error' : String(name);
    return ` (${what}; the engine gives no message)`;
  }
  return ` (${String(err)})`;
}
