-- A stand-in for `keyline-server seed`, used by bench/run only with
-- --draft-seed (when the server cannot seed).  It fills the schema of
-- server/sql/0001-schema.sql with :customers customers, two contacts each,
-- a region tree, teams, managers and sessions for fixed bench tokens; it
-- cannot make password hashes, so bench/run then inserts sessions directly
-- instead of signing in.  Run as the owner role: psql -v customers=N -f.

\set ON_ERROR_STOP on
SELECT setseed(0.42);

BEGIN;

-- regions: China, 8 provinces, 6 cities each
INSERT INTO crm.regions (code, name, name_en, level) VALUES ('CN', '中国', 'China', 0);
INSERT INTO crm.regions (parent_id, code, name, name_en, level)
SELECT (SELECT id FROM crm.regions WHERE code = 'CN'), 'P' || i, p.name, p.name_en, 1
  FROM unnest(ARRAY['广东省','江苏省','浙江省','山东省','四川省','湖北省','河南省','福建省'],
              ARRAY['Guangdong','Jiangsu','Zhejiang','Shandong','Sichuan','Hubei','Henan','Fujian'])
       WITH ORDINALITY AS p(name, name_en, i);
INSERT INTO crm.regions (parent_id, code, name, name_en, level)
SELECT r.id, r.code || 'C' || j,
       (ARRAY['东','西','南','北','中','新'])[j] || substr(r.name, 1, 2) || '市',
       (ARRAY['East','West','South','North','Central','New'])[j] || ' ' || r.name_en || ' City', 2
  FROM crm.regions r, generate_series(1, 6) j
 WHERE r.level = 1;

INSERT INTO crm.teams (region_id, name, name_en)
SELECT id, name || '政企客户部', name_en || ' key accounts' FROM crm.regions WHERE level = 2;

-- password_hash is not a usable Argon2 string: these users cannot sign in.
INSERT INTO crm.users (login, display_name, role, region_id, password_hash)
VALUES ('admin', '系统管理员', 'admin', (SELECT id FROM crm.regions WHERE code = 'CN'), '!draft');
INSERT INTO crm.users (login, display_name, role, team_id, region_id, password_hash)
SELECT 'manager' || CASE WHEN n = 1 THEN '' ELSE n::text END,
       (ARRAY['王','李','张','刘','陈','杨','黄','赵','吴','周'])[1 + n % 10]
         || (ARRAY['伟','芳','娜','敏','静','强','磊','军','洋','勇','艳','杰'])[1 + (n / 10) % 12]
         || (ARRAY['','明','华','平','红',''])[1 + (n / 120) % 6],
       'manager', t.id, t.region_id, '!draft'
  FROM generate_series(1, 1000) n
  JOIN LATERAL (SELECT id, region_id FROM crm.teams ORDER BY id OFFSET (n % 48) LIMIT 1) t ON true;

CREATE TEMP TABLE mgr AS
SELECT row_number() OVER (ORDER BY login) - 1 AS i, id, region_id FROM crm.users WHERE role = 'manager';

INSERT INTO crm.customers (name, name_en, kind, industry, region_id, tier, owner_id, status,
                           credit_rating, registration_no, address, phone, value_segment,
                           monthly_revenue, arrears, churn_risk, became_customer)
SELECT (ARRAY['华','中','东','南','北','新','金','宏','瑞','恒','鑫','泰','安','盛','达','通'])[1 + (h % 16)]
         || (ARRAY['信','科','远','发','锦','博','润','联','创','嘉','汇','源','海','天','云','星'])[1 + (h / 16 % 16)]
         || (ARRAY['科技','物流','制造','医疗','教育','能源','金融','传媒','建设','电子','化工','食品'])[1 + (h / 256 % 12)]
         || (ARRAY['有限公司','股份有限公司','集团','研究院','中心'])[1 + (h / 3072 % 5)]
         || CASE WHEN g % 3 = 0 THEN '' ELSE (g % 997)::text || '分公司' END,
       'Customer ' || g,
       (ARRAY['government','large_enterprise','sme','sme'])[1 + g % 4]::crm.customer_kind,
       (ARRAY['manufacturing','finance','logistics','healthcare','education','energy','retail'])[1 + g % 7],
       m.region_id,
       (ARRAY['key','major','standard','standard','standard'])[1 + (h / 7 % 5)]::crm.customer_tier,
       m.id,
       (ARRAY['active','active','active','prospect','churned'])[1 + (h / 11 % 5)]::crm.customer_status,
       (ARRAY['AAA','AA','A','BBB','BB','B','C'])[1 + (h / 13 % 7)],
       '91' || lpad((h % 1000000000)::text, 16, '0'),
       '某市某区某路' || (g % 500) || '号',
       '1' || (30 + h % 60)::text || lpad((g % 100000000)::text, 8, '0'),
       (ARRAY['high','medium','low'])[1 + (h / 17 % 3)],
       (h % 5000000)::bigint * 10,
       CASE WHEN h % 9 = 0 THEN (h % 300000)::bigint ELSE 0 END,
       (h % 101)::smallint,
       date '2010-01-01' + (h % 5000)
  FROM generate_series(1, :customers) g
  CROSS JOIN LATERAL (SELECT abs(hashint4(g)) AS h) hh
  JOIN mgr m ON m.i = (abs(hashint4(g * 7 + 1)) % 1000);

INSERT INTO crm.contacts (customer_id, name, title, mobile, email, id_number, address, is_primary)
SELECT c.id,
       (ARRAY['王','李','张','刘','陈','杨','黄','赵'])[1 + k + (abs(hashtext(c.id::text)) % 7)]
         || (ARRAY['建国','秀英','志强','丽娟','海涛','晓明','文静','国华'])[1 + (abs(hashtext(c.id::text)) / 8 % 8)],
       CASE WHEN k = 0 THEN '总经理' ELSE '信息部主任' END,
       '139' || lpad((abs(hashtext(c.id::text || k)) % 100000000)::text, 8, '0'),
       'contact' || k || '@example.cn',
       '11010119800101' || lpad((abs(hashtext(c.id::text)) % 10000)::text, 4, '0'),
       '某市某区某街道',
       k = 0
  FROM crm.customers c, generate_series(0, 1) k;

COMMIT;

VACUUM ANALYZE;
