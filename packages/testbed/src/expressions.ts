/**
 * GitHub Actions expressions (`${{ }}`) evaluated with GitHub's own @actions/expressions,
 * so defaults in action.yml and, later, workflow `if:`/`with:` behave as on a runner.
 */
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';

export type Contexts = Record<string, unknown>;

export function toData(value: unknown): data.ExpressionData {
  if (value === null || value === undefined) return new data.Null();
  if (typeof value === 'string') return new data.StringData(value);
  if (typeof value === 'number') return new data.NumberData(value);
  if (typeof value === 'boolean') return new data.BooleanData(value);
  if (Array.isArray(value)) return new data.Array(...value.map(toData));
  const dict = new data.Dictionary();
  for (const [k, v] of Object.entries(value as object)) dict.add(k, toData(v));
  return dict;
}

export function fromData(value: data.ExpressionData): unknown {
  if (value instanceof data.Null) return null;
  if (value instanceof data.StringData || value instanceof data.NumberData || value instanceof data.BooleanData)
    return value.value;
  if (value instanceof data.Array) return value.values().map(fromData);
  if (value instanceof data.Dictionary) return Object.fromEntries(value.pairs().map((p) => [p.key, fromData(p.value)]));
  return (value as { coerceString(): string }).coerceString();
}

export type Functions = Record<string, (...args: unknown[]) => unknown>;

/** Evaluates one expression (without the `${{ }}`) to a JS value. */
export function evaluate(expression: string, contexts: Contexts, functions: Functions = {}): unknown {
  const lexed = new Lexer(expression).lex();
  const ext = Object.keys(functions).map((name) => ({ name, minArgs: 0, maxArgs: 0 }));
  const expr = new Parser(lexed.tokens, Object.keys(contexts), ext).parse();
  const defs = new Map<string, FunctionDefinition>(
    Object.entries(functions).map(([name, fn]) => [
      name.toLowerCase(),
      { name, minArgs: 0, maxArgs: 0, call: (...args) => toData(fn(...args.map(fromData))) },
    ]),
  );
  const ctx = new data.Dictionary(...Object.entries(contexts).map(([key, v]) => ({ key, value: toData(v) })));
  return fromData(new Evaluator(expr, ctx, defs).evaluate());
}

/** Replaces every `${{ expr }}` in a string with the expression's string value. */
export function interpolate(template: string, contexts: Contexts, functions: Functions = {}): string {
  return template.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) => {
    const v = evaluate(expr.trim(), contexts, functions);
    if (v === null || v === undefined) return '';
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
}
