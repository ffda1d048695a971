// Store one version of a learning path and make it the student's current one for its goal.
// Idempotent: a version already stored (same id) is left as it is (created = false). The
// student and the goal must exist (no row otherwise); steps are parallel lists, and a STEP
// edge {pos, status} links the path to each step's KP. FOREACH instead of UNWIND, so that an
// empty list or an existing version never drops the row.
MATCH (s:Student {id: $student_id})
MATCH (g:KnowledgePoint {id: $goal})
OPTIONAL MATCH (s)-[:HAS_PATH]->(old:LearningPath {goal: $goal, current: true})
WITH s, g, collect(old) AS olds
MERGE (p:LearningPath {id: $id})
ON CREATE SET p.student_id = $student_id, p.goal = $goal, p.version = $version,
              p.reason = $reason, p.ts = $ts, p.session_size = $session_size,
              p.kp_ids = $kp_ids, p.statuses = $statuses, p.pinned = $pinned,
              p.inserted = $inserted, p.current = true, p.fresh = true
WITH s, g, p, olds, p.fresh IS NOT NULL AS created
SET p.fresh = null
FOREACH (o IN CASE WHEN created THEN olds ELSE [] END | SET o.current = false)
FOREACH (_ IN CASE WHEN created THEN [1] ELSE [] END |
  MERGE (s)-[:HAS_PATH]->(p)
  MERGE (p)-[:GOAL]->(g))
WITH p, created
OPTIONAL MATCH (k:KnowledgePoint)
WHERE created AND k.id IN $kp_ids
WITH p, created, collect(k) AS kps
FOREACH (i IN CASE WHEN created THEN range(0, size($kp_ids) - 1) ELSE [] END |
  FOREACH (k IN [x IN kps WHERE x.id = $kp_ids[i]] |
    CREATE (p)-[:STEP {pos: i, status: $statuses[i]}]->(k)))
RETURN p.id AS id, p.version AS version, created, size(kps) AS linked_kps
