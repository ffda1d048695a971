// Store one affect tag, only if the student consented (checked in the same query); raw media
// never reaches the graph: these five properties are all there is
MATCH (s:Student {id: $student_id})
WHERE s.affect_consent = true
MERGE (e:AffectEvent {id: $id})
ON CREATE SET e.student_id = $student_id, e.tag = $tag, e.confidence = $confidence,
              e.source = $source, e.ts = $ts
MERGE (s)-[:FELT]->(e)
RETURN e.id AS id
