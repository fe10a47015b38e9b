// Reads what a step carries for the step view: its parameters (query, form, headers, JSON members) and the
// JWTs in it, decoded. Works on the redacted steps the window gets: a redacted JWT keeps header and claims.
import type { Check, Step } from "./types";

export interface Param {
  /** Where it was: "query", "form", "header", "json", "location" (the query of a redirect's target). */
  where: string;
  name: string;
  value: string;
}

function queryOf(url: string): [string, string][] {
  try {
    return [...new URL(url).searchParams.entries()];
  } catch {
    return [];
  }
}

const isForm = (headers: [string, string][]) =>
  headers.some(([k, v]) => k.toLowerCase() === "content-type" && v.startsWith("application/x-www-form-urlencoded"));

function formOf(body: string): [string, string][] {
  return [...new URLSearchParams(body).entries()];
}

function jsonMembers(body: string): [string, string][] {
  try {
    const v = JSON.parse(body);
    if (!v || typeof v !== "object" || Array.isArray(v)) return [];
    return Object.entries(v).map(([k, x]) => [k, typeof x === "string" ? x : JSON.stringify(x)]);
  } catch {
    return [];
  }
}

/** The request's parameters: query, then form body, then headers. */
export function requestParams(step: Step): Param[] {
  if (step.kind !== "http") return [];
  const r = step.request;
  const out: Param[] = queryOf(r.url).map(([name, value]) => ({ where: "query", name, value }));
  if (r.body && isForm(r.headers)) out.push(...formOf(r.body).map(([name, value]) => ({ where: "form", name, value })));
  out.push(...r.headers.map(([name, value]) => ({ where: "header", name, value })));
  return out;
}

/** The response's parameters: a redirect's callback query, the JSON body's members, then headers. */
export function responseParams(step: Step): Param[] {
  if (step.kind !== "http" || !step.response) return [];
  const r = step.response;
  const out: Param[] = [];
  const loc = r.headers.find(([k]) => k.toLowerCase() === "location")?.[1];
  if (loc) out.push(...queryOf(loc).map(([name, value]) => ({ where: "location", name, value })));
  out.push(...jsonMembers(r.body).map(([name, value]) => ({ where: "json", name, value })));
  out.push(...r.headers.map(([name, value]) => ({ where: "header", name, value })));
  return out;
}

export interface DecodedJwt {
  /** Where it was found: `response access_token`, `request header Authorization`, … */
  where: string;
  /** The field or header name (`id_token`, `authorization`). */
  name: string;
  header: unknown;
  claims: unknown;
  /** Whether the signature reached the window redacted (the usual case for tokens). */
  signatureRedacted: boolean;
}

// header.claims.signature, where the signature may already be a redaction marker.
const JWT = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.(?:<redacted:[a-z_]+>|[A-Za-z0-9_-]*)/g;

function b64json(part: string): unknown {
  const b64 = part.replace(/-/g, "+").replace(/_/g, "/");
  const text = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** A JWT string decoded, or null when it is not one (an opaque token, a marker, garbage). */
export function decodeJwt(token: string): { header: unknown; claims: unknown; signatureRedacted: boolean } | null {
  const [h, c, s] = token.split(".");
  if (s === undefined) return null;
  try {
    return { header: b64json(h), claims: b64json(c), signatureRedacted: s.startsWith("<redacted") };
  } catch {
    return null;
  }
}

/** Every JWT in a step's parameters, each once, with where it was. */
export function jwtsOf(step: Step): DecodedJwt[] {
  const out: DecodedJwt[] = [];
  const seen = new Set<string>();
  const scan = (side: string, list: Param[]) => {
    for (const p of list) {
      for (const m of p.value.matchAll(JWT)) {
        if (seen.has(m[0])) continue;
        const d = decodeJwt(m[0]);
        if (!d) continue;
        seen.add(m[0]);
        const label = p.where === "header" ? `${side} header ${p.name}` : `${side} ${p.name}`;
        out.push({ where: label, name: p.name.toLowerCase(), ...d });
      }
    }
  };
  scan("request", requestParams(step));
  scan("response", responseParams(step));
  return out;
}

/** Key-order-independent JSON, to tell whether two decoded claim sets are the same token's. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

type ChecksDetails = { token?: string; claims?: unknown; checks?: Check[] };

/** The checks the run made of this token: the `checks` step whose decoded claims are this token's. */
export function checksFor(jwt: DecodedJwt, steps: Step[]): { seq: number; checks: Check[] } | null {
  const claims = canonical(jwt.claims);
  for (const s of steps) {
    if (s.category !== "checks" || s.kind !== "local") continue;
    const d = s.details as ChecksDetails | null;
    if (d?.checks && d.claims !== undefined && canonical(d.claims) === claims) return { seq: s.seq, checks: d.checks };
  }
  return null;
}

/** A step's timing: how long its exchange took (HTTP steps) and when it started, relative to the first step. */
export function timing(step: Step, steps: Step[]): { durationMs: number | null; offsetMs: number | null } {
  const durationMs = step.kind === "http" && step.response ? step.response.elapsed_ms : null;
  const first = steps[0];
  return { durationMs, offsetMs: first ? Math.max(0, step.at_ms - first.at_ms) : null };
}
