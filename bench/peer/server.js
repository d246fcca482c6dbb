'use strict'
// The benchmark's peer: keyline-server's read API (health, token
// authentication, GET /api/v1/me, /api/v1/customers and /api/v1/customers/:id) in the
// usual Node stack, fastify + postgres.js, with the same SQL (queries.js)
// and the same JSON.  It does not sign in: it accepts the tokens that
// Keyline's POST /api/v1/session made, through crm.authenticate(sha256).
//
// Environment:
//   PEER_PORT     port on 127.0.0.1 (required)
//   PEER_PROCS    worker processes (default: 2, one per core)
//   PEER_POOL     database connections per worker (default: 4)
//   PGHOST PGPORT PGDATABASE PGUSER   the database (PGUSER default keyline_app)

const cluster = require('node:cluster')
const crypto = require('node:crypto')

const procs = Number(process.env.PEER_PROCS || 2)

if (cluster.isPrimary && procs > 1) {
  const workers = new Set()
  let stopping = false
  for (let i = 0; i < procs; i++) workers.add(cluster.fork())
  cluster.on('exit', (worker, code, signal) => {
    workers.delete(worker)
    if (!stopping) {
      console.error(`peer: worker ${worker.process.pid} died (${signal || code}); stopping`)
      stop(1)
    } else if (workers.size === 0) {
      process.exit(0)
    }
  })
  const stop = (code) => {
    if (stopping) return
    stopping = true
    for (const w of workers) w.process.kill('SIGTERM')
    setTimeout(() => process.exit(code), 5000).unref()
    if (workers.size === 0) process.exit(code)
  }
  process.on('SIGTERM', () => stop(0))
  process.on('SIGINT', () => stop(0))
} else {
  startWorker().catch((err) => {
    console.error('peer:', err)
    process.exit(1)
  })
}

async function startWorker () {
  const postgres = require('postgres')
  const fastify = require('fastify')
  const q = require('./queries')

  const port = Number(process.env.PEER_PORT)
  if (!port) throw new Error('PEER_PORT is not set')

  // Text as PostgreSQL sends it for timestamps and dates, as Keyline
  // passes them on; bigint as a number (fen fit in 2^53).
  const raw = (oids) => ({ to: oids[0], from: oids, serialize: (x) => String(x), parse: (x) => x })
  const sql = postgres({
    host: process.env.PGHOST,
    port: Number(process.env.PGPORT || 5432),
    database: process.env.PGDATABASE || 'keyline',
    username: process.env.PGUSER || 'keyline_app',
    max: Number(process.env.PEER_POOL || 4),
    prepare: true,
    onnotice: () => {},
    types: {
      bigint: { to: 20, from: [20], serialize: (x) => String(x), parse: (x) => Number(x) },
      timestamptz: raw([1184, 1114]),
      date: raw([1082])
    },
    connection: { application_name: process.env.PGAPPNAME || 'keyline-bench-peer' }
  })

  // Session cache as in crm-http.c: token hash -> user, 30 seconds.  It only
  // picks the query's shape; every request authenticates in its transaction.
  const CACHE_MS = 30_000
  const cache = new Map()

  const app = fastify({ logger: false, return503OnClosing: false })

  const fail = (reply, status, code, message, field) => {
    const error = { code, message }
    if (field) error.field = field
    return reply.code(status).header('Cache-Control', 'no-store').send({ error })
  }

  // crm_json_member_timestamp: "YYYY-MM-DD HH:MM:SS[.f]+HH[:MM]" -> ISO 8601
  const ts = (t) => {
    if (t == null) return null
    if (t.length < 19 || t[10] !== ' ') return t
    let s = t.slice(0, 10) + 'T' + t.slice(11)
    const c = s[s.length - 3]
    if (c === '+' || c === '-') s += ':00'
    return s
  }

  // crm_mask_text / crm_mask_phone
  const mask = (value, head, tail) => {
    if (value == null) return null
    const chars = Array.from(value)
    const n = chars.length
    if (n <= head + tail) {
      head = 0
      tail = n > 2 ? 1 : 0
    }
    return chars.map((ch, i) => (i < head || i >= n - tail ? ch : '*')).join('')
  }
  const maskPhone = (v) => mask(v, 3, 4)

  const ROLES = ['admin', 'director', 'manager', 'marketing', 'service']
  const userFromRow = (row) => row && ROLES.includes(row.role)
    ? { id: row.user_id, login: row.login, display_name: row.display_name, role: row.role,
        team_id: row.team_id, region_id: row.region_id, expires_at: row.expires_at }
    : null

  const readToken = (request) => {
    const h = request.headers.authorization
    if (!h || h.length < 7 || h.slice(0, 7).toLowerCase() !== 'bearer ') return null
    const token = h.slice(7)
    if (token.length < 16 || token.length > 128 || !/^[A-Za-z0-9_-]+$/.test(token)) return null
    return crypto.createHash('sha256').update(token).digest()
  }

  // sql.unsafe() does not prepare unless asked; Keyline prepares everything.
  const PREPARED = { prepare: true }

  // Runs the authentication and @queries in one transaction, pipelined.
  // Returns [user|null, ...results].
  const inTransaction = (hash, queries) =>
    sql.begin((tx) => [tx.unsafe(q.AUTHENTICATE, [hash], PREPARED), ...queries(tx)])
      .then(([auth, ...rest]) => [userFromRow(auth[0]), ...rest])

  const unauthenticated = (reply) => {
    reply.header('WWW-Authenticate', 'Bearer')
    return fail(reply, 401, 'unauthenticated', 'Sign in first: send Authorization: Bearer TOKEN')
  }
  const expired = (reply, key) => {
    cache.delete(key)
    return fail(reply, 401, 'unauthenticated', 'The session has expired or was signed out; sign in again')
  }

  // Who is asking, for the query's shape: from the cache or one round trip.
  const whoFor = async (hash, key) => {
    const e = cache.get(key)
    if (e && Date.now() - e.fetched < CACHE_MS) return e.user
    const [user] = await inTransaction(hash, () => [])
    if (user) cache.set(key, { user, fetched: Date.now() })
    return user
  }

  const itemFields = (r) => ({
    id: r[0],
    name: r[1],
    name_en: r[2],
    kind: r[3],
    industry: r[4],
    region_id: r[5],
    region_name: r[6],
    tier: r[7],
    owner_id: r[8],
    owner_name: r[9],
    status: r[10],
    monthly_revenue: r[11],
    arrears: r[12],
    churn_risk: r[13],
    version: r[14],
    updated_at: ts(r[15])
  })

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('Cache-Control', 'no-store')
    reply.header('X-Content-Type-Options', 'nosniff')
    return payload
  })

  app.get('/api/v1/health', async (request, reply) => {
    try {
      await sql`SELECT 1`
    } catch {
      return fail(reply, 503, 'unavailable', 'The database is unavailable; try again shortly')
    }
    return { status: 'ok', database: 'ok', version: '0.1.0' }
  })

  const invalid = (reply, field, message) => fail(reply, 400, 'invalid', message, field)

  app.get('/api/v1/me', async (request, reply) => {
    const hash = readToken(request)
    if (!hash) return unauthenticated(reply)
    const key = hash.toString('base64')
    const [user] = await inTransaction(hash, () => [])
    if (!user) return expired(reply, key)
    cache.set(key, { user, fetched: Date.now() })
    const { expires_at: _, ...me } = user
    return me
  })

  app.get('/api/v1/customers', async (request, reply) => {
    const hash = readToken(request)
    if (!hash) return unauthenticated(reply)
    const key = hash.toString('base64')
    const p = request.query
    const one = (name) => (Array.isArray(p[name]) ? p[name][p[name].length - 1] : p[name])

    let user = await whoFor(hash, key)
    if (!user) return expired(reply, key)

    let sort = 0
    const sortText = one('sort')
    if (sortText !== undefined) {
      sort = q.SORT_NAMES.indexOf(sortText)
      if (sort < 0) return invalid(reply, 'sort', 'sort must be one of: ' + q.SORT_NAMES.join(', '))
    }
    let descending = q.SORTS[sort].defaultDescending
    const order = one('order')
    if (order !== undefined) {
      if (order !== 'asc' && order !== 'desc') return invalid(reply, 'order', 'order must be asc or desc')
      descending = order === 'desc'
    }
    let limit = 50
    const limitText = one('limit')
    if (limitText !== undefined) {
      if (!/^[+-]?[0-9]+$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 500) {
        return invalid(reply, 'limit', 'limit must be a whole number from 1 to 500')
      }
      limit = Number(limitText)
    }

    const values = [String(limit + 1)]
    let filters = 0
    const search = one('q')
    if (search) {
      const chars = Array.from(search).length
      if (chars > 100) return invalid(reply, 'q', 'q is longer than 100 characters')
      filters |= q.FILTER_BIT.search
      values.push('%' + search.replace(/[%_\\]/g, '\\$&') + '%')
    }
    const region = one('region')
    if (region !== undefined) {
      if (!q.UUID_RE.test(region)) return invalid(reply, 'region', 'region must be a region id')
      filters |= q.FILTER_BIT.region
      values.push(region)
    }
    const tier = one('tier')
    if (tier !== undefined) {
      if (!['key', 'major', 'standard'].includes(tier)) return invalid(reply, 'tier', 'tier must be one of: key, major, standard')
      filters |= q.FILTER_BIT.tier
      values.push(tier)
    }
    let owner = one('owner')
    if (owner !== undefined) {
      if (owner === 'me') owner = user.id
      else if (!q.UUID_RE.test(owner)) return invalid(reply, 'owner', 'owner must be a user id or "me"')
      filters |= q.FILTER_BIT.owner
      values.push(owner)
    }
    const status = one('status')
    if (status !== undefined) {
      if (!['prospect', 'active', 'churned'].includes(status)) return invalid(reply, 'status', 'status must be one of: prospect, active, churned')
      filters |= q.FILTER_BIT.status
      values.push(status)
    }
    if (user.role === 'manager') {
      filters |= q.FILTER_BIT.scope_owner
      values.push(user.id)
    } else if (user.role === 'director') {
      filters |= q.FILTER_BIT.scope_regions
    }
    const cursorText = one('cursor')
    let cursor = null
    if (cursorText !== undefined) {
      cursor = q.decodeCursor(cursorText)
      if (!cursor) return invalid(reply, 'cursor', 'cursor is not a cursor this server handed out')
      if (cursor.sort !== sort || cursor.descending !== descending) {
        return invalid(reply, 'cursor', 'cursor belongs to another sort order')
      }
      if (sort === 1 && !/^[+-]?[0-9]+$/.test(cursor.value)) return invalid(reply, 'cursor', 'cursor is damaged')
      values.push(cursor.value, cursor.id)
    }

    const text = q.listSql(filters, sort, descending, cursor !== null)
    let rows
    ;[user, rows] = await inTransaction(hash, (tx) => [tx.unsafe(text, values, PREPARED).values()])
    if (!user) return expired(reply, key)
    cache.set(key, { user, fetched: Date.now() })

    const shown = Math.min(rows.length, limit)
    const items = new Array(shown)
    for (let i = 0; i < shown; i++) items[i] = itemFields(rows[i])
    let next = null
    if (rows.length > limit) {
      const last = rows[shown - 1]
      const sortValue = [last[1], last[11], last[15]][sort]
      next = q.encodeCursor(sort, descending, String(sortValue), last[0])
    }
    return { items, next_cursor: next }
  })

  app.get('/api/v1/customers/:id', async (request, reply) => {
    const hash = readToken(request)
    if (!hash) return unauthenticated(reply)
    const key = hash.toString('base64')
    if (!(await whoFor(hash, key))) return expired(reply, key)

    const id = request.params.id
    if (!q.UUID_RE.test(id)) return invalid(reply, 'id', 'id must be a customer id (a UUID)')

    const [user, customer, contacts] = await inTransaction(hash, (tx) => [
      tx.unsafe(q.CUSTOMER_GET, [id], PREPARED).values(),
      tx.unsafe(q.CUSTOMER_CONTACTS, [id], PREPARED).values()
    ])
    if (!user) return expired(reply, key)
    cache.set(key, { user, fetched: Date.now() })
    if (customer.length !== 1) return fail(reply, 404, 'not_found', 'No such customer, or not one of yours', 'id')

    const c = customer[0]
    return {
      ...itemFields(c),
      credit_rating: c[16],
      registration_no: c[17],
      address: mask(c[18], 2, 0),
      phone: maskPhone(c[19]),
      value_segment: c[20],
      prefers: c[21],
      churn_reasons: c[22],
      became_customer: c[23],
      churned_on: c[24],
      churn_reason: c[25],
      created_at: ts(c[26]),
      personal_data_masked: true,
      contacts: contacts.map((k) => ({
        id: k[0],
        customer_id: k[1],
        name: k[2],
        title: k[3],
        mobile: maskPhone(k[4]),
        email: k[5],
        id_number: mask(k[6], 2, 0),
        address: mask(k[7], 2, 0),
        is_primary: k[8],
        version: k[9],
        updated_at: ts(k[10]),
        role: k[11]
      }))
    }
  })

  app.setNotFoundHandler((request, reply) => fail(reply, 404, 'not_found', 'No such API path'))
  app.setErrorHandler((err, request, reply) => {
    if (err.statusCode >= 400 && err.statusCode < 500) {
      // fastify's own refusals: a body that does not parse, too large...
      const code = err.statusCode === 413 ? 'too_large' : err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
        err instanceof SyntaxError ? 'malformed' : 'invalid'
      return fail(reply, err.statusCode, code, err.message, 'body')
    }
    if (err.code === 'ECONNREFUSED' || err.code === 'CONNECTION_CLOSED' || err.code === 'CONNECT_TIMEOUT') {
      return fail(reply, 503, 'unavailable', 'The database is unavailable; try again shortly')
    }
    console.error('peer:', request.method, request.routeOptions?.url, err.message)
    return fail(reply, 500, 'internal', 'The server failed to handle the request')
  })

  await app.listen({ host: '127.0.0.1', port })
  const shutdown = () => app.close().then(() => sql.end({ timeout: 2 })).finally(() => process.exit(0))
  process.on('SIGTERM', shutdown)
  process.on('SIGINT', shutdown)
}
