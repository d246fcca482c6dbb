'use strict'
// The SQL of keyline-server's read API, copied from server/crm-http.c
// (authenticate) and server/crm-handler-customers.c (customers), so that the
// peer and the pgbench scripts run exactly what Keyline runs.  Keep in step
// with those files: bench/run compares the peer's answers with Keyline's.
//
//   node queries.js pgbench CASE   prints the pgbench script of a case of bench/run
//   node queries.js ceiling CASE [N PREFIX]
//                                  prints the ceiling's pgbench script of a case
//                                  (the bare statements, below); with N, writes N
//                                  copies PREFIX-1.sql ... PREFIX-N.sql whose
//                                  per-request variables end in the copy's number
//   node queries.js ceiling-psql CASE
//                                  the same statements for psql (PREPARE, EXECUTE
//                                  with :'variables'), for bench/run's check

const AUTHENTICATE =
  'SELECT user_id, login, display_name, role, team_id, region_id, expires_at' +
  ' FROM crm.authenticate($1)'

// What keyline-server sends instead when its identity cache holds the token
// (sql_set_identity in server/crm-http.c): nearly every request.  The
// pgbench rows run it, with the identity crm.authenticate() gives the token.
const SET_IDENTITY =
  "SELECT set_config('keyline.user_id', $1, true)," +
  " set_config('keyline.role', $2, true)," +
  " set_config('keyline.regions', $3, true)"

// CRM_CUSTOMER_SUMMARY_COLUMNS_WITH (server/crm-records.h)
const summaryColumns = (regionName, ownerName) =>
  'c.id, c.name, c.name_en, c.kind, c.industry, c.region_id, ' + regionName + ', c.tier, c.owner_id,' +
  ' ' + ownerName + ', c.status, c.monthly_revenue, c.arrears, c.churn_risk, c.version,' +
  ' c.updated_at'

// CRM_CUSTOMER_SUMMARY_COLUMNS, over c and CUSTOMER_JOINS
const LIST_COLUMNS = summaryColumns('r.name', 'u.display_name')
const CUSTOMER_JOINS =
  ' LEFT JOIN crm.regions r ON r.id = c.region_id' +
  ' LEFT JOIN crm.user_directory u ON u.id = c.owner_id'

// CRM_CUSTOMER_ONE_COLUMNS, CRM_CUSTOMER_ONE_FROM
const CUSTOMER_GET =
  'SELECT ' + summaryColumns('(SELECT r.name FROM crm.regions r WHERE r.id = c.region_id)',
    '(SELECT u.display_name FROM crm.user_directory u WHERE u.id = c.owner_id)') + ',' +
  ' c.credit_rating, c.registration_no, c.address, c.phone,' +
  ' c.value_segment, array_to_json(c.prefers), array_to_json(c.churn_reasons),' +
  ' c.became_customer, c.churned_on, c.churn_reason, c.created_at' +
  ' FROM crm.customers c' +
  ' WHERE c.id = $1::uuid'

const CUSTOMER_CONTACTS =
  'SELECT k.id, k.customer_id, k.name, k.title, k.mobile, k.email, k.id_number, k.address, k.is_primary,' +
  ' k.version, k.updated_at, k.role' +
  ' FROM crm.contacts k WHERE k.customer_id = $1::uuid ORDER BY k.is_primary DESC, k.name, k.id'

// Only for pgbench: the peer does not serve the 360.
const CUSTOMER_360 = 'SELECT crm.customer_360($1::uuid, $2::jsonb)'

// crm_customer_sort_names and the sorts[] table
const SORT_NAMES = ['name', 'revenue', 'updated']
const SORTS = [
  { column: 'c.name', cast: 'text', defaultDescending: false },
  { column: 'c.monthly_revenue', cast: 'bigint', defaultDescending: true },
  { column: 'c.updated_at', cast: 'timestamptz', defaultDescending: true }
]

// The filters in the order of the Filter enum; each takes $n where n is its
// parameter's number (the search names it twice).
const FILTERS = [
  ['search', '(c.name ILIKE $%u OR c.name_en ILIKE $%u)', 1],
  ['region', 'c.region_id = ANY (crm.region_subtree($%u::uuid))', 1],
  ['tier', 'c.tier = $%u::crm.customer_tier', 1],
  ['owner', 'c.owner_id = $%u::uuid', 1],
  ['status', 'c.status = $%u::crm.customer_status', 1],
  ['scope_owner', 'c.owner_id = $%u::uuid', 1],
  ['scope_regions', 'c.region_id = ANY ((SELECT crm.visible_regions())::uuid[])', 0]
]
const FILTER_BIT = Object.fromEntries(FILTERS.map(([name], i) => [name, 1 << i]))

const listCache = new Map()

// MAX_LIMIT in server/crm-handler-customers.c
const MAX_LIMIT = 500

// list_sql(): the text of one shape of the list query.  $1 is the page size.
// (Keyline sends a search's shape unnamed, planned for its words each time.)
function listSql (filters, sort, descending, withCursor) {
  const key = `${filters}:${sort}:${descending}:${withCursor}`
  let text = listCache.get(key)
  if (text !== undefined) return text
  text = 'SELECT ' + LIST_COLUMNS + ' FROM (SELECT * FROM crm.customers c WHERE true'
  let n = 1
  FILTERS.forEach(([, fragment, nParams], f) => {
    if (filters & (1 << f)) {
      n += nParams
      text += ' AND ' + fragment.replaceAll('%u', String(n))
    }
  })
  const s = SORTS[sort]
  if (withCursor) {
    text += ` AND (${s.column}, c.id) ${descending ? '<' : '>'} ($${n + 1}::${s.cast}, $${n + 2}::uuid)`
    n += 2
  }
  const order = ` ORDER BY ${s.column} ${descending ? 'DESC' : 'ASC'}, c.id ${descending ? 'DESC' : 'ASC'}`
  text += `${order} LIMIT ${MAX_LIMIT + 1}) c${CUSTOMER_JOINS}${order} LIMIT $1::integer`
  listCache.set(key, text)
  return text
}

// crm-cursor.c: base64url without padding of "1" SORT DIR "\n" VALUE "\n" ID
function encodeCursor (sort, descending, value, id) {
  return Buffer.from(`1${sort}${descending ? 'd' : 'a'}\n${value ?? ''}\n${id}`, 'utf8').toString('base64url')
}

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/

function decodeCursor (text) {
  if (typeof text !== 'string' || text.length === 0 || text.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(text)) return null
  if (text.length % 4 === 1) return null
  const raw = Buffer.from(text, 'base64url')
  if (raw.length < 4 || raw[0] !== 0x31 || raw.includes(0)) return null
  const sep1 = raw.indexOf(0x0a)
  if (sep1 < 3) return null
  const sep2 = raw.indexOf(0x0a, sep1 + 1)
  if (sep2 < 0) return null
  const num = raw.subarray(1, sep1 - 1).toString('latin1')
  const dir = String.fromCharCode(raw[sep1 - 1])
  if (!/^[0-9]+$/.test(num) || Number(num) > 64 || (dir !== 'a' && dir !== 'd')) return null
  const valueBytes = raw.subarray(sep1 + 1, sep2)
  let value
  try {
    value = new TextDecoder('utf-8', { fatal: true }).decode(valueBytes)
  } catch {
    return null
  }
  const id = raw.subarray(sep2 + 1).toString('latin1')
  if (!UUID_RE.test(id)) return null
  return { sort: Number(num), descending: dir === 'd', value, id }
}

// The pgbench scripts of bench/run's cases.  Each runs what one request of
// the case runs, in one pipeline = one implicit transaction, as Keyline does
// (its identity first, as on a cache hit), with -M prepared.  Variables: uid,
// role and regions (the identity, -D), me (the manager's user id, -D), and
// per case a random
// customer id or cursor row from bench.ids / bench.cursors, fetched after
// the transaction (outside it and outside the pipeline: pgbench cannot use a
// \gset value inside the pipeline that fetched it).
function pgbenchScript (name) {
  const pg = (sql, vars) => sql.replace(/\$(\d+)/g, (_, i) => ':' + vars[Number(i) - 1])
  const lines = []
  let pick = null
  let query
  switch (name) {
    case 'detail':
      pick = ['bench.ids', 'id AS cid', 10000]
      query = [pg(CUSTOMER_GET, ['cid']), pg(CUSTOMER_CONTACTS, ['cid'])]
      break
    case 'list':
      query = [pg(listSql(0, 0, false, false), ['lim'])]
      break
    case 'filter':
      query = [pg(listSql(FILTER_BIT.tier | FILTER_BIT.status, 0, false, false), ['lim', 'tier', 'status'])]
      break
    case 'deep':
      pick = ['bench.cursors', 'name AS cname, id AS cid', 1000]
      query = [pg(listSql(0, 0, false, true), ['lim', 'cname', 'cid'])]
      break
    case 'manager':
      query = [pg(listSql(FILTER_BIT.scope_owner, 0, false, false), ['lim', 'me'])]
      break
    case '360':
      // GET /customers/{id}/360 (server/crm-handler-customer-360.c); rules
      // (-D) is what keyline-server passes, bench/server/customer-360-rules
      pick = ['bench.ids', 'id AS cid', 10000]
      query = [pg(CUSTOMER_360, ['cid', 'rules'])]
      break
    default:
      throw new Error(`no pgbench script for case ${name}`)
  }
  lines.push('\\startpipeline')
  lines.push(pg(SET_IDENTITY, ['uid', 'role', 'regions']) + ';')
  for (const q of query) lines.push(q + ';')
  lines.push('\\endpipeline')
  if (pick) {
    lines.push(`\\set n random(1, ${pick[2]})`)
    lines.push(`SELECT ${pick[1]} FROM ${pick[0]} WHERE n = :n \\gset`)
  }
  return lines.join('\n') + '\n'
}

// ---------------------------------------------------------------------------
// The ceiling: for each case of bench/run, the bare statements that return
// the rows of Keyline's answer, written as one would by hand for the tables'
// owner: no crm.authenticate(), no row-level security (bench/run runs them as
// the owner with row_security = off, so that a policy that would apply is an
// error, not a silent filter).  A page is chosen from crm.customers alone
// (its index order and LIMIT) and then joins the region's and owner's names
// from crm.regions and crm.users, as Keyline's list does: joined first, then
// sorted and cut, the bare statement cost more than Keyline's (1,168 against
// 244 us of PostgreSQL CPU for the admin's first page), no ceiling at all.
// One customer takes the names as scalar subqueries (a join hashed all 70
// regions for it).
// They are not Keyline's SQL and do not follow it:
// they are what PostgreSQL alone costs for the same rows, the figure Keyline
// is measured against (bench/run checks that they return the same rows).
// Each is [sql, parameter names]; the names are pgbench's variables, those
// in CEILING_PER_REQUEST change per request (a copy of the script per value,
// see ceilingScript).

const CEILING_COLUMNS =
  'c.id, c.name, c.name_en, c.kind, c.industry, c.region_id, r.name, c.tier, c.owner_id,' +
  ' u.display_name, c.status, c.monthly_revenue, c.arrears, c.churn_risk, c.version, c.updated_at'
const CEILING_FROM =
  ' FROM crm.customers c JOIN crm.regions r ON r.id = c.region_id LEFT JOIN crm.users u ON u.id = c.owner_id'

function ceilingPage (where) {
  return 'SELECT ' + CEILING_COLUMNS + ' FROM (SELECT * FROM crm.customers c' + (where ? ' WHERE ' + where : '') +
    ' ORDER BY c.name, c.id LIMIT $1::integer) c' + CEILING_FROM.replace(' FROM crm.customers c', '') +
    ' ORDER BY c.name, c.id'
}

const CEILING = {
  // GET /customers/{id}: the customer by primary key, its contacts
  detail: [
    ['SELECT ' + CEILING_COLUMNS.replace('r.name', '(SELECT r.name FROM crm.regions r WHERE r.id = c.region_id)')
      .replace('u.display_name', '(SELECT u.display_name FROM crm.users u WHERE u.id = c.owner_id)') +
     ', c.credit_rating, c.registration_no, c.address, c.phone,' +
     ' c.value_segment, array_to_json(c.prefers), array_to_json(c.churn_reasons), c.became_customer,' +
     ' c.churned_on, c.churn_reason, c.created_at FROM crm.customers c WHERE c.id = $1::uuid', ['cid']],
    ['SELECT k.id, k.customer_id, k.name, k.title, k.mobile, k.email, k.id_number, k.address,' +
     ' k.is_primary, k.version, k.updated_at, k.role FROM crm.contacts k WHERE k.customer_id = $1::uuid' +
     ' ORDER BY k.is_primary DESC, k.name, k.id', ['cid']]
  ],
  // GET /customers as admin: the first page and the row after it
  list: [[ceilingPage(''), ['lim']]],
  filter: [[ceilingPage('c.tier = $2::crm.customer_tier AND c.status = $3::crm.customer_status'),
    ['lim', 'tier', 'status']]],
  deep: [[ceilingPage('(c.name, c.id) > ($2::text, $3::uuid)'), ['lim', 'cname', 'cid']]],
  // an account manager sees the customers they own
  manager: [[ceilingPage('c.owner_id = $2::uuid'), ['lim', 'me']]],
  // GET /customers/{id}/360: the document is the function's work, so its
  // ceiling is the function itself without crm.authenticate() and policies
  // (bench/run sets the administrator's identity once per connection)
  360: [['SELECT crm.customer_360($1::uuid, $2::jsonb)', ['cid', 'rules']]]
}
const CEILING_PER_REQUEST = ['cid', 'cname']

// One pgbench script: the case's statements in one pipeline (one implicit
// transaction, one round trip, as Keyline sends them).  With copy, the
// per-request variables are named cid<copy>, cname<copy>: bench/run runs N
// copies, each given its own customer or cursor with -D, so that no request
// spends a statement fetching the next value (pgbench cannot \gset inside a
// pipeline).
function ceilingScript (name, copy) {
  const statements = CEILING[name]
  if (!statements) throw new Error(`no ceiling for case ${name}`)
  const variable = (v) => CEILING_PER_REQUEST.includes(v) && copy ? v + copy : v
  const lines = ['\\startpipeline']
  for (const [sql, vars] of statements) {
    lines.push(sql.replace(/\$(\d+)/g, (_, i) => ':' + variable(vars[Number(i) - 1])) + ';')
  }
  lines.push('\\endpipeline')
  return lines.join('\n') + '\n'
}

// The same statements for psql, each prepared and executed with psql's
// variables of the same names.
function ceilingPsql (name) {
  const statements = CEILING[name]
  if (!statements) throw new Error(`no ceiling for case ${name}`)
  return statements.map(([sql, vars], i) =>
    `PREPARE ceiling_${i + 1} AS ${sql};\nEXECUTE ceiling_${i + 1}(${vars.map((v) => `:'${v}'`).join(', ')});\n`
  ).join('')
}

module.exports = {
  AUTHENTICATE,
  SET_IDENTITY,
  CUSTOMER_GET,
  CUSTOMER_CONTACTS,
  SORT_NAMES,
  SORTS,
  FILTER_BIT,
  listSql,
  encodeCursor,
  decodeCursor,
  UUID_RE,
  CEILING,
  ceilingScript,
  ceilingPsql
}

if (require.main === module) {
  const [cmd, arg] = process.argv.slice(2)
  if (cmd === 'pgbench') {
    process.stdout.write(pgbenchScript(arg))
  } else if (cmd === 'ceiling') {
    const [, , copies, prefix] = process.argv.slice(2)
    if (copies === undefined) {
      process.stdout.write(ceilingScript(arg))
    } else {
      const n = Number(copies)
      if (!Number.isInteger(n) || n < 1 || n > 128 || !prefix) {
        console.error('usage: node queries.js ceiling CASE [N PREFIX] (N: 1 to 128, pgbench\'s most scripts)')
        process.exit(2)
      }
      for (let k = 1; k <= n; k++) require('fs').writeFileSync(`${prefix}-${k}.sql`, ceilingScript(arg, k))
    }
  } else if (cmd === 'ceiling-psql') {
    process.stdout.write(ceilingPsql(arg))
  } else if (cmd === 'sql') {
    console.log([AUTHENTICATE, CUSTOMER_GET, CUSTOMER_CONTACTS, listSql(0, 0, false, false)].join(';\n') + ';')
  } else {
    console.error('usage: node queries.js pgbench CASE | ceiling CASE [N PREFIX] | ceiling-psql CASE | sql')
    process.exit(2)
  }
}
