// Each student's latest affect tag, for a batch of students (none: no row)
UNWIND $student_ids AS sid
MATCH (:Student {id: sid})-[:FELT]->(e:AffectEvent)
WITH sid, e
ORDER BY e.ts DESC
WITH sid, collect(e)[0] AS e
RETURN sid AS student_id, e.tag AS tag, e.confidence AS confidence, e.source AS source,
       e.ts AS ts
