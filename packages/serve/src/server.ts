import { createHash, timingSafeEqual } from "node:crypto";
import { performance } from "node:perf_hooks";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { HTTP_STATUS, ServeError } from "./errors.js";
import { decide } from "./exploration.js";
import { _readCheckpoint, type _ServedCheckpoint } from "./internal/_checkpoint.js";
import { _checkContext, _toServeError } from "./internal/_http-errors.js";
import { _DecisionLog } from "./internal/_log.js";
import { _Metrics } from "./internal/_metrics.js";
import { openApiDocument } from "./openapi.js";
import { type ResolvedServeOptions, resolveServeOptions, type ServeOptions } from "./options.js";
import {
  type DecisionRequest,
  DecisionRequestSchema,
  type DecisionResponse,
  DecisionResponseSchema,
  ErrorResponseSchema,
  HealthResponseSchema,
  type ReloadRequest,
  ReloadRequestSchema,
  type ReloadResponse,
  ReloadResponseSchema,
  RewardParamsSchema,
  type RewardRequest,
  RewardRequestSchema,
  type RewardResponse,
  RewardResponseSchema,
} from "./schemas.js";

/** Where {@link PolicyServer.listen} binds. */
export interface ListenOptions {
  /**
   * Address to bind; anything but loopback exposes the server to the network.
   * @defaultValue "127.0.0.1"
   */
  readonly host?: string;
  /**
   * Port; 0 picks a free one.
   * @defaultValue 8080
   */
  readonly port?: number;
}

/** A policy server (see docs/serving.md). */
export interface PolicyServer {
  /** The Fastify instance (for `inject` in tests, or to add routes before `listen`). */
  readonly app: FastifyInstance;
  /** Content digest of the checkpoint served now. */
  readonly checkpoint: string;
  /** The served policy's actions. */
  readonly actions: readonly string[];
  /** Bind and start answering; resolves to the base URL (`http://127.0.0.1:8080`). */
  listen(options?: ListenOptions): Promise<string>;
  /**
   * Load a checkpoint (the configured file again when `file` is absent) and serve it from the next
   * decision on; requests in flight finish with the policy they started with. On failure the old
   * checkpoint stays and `RELOAD_FAILED` is thrown.
   */
  reload(file?: string): Promise<ReloadResponse>;
  /** The metrics in the Prometheus text format. */
  metrics(): string;
  /** Stop accepting, finish requests in flight, commit the log and close it. */
  close(): Promise<void>;
}

interface Served {
  readonly checkpoint: _ServedCheckpoint;
  readonly file: string;
  readonly session: number;
  readonly known: ReadonlySet<string>;
  /** The serving probabilities of the decision being made (decisions are made one at a time). */
  readonly scratch: Float64Array;
}

const sha256 = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();

/** Send a {@link ServeError} as `{ error: { code, message, pointer } }` with its status. */
function sendError(reply: FastifyReply, error: ServeError): FastifyReply {
  return reply.code(HTTP_STATUS[error.code]).send({
    error: { code: error.code, message: error.message, pointer: error.pointer },
  });
}

/**
 * Open the decision log, load the checkpoint and build the HTTP server (not yet listening):
 * `POST /v1/decisions`, `POST /v1/decisions/{eventId}/reward`, `GET /healthz`, `GET /metrics`,
 * `POST /v1/admin/reload` (bearer token), `GET /openapi.json`. Every answer is acknowledged only
 * after the log committed it. Throws {@link ServeError} (`INVALID_OPTIONS`, `CHECKPOINT_UNREADABLE`,
 * `LOG_UNAVAILABLE`, `LOG_INVALID`).
 * @param options - checkpoint, log folder, seed, exploration, reward wait, admin token, limits
 */
export async function createPolicyServer(options: ServeOptions): Promise<PolicyServer> {
  const o = resolveServeOptions(options);
  const first = await _readCheckpoint(o.checkpoint);
  const log = _DecisionLog.open(o.log, true);
  log.fsync = o.durability === "disk";
  try {
    return buildServer(o, first, log);
  } catch (error) {
    await log.close();
    throw error;
  }
}

function buildServer(o: ResolvedServeOptions, first: _ServedCheckpoint, log: _DecisionLog): PolicyServer {
  const exploration = JSON.stringify(o.exploration);
  const metrics = new _Metrics();
  const startSession = (checkpoint: _ServedCheckpoint, file: string): Served => ({
    checkpoint,
    file,
    session: log.startSession(checkpoint, o.seed, exploration, o.now()),
    known: new Set(checkpoint.policy.actions),
    scratch: new Float64Array(checkpoint.policy.actions.length),
  });
  let served = startSession(first, o.checkpoint);
  const tokenHash = o.adminToken === null ? null : sha256(o.adminToken);

  const app = Fastify({
    bodyLimit: o.bodyLimit,
    logger: false,
    return503OnClosing: false, // answered by the onRequest hook below, in our error format
    // JSON.parse alone: the schemas refuse unknown members (a "__proto__" or "constructor" key
    // included) at every level and the context check refuses them as feature names, so the
    // parser's own scan of every body for those keys adds nothing
    onProtoPoisoning: "ignore",
    onConstructorPoisoning: "ignore",
    ajv: {
      customOptions: {
        removeAdditional: false,
        coerceTypes: false,
        useDefaults: false,
        allErrors: false,
        allowUnionTypes: true,
      },
    },
  });
  let shuttingDown = false;
  // a callback hook, not an async one: no promise per request
  app.addHook("onRequest", (_request, _reply, done) => {
    if (shuttingDown)
      done(new ServeError("SHUTTING_DOWN", "the server is shutting down; retry on another instance"));
    else done();
  });
  app.removeContentTypeParser("text/plain"); // JSON only: anything else is 415
  app.setErrorHandler((error, _request, reply) => {
    const e = _toServeError(error);
    metrics.error(e.code);
    return sendError(reply, e);
  });
  app.setNotFoundHandler((request, reply) => {
    metrics.error("NOT_FOUND");
    return sendError(
      reply,
      new ServeError("NOT_FOUND", `no route ${request.method} ${request.url.split("?")[0]}`),
    );
  });
  const errors = { 400: ErrorResponseSchema, 404: ErrorResponseSchema, 409: ErrorResponseSchema };

  app.post<{ Body: DecisionRequest }>(
    "/v1/decisions",
    { schema: { body: DecisionRequestSchema, response: { 200: DecisionResponseSchema, ...errors } } },
    async (request): Promise<DecisionResponse> => {
      const t0 = performance.now();
      const body = request.body;
      _checkContext(body.context);
      const current = served;
      const allowed = body.allowedActions;
      if (allowed !== undefined) {
        allowed.forEach((a, i) => {
          if (!current.known.has(a))
            throw new ServeError(
              "UNKNOWN_ACTION",
              `/allowedActions/${i}: the served policy has no action ${JSON.stringify(a)}; it knows ${JSON.stringify([...current.known])}`,
              { pointer: `/allowedActions/${i}` },
            );
        });
      }
      const context = JSON.stringify(body.context);
      const allowedText = allowed === undefined ? null : JSON.stringify(allowed);
      let eventId = body.eventId;
      if (eventId !== undefined) {
        const existing = log.find(eventId);
        if (existing !== undefined) {
          const d = existing.row;
          if (d.groupId !== (body.groupId ?? eventId) || d.context !== context || d.allowed !== allowedText) {
            throw new ServeError(
              "EVENT_EXISTS",
              `/eventId: event ${JSON.stringify(eventId)} was decided for another request`,
              {
                pointer: "/eventId",
              },
            );
          }
          return {
            eventId,
            action: d.action,
            probability: d.probability,
            explored: d.explored,
            checkpoint: sessionDigest(d.session),
          };
        }
      } else eventId = log.newEventId();
      const decision = decide(current.checkpoint.policy, body.context, {
        allowedActions: allowed,
        exploration: o.exploration,
        seed: o.seed,
        eventId,
        scratch: current.scratch,
      });
      const now = o.now();
      const explored = decision.index !== decision.greedyIndex;
      await log.appendDecision({
        eventId,
        session: current.session,
        groupId: body.groupId ?? eventId,
        context,
        allowed: allowedText,
        action: decision.action,
        probability: decision.probability,
        explored,
        decidedMs: now,
        deadlineMs: now + o.rewardWaitMs,
        defaultReward: o.defaultReward,
      });
      metrics.decision(explored, (performance.now() - t0) / 1000);
      return {
        eventId,
        action: decision.action,
        probability: decision.probability,
        explored,
        checkpoint: current.checkpoint.digest,
      };
    },
  );

  const digestOfSession = new Map<number, string>();
  function sessionDigest(session: number): string {
    if (session === served.session) return served.checkpoint.digest;
    let digest = digestOfSession.get(session);
    if (digest === undefined) {
      digest = log.sessions().get(session)?.checkpoint ?? "";
      digestOfSession.set(session, digest);
    }
    return digest;
  }

  app.post<{ Params: { eventId: string }; Body: RewardRequest }>(
    "/v1/decisions/:eventId/reward",
    {
      schema: {
        params: RewardParamsSchema,
        body: RewardRequestSchema,
        response: { 200: RewardResponseSchema, ...errors, 410: ErrorResponseSchema },
      },
    },
    async (request): Promise<RewardResponse> => {
      const t0 = performance.now();
      const { eventId } = request.params;
      const body = request.body;
      const state = log.rewardState(eventId);
      if (state === undefined)
        throw new ServeError("EVENT_NOT_FOUND", `no decision with event id ${JSON.stringify(eventId)}`);
      if (state.rewarded)
        throw new ServeError("REWARD_EXISTS", `decision ${JSON.stringify(eventId)} already has a reward`);
      const now = o.now();
      if (now > state.deadlineMs) {
        throw new ServeError(
          "REWARD_TOO_LATE",
          `the reward of ${JSON.stringify(eventId)} came ${now - state.deadlineMs} ms after its wait time ended`,
        );
      }
      const verified = body.verified ?? body.reward >= 0.5;
      await log.appendReward({
        eventId,
        reward: body.reward,
        verified,
        components: body.rewards === undefined ? null : JSON.stringify(body.rewards),
        rewardedMs: now,
      });
      metrics.reward((performance.now() - t0) / 1000);
      return { eventId, reward: body.reward, verified };
    },
  );

  app.get("/healthz", { schema: { response: { 200: HealthResponseSchema } } }, async () => ({
    status: "ok" as const,
    checkpoint: served.checkpoint.digest,
    actions: [...served.checkpoint.policy.actions],
  }));

  app.get("/metrics", async (_request, reply) =>
    reply
      .type("text/plain; version=0.0.4; charset=utf-8")
      .send(metrics.render(served.checkpoint.digest, log.stats())),
  );

  const openApi = JSON.stringify(openApiDocument());
  app.get("/openapi.json", async (_request, reply) => reply.type("application/json").send(openApi));

  const requireAdmin = async (request: FastifyRequest): Promise<void> => {
    if (tokenHash === null)
      throw new ServeError("ADMIN_DISABLED", "admin endpoints are off: start the server with an admin token");
    const header = request.headers.authorization;
    const given = typeof header === "string" && header.startsWith("Bearer ") ? header.slice(7) : "";
    if (!timingSafeEqual(sha256(given), tokenHash))
      throw new ServeError(
        "UNAUTHORIZED",
        "admin endpoints need the header Authorization: Bearer <admin token>",
      );
  };

  const reload = async (file?: string): Promise<ReloadResponse> => {
    const path = file ?? served.file;
    let checkpoint: _ServedCheckpoint;
    try {
      checkpoint = await _readCheckpoint(path);
    } catch (error) {
      throw new ServeError(
        "RELOAD_FAILED",
        `reload: ${(error as Error).message}; still serving ${served.checkpoint.digest}`,
        {
          cause: error,
        },
      );
    }
    const previous = served.checkpoint.digest;
    served = startSession(checkpoint, path);
    metrics.reloads++;
    return { checkpoint: checkpoint.digest, previous, changed: checkpoint.digest !== previous };
  };

  app.post<{ Body: ReloadRequest }>(
    "/v1/admin/reload",
    {
      onRequest: requireAdmin,
      schema: {
        body: ReloadRequestSchema,
        response: { 200: ReloadResponseSchema, 401: ErrorResponseSchema },
      },
    },
    async (request) => reload(request.body?.checkpoint),
  );

  let closing: Promise<void> | undefined;
  return {
    app,
    get checkpoint() {
      return served.checkpoint.digest;
    },
    get actions() {
      return served.checkpoint.policy.actions;
    },
    async listen(listen: { host?: string; port?: number } = {}) {
      const host = listen.host ?? "127.0.0.1";
      const port = listen.port ?? 8080;
      try {
        await app.listen({ host, port });
      } catch (error) {
        throw new ServeError(
          "LISTEN_FAILED",
          `cannot listen on ${host}:${port}: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
      const address = app.server.address();
      const bound = typeof address === "object" && address !== null ? address.port : port;
      return `http://${host.includes(":") ? `[${host}]` : host}:${bound}`;
    },
    reload,
    metrics: () => metrics.render(served.checkpoint.digest, log.stats()),
    close() {
      shuttingDown = true;
      closing ??= app.close().then(() => log.close());
      return closing;
    },
  };
}
