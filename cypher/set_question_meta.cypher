// What a written question has beyond the imported ones (type, tolerance, hints, tags, version)
// and the KPs it tests, replaced (weights in the order given, heaviest first)
MATCH (q:Question {id: $id})
SET q.type = $type, q.tolerance = $tolerance, q.hints = $hints, q.tags = $tags,
    q.version = $version, q.base_id = $base_id
WITH q
OPTIONAL MATCH (q)-[old:TESTS]->(:KnowledgePoint)
DELETE old
WITH DISTINCT q
UNWIND range(0, size($kp_ids) - 1) AS i
MATCH (k:KnowledgePoint {id: $kp_ids[i]})
MERGE (q)-[t:TESTS]->(k)
SET t.weight = $weights[i]
RETURN count(t) AS n
