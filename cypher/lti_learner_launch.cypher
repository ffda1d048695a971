// An LTI learner's launch in one transaction: the student (created once; later launches only
// rename), membership of the LTI context's class (created with the tenant), and the resource
// link's grade service endpoint, kept for score passback. $classes holds 0 or 1 class.
MERGE (s:Student {id: $student_id})
ON CREATE SET s.tenant = $tenant, s.dataset = $dataset, s.affect_consent = false,
              s.created = $now
SET s.name = coalesce($name, s.name, ''), s.email = coalesce($email, s.email, '')
WITH s
CALL {
  WITH s
  UNWIND $classes AS c
  MERGE (k:Class {id: c.id})
  ON CREATE SET k.tenant = $tenant, k.dataset = $dataset, k.created = $now
  SET k.name = c.name
  MERGE (s)-[:MEMBER_OF]->(k)
  RETURN count(k) AS classes
}
MERGE (l:LtiLaunch {id: $link.id})
ON CREATE SET l.created = $now
SET l += $link, l.student_id = s.id, l.last_launch = $now
MERGE (s)-[:LAUNCHED]->(l)
RETURN s.id AS student_id, s.dataset AS dataset, classes, l.created AS since
