// Create a test, or change it if it is still at the version the caller read (no row back
// otherwise: a concurrent edit won). The first SET takes the node's write lock on Neo4j, so the
// version read after it is the committed one. Its classes are replaced by $class_ids.
MERGE (t:Assessment {id: $id})
ON CREATE SET t.version = 0
SET t.locked_at = $now
WITH t
WHERE t.version = $expected
SET t += $props
WITH t
OPTIONAL MATCH (t)-[old:ASSIGNED_TO]->(:Class)
DELETE old
WITH DISTINCT t
OPTIONAL MATCH (c:Class)
WHERE c.id IN $class_ids
WITH t, collect(c) AS classes
FOREACH (c IN classes | MERGE (t)-[:ASSIGNED_TO]->(c))
RETURN t.id AS id, t.version AS version, size(classes) AS classes
