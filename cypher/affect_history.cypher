// A student's affect tags since $since (epoch ms), oldest first: fusion input and export
MATCH (:Student {id: $student_id})-[:FELT]->(e:AffectEvent)
WHERE e.ts >= $since
RETURN e.id AS id, e.tag AS tag, e.confidence AS confidence, e.source AS source, e.ts AS ts
ORDER BY ts, id
