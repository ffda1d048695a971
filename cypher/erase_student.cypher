// Right to erasure: every node held about the student (by edge or by property), then the
// student with its edges (attempts, mastery, memberships); returns 1 when the student existed
MATCH (s:Student {id: $student_id})
OPTIONAL MATCH (s)-[:FELT|HAS_PATH|ADJUSTED|SENT]->(owned)
WITH s, collect(DISTINCT owned) AS owned
FOREACH (n IN owned | DETACH DELETE n)
WITH s
OPTIONAL MATCH (named)
WHERE named.student_id = $student_id AND NOT named:Student
WITH s, collect(named) AS named
FOREACH (n IN named | DETACH DELETE n)
DETACH DELETE s
RETURN count(s) AS n
