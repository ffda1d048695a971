// One page of the students the caller may see ($tenant for LMS accounts, $tutor_id for tutors;
// '' means no restriction), filtered, with the total for the pagination header
MATCH (s:Student)
WHERE ($tenant = '' OR s.tenant = $tenant)
  AND ($class_id = '' OR (s)-[:MEMBER_OF]->(:Class {id: $class_id}))
  AND ($tutor_id = '' OR (s)-[:MEMBER_OF]->(:Class)<-[:TEACHES]-(:Tutor {id: $tutor_id}))
OPTIONAL MATCH (s)-[m:MASTERY]->(:KnowledgePoint)
WITH s, avg(m.p) AS mastery, count(m) AS kps, max(m.last_ts) AS last_active
WHERE ($min_mastery IS NULL OR mastery >= $min_mastery)
  AND ($max_mastery IS NULL OR mastery <= $max_mastery)
  AND ($active_since IS NULL OR last_active >= $active_since)
WITH s, mastery, kps, last_active
ORDER BY s.id
WITH collect({id: s.id, name: coalesce(s.name, ''), email: coalesce(s.email, ''),
              tenant: coalesce(s.tenant, ''), dataset: coalesce(s.dataset, ''),
              mastery: mastery, kps: kps, last_active: last_active}) AS rows
RETURN size(rows) AS total, rows[$skip..$skip + $limit] AS page
