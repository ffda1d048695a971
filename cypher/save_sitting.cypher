// Create a sitting, or change it if it is still at the version the caller read (no row back
// otherwise: a concurrent answer won). The first SET takes the node's write lock on Neo4j, so
// the version read after it is the committed one. No row either for an unknown student or test.
MATCH (s:Student {id: $student_id})
MATCH (t:Assessment {id: $test_id})
MERGE (x:Sitting {id: $id})
ON CREATE SET x.version = 0
SET x.locked_at = $now
WITH s, t, x
WHERE x.version = $expected
SET x += $props
MERGE (s)-[:SAT]->(x)
MERGE (x)-[:OF]->(t)
RETURN x.id AS id, x.version AS version
