// Create an experiment, or change it if it is still at the version the caller read (no row
// back otherwise). The first SET takes the node's write lock on Neo4j, so the version read
// after it is the committed one. Its classes are replaced by $class_ids.
MERGE (x:Experiment {id: $id})
ON CREATE SET x.version = 0
SET x.locked_at = $now
WITH x
WHERE x.version = $expected
SET x += $props
WITH x
OPTIONAL MATCH (x)-[old:ON]->(:Class)
DELETE old
WITH DISTINCT x
OPTIONAL MATCH (c:Class)
WHERE c.id IN $class_ids
WITH x, collect(c) AS classes
FOREACH (c IN classes | MERGE (x)-[:ON]->(c))
RETURN x.id AS id, x.version AS version, size(classes) AS classes
