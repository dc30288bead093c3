-- Catalog search synonyms (issue 17): the abbreviations people type (社保, 医保, 公积金) and the full terms
-- catalog entries are written with (社会保险, 医疗保险, 住房公积金). A search term equal to `term` also
-- matches each of its `expansions`. Kept by the authority (AUTH_ADMIN); changes are audited, a removed
-- entry's history stays in the audit chain.
create table search_synonyms (
  term text primary key check (length(term) between 2 and 20 and term = btrim(term) and term !~ '\s'),
  expansions text[] not null check (cardinality(expansions) between 1 and 10),
  updated_by uuid references users(id),
  updated_at timestamptz not null default now()
);

-- Common government abbreviations, as written in Shandong's 政务服务 catalogs.
insert into search_synonyms (term, expansions) values
  ('社保', array['社会保险', '社会保障']),
  ('医保', array['医疗保险', '医疗保障']),
  ('公积金', array['住房公积金']),
  ('低保', array['最低生活保障']),
  ('营业执照', array['企业登记', '市场主体登记']),
  ('工商', array['市场主体登记', '企业登记']),
  ('户口', array['户籍']),
  ('身份证', array['居民身份证', '身份证件']),
  ('残疾证', array['残疾人证']),
  ('不动产证', array['不动产权证书', '不动产登记']),
  ('房产证', array['不动产权证书', '房屋所有权']),
  ('驾照', array['机动车驾驶证', '驾驶证']),
  ('行驶证', array['机动车行驶证']),
  ('结婚证', array['婚姻登记']),
  ('出生证', array['出生医学证明']),
  ('特困', array['特困人员', '特困供养']),
  ('五保', array['特困人员', '特困供养']),
  ('退役军人', array['退役士兵', '优抚对象']),
  ('失业金', array['失业保险金']),
  ('养老金', array['基本养老金', '养老保险']),
  ('税务登记', array['纳税人登记']),
  ('信用代码', array['统一社会信用代码']),
  ('企业年报', array['企业年度报告']),
  ('一网通办', array['政务服务']);
